package org.hotmem.conformance;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A unified diff of two line lists that is identical, line for line, to Python's
 * {@code difflib.unified_diff} (which the reference {@code compare} script uses). The
 * alignment follows difflib's SequenceMatcher: the longest matching block first (earliest
 * in a, then in b), recursively on both sides, with the "autojunk" rule that lines occurring
 * more than 1% + 1 times in a sequence of 200 or more lines are not used as anchors.
 * A Myers/LCS diff would align some inputs differently, so this is a reimplementation of
 * that algorithm, written from its documented behaviour.
 */
final class UnifiedDiff {
    private record Match(int a, int b, int size) {
    }

    private record Op(char tag, int i1, int i2, int j1, int j2) {
    }

    private final List<String> a;
    private final List<String> b;
    /** b's line -> ascending indexes in b, without the "popular" lines. */
    private final Map<String, List<Integer>> b2j = new HashMap<>();

    private UnifiedDiff(List<String> a, List<String> b) {
        this.a = a;
        this.b = b;
        for (int i = 0; i < b.size(); i++) {
            b2j.computeIfAbsent(b.get(i), k -> new ArrayList<>()).add(i);
        }
        int n = b.size();
        if (n >= 200) {
            int ntest = n / 100 + 1;
            b2j.values().removeIf(idx -> idx.size() > ntest);
        }
    }

    /**
     * The lines of the unified diff of {@code a} and {@code b} with {@code n} lines of context,
     * headers {@code --- from} / {@code +++ to}; empty if the inputs are equal. Each element
     * is prefixed as difflib does; the input lines keep their own line ends.
     */
    static List<String> unifiedDiff(List<String> a, List<String> b, String from, String to, int n) {
        UnifiedDiff d = new UnifiedDiff(a, b);
        List<String> out = new ArrayList<>();
        for (List<Op> group : d.groupedOpcodes(n)) {
            if (out.isEmpty()) {
                out.add("--- " + from + "\n");
                out.add("+++ " + to + "\n");
            }
            Op first = group.get(0);
            Op last = group.get(group.size() - 1);
            out.add("@@ -" + range(first.i1, last.i2) + " +" + range(first.j1, last.j2) + " @@\n");
            for (Op op : group) {
                if (op.tag == 'e') {
                    for (int i = op.i1; i < op.i2; i++) {
                        out.add(" " + a.get(i));
                    }
                    continue;
                }
                if (op.tag == 'r' || op.tag == 'd') {
                    for (int i = op.i1; i < op.i2; i++) {
                        out.add("-" + a.get(i));
                    }
                }
                if (op.tag == 'r' || op.tag == 'i') {
                    for (int j = op.j1; j < op.j2; j++) {
                        out.add("+" + b.get(j));
                    }
                }
            }
        }
        return out;
    }

    private static String range(int start, int stop) {
        int beginning = start + 1;
        int length = stop - start;
        if (length == 1) {
            return Integer.toString(beginning);
        }
        if (length == 0) {
            beginning--;
        }
        return beginning + "," + length;
    }

    private Match findLongestMatch(int alo, int ahi, int blo, int bhi) {
        int besti = alo;
        int bestj = blo;
        int bestsize = 0;
        Map<Integer, Integer> j2len = new HashMap<>();
        for (int i = alo; i < ahi; i++) {
            Map<Integer, Integer> newj2len = new HashMap<>();
            List<Integer> js = b2j.get(a.get(i));
            if (js != null) {
                for (int j : js) {
                    if (j < blo) {
                        continue;
                    }
                    if (j >= bhi) {
                        break;
                    }
                    int k = j2len.getOrDefault(j - 1, 0) + 1;
                    newj2len.put(j, k);
                    if (k > bestsize) {
                        besti = i - k + 1;
                        bestj = j - k + 1;
                        bestsize = k;
                    }
                }
            }
            j2len = newj2len;
        }
        // extend over equal lines that were not anchors (the popular ones)
        while (besti > alo && bestj > blo && a.get(besti - 1).equals(b.get(bestj - 1))) {
            besti--;
            bestj--;
            bestsize++;
        }
        while (besti + bestsize < ahi && bestj + bestsize < bhi && a.get(besti + bestsize).equals(b.get(bestj + bestsize))) {
            bestsize++;
        }
        return new Match(besti, bestj, bestsize);
    }

    private List<Match> matchingBlocks() {
        List<Match> blocks = new ArrayList<>();
        List<int[]> queue = new ArrayList<>();
        queue.add(new int[] {0, a.size(), 0, b.size()});
        while (!queue.isEmpty()) {
            int[] q = queue.remove(queue.size() - 1);
            Match m = findLongestMatch(q[0], q[1], q[2], q[3]);
            if (m.size > 0) {
                blocks.add(m);
                if (q[0] < m.a && q[2] < m.b) {
                    queue.add(new int[] {q[0], m.a, q[2], m.b});
                }
                if (m.a + m.size < q[1] && m.b + m.size < q[3]) {
                    queue.add(new int[] {m.a + m.size, q[1], m.b + m.size, q[3]});
                }
            }
        }
        blocks.sort((x, y) -> x.a != y.a ? Integer.compare(x.a, y.a)
                : x.b != y.b ? Integer.compare(x.b, y.b) : Integer.compare(x.size, y.size));
        List<Match> out = new ArrayList<>();
        int i1 = 0;
        int j1 = 0;
        int k1 = 0;
        for (Match m : blocks) {
            if (i1 + k1 == m.a && j1 + k1 == m.b) {
                k1 += m.size;
            } else {
                if (k1 > 0) {
                    out.add(new Match(i1, j1, k1));
                }
                i1 = m.a;
                j1 = m.b;
                k1 = m.size;
            }
        }
        if (k1 > 0) {
            out.add(new Match(i1, j1, k1));
        }
        out.add(new Match(a.size(), b.size(), 0));
        return out;
    }

    private List<Op> opcodes() {
        int i = 0;
        int j = 0;
        List<Op> ops = new ArrayList<>();
        for (Match m : matchingBlocks()) {
            char tag = 0;
            if (i < m.a && j < m.b) {
                tag = 'r';
            } else if (i < m.a) {
                tag = 'd';
            } else if (j < m.b) {
                tag = 'i';
            }
            if (tag != 0) {
                ops.add(new Op(tag, i, m.a, j, m.b));
            }
            i = m.a + m.size;
            j = m.b + m.size;
            if (m.size > 0) {
                ops.add(new Op('e', m.a, i, m.b, j));
            }
        }
        return ops;
    }

    private List<List<Op>> groupedOpcodes(int n) {
        List<Op> codes = opcodes();
        if (codes.isEmpty()) {
            codes.add(new Op('e', 0, 1, 0, 1));
        }
        Op c0 = codes.get(0);
        if (c0.tag == 'e') {
            codes.set(0, new Op('e', Math.max(c0.i1, c0.i2 - n), c0.i2, Math.max(c0.j1, c0.j2 - n), c0.j2));
        }
        Op cl = codes.get(codes.size() - 1);
        if (cl.tag == 'e') {
            codes.set(codes.size() - 1, new Op('e', cl.i1, Math.min(cl.i2, cl.i1 + n), cl.j1, Math.min(cl.j2, cl.j1 + n)));
        }
        int nn = n + n;
        List<List<Op>> groups = new ArrayList<>();
        List<Op> group = new ArrayList<>();
        for (Op op : codes) {
            int i1 = op.i1;
            int j1 = op.j1;
            if (op.tag == 'e' && op.i2 - op.i1 > nn) {
                group.add(new Op('e', i1, Math.min(op.i2, i1 + n), j1, Math.min(op.j2, j1 + n)));
                groups.add(group);
                group = new ArrayList<>();
                i1 = Math.max(i1, op.i2 - n);
                j1 = Math.max(j1, op.j2 - n);
            }
            group.add(new Op(op.tag, i1, op.i2, j1, op.j2));
        }
        if (!group.isEmpty() && !(group.size() == 1 && group.get(0).tag == 'e')) {
            groups.add(group);
        }
        return groups;
    }
}

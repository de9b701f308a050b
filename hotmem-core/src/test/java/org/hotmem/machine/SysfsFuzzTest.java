package org.hotmem.machine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.hotmem.FuzzSeeds;
import org.hotmem.hotplug.MemoryInvariants;
import org.hotmem.kernel.Errno;
import org.hotmem.kernel.Kernel;
import org.hotmem.kernel.KernelException;
import org.hotmem.kernel.fs.KDir;
import org.hotmem.kernel.fs.KFile;
import org.hotmem.kernel.fs.KNode;
import org.hotmem.mm.KernelVersion;
import org.junit.jupiter.api.Test;

/**
 * Seeded fuzzer: malformed writes (empty, blanks, signs, bases, overflow, very long, binary,
 * trailing garbage) to every writable sysfs attribute of a booted guest. Each write must end
 * within the virtual-time budget with the errno Linux's parser gives (an independent reference
 * below), a refused write must leave the attribute as it was, and the model's invariants must
 * hold afterwards.
 */
class SysfsFuzzTest {
    private static final long BUDGET_NS = 120_000_000_000L;
    private static final Set<String> ACTIONS = Set.of("add", "remove", "change", "move", "online", "offline", "bind", "unbind");
    private static final Set<String> ONLINE_TYPES = Set.of("offline", "online", "online_kernel", "online_movable");
    /** What a well-formed state or poison write may still meet: the block's or the page's state. */
    private static final Set<Errno> STATE_ERRNOS = Set.of(Errno.EINVAL, Errno.EBUSY, Errno.ENOMEM, Errno.EAGAIN,
            Errno.EINTR, Errno.ENXIO, Errno.EIO, Errno.EHWPOISON, Errno.ETIMEDOUT, Errno.EPERM);

    @Test
    void everyWritableAttributeAnswersMalformedWritesAsLinuxDoes() {
        long base = FuzzSeeds.base(20261203L);
        int cases = FuzzSeeds.cases(600);
        Machine m = Machine.boot(new MachineConfig("2G,slots=2,maxmem=8G", "", List.of(), KernelVersion.V6_12, 1));
        List<KFile> files = new ArrayList<>();
        collect(m.fs().root(), files);
        assertTrue(files.size() > 20, "writable attributes found: " + files.size());
        for (int i = 0; i < cases; i++) {
            SplittableRandom r = FuzzSeeds.random(base, i);
            KFile f = files.get(r.nextInt(files.size()));
            String value = FuzzSeeds.badValue(r) + (r.nextInt(3) == 0 ? "" : "\n");
            String where = FuzzSeeds.replay("sysfs", base, i) + "write " + printable(value) + " to " + f.path() + ": ";
            String before = f.readable() ? read(m, f) : null;
            Errno got = write(m, f, value, where);
            check(f.name(), value, got, where);
            // cgroup.procs lists the tasks alive when it is read, the reading task among them
            if (got != null && before != null && !f.name().equals("state") && !f.name().equals("online")
                    && !f.name().equals("cgroup.procs")) {
                assertEquals(before, read(m, f), where + "a refused write changed the attribute");
            }
            if (i % 100 == 99) {
                assertEquals(List.of(), MemoryInvariants.check(m.hotplug()), where + "invariants");
            }
        }
        assertEquals(List.of(), MemoryInvariants.check(m.hotplug()), "invariants at the end");
    }

    private static void collect(KDir d, List<KFile> out) {
        for (String name : d.list()) {
            KNode n = d.child(name);
            if (n instanceof KDir sub) {
                collect(sub, out);
            } else if (n instanceof KFile f && f.writable()) {
                out.add(f);
            }
        }
    }

    /** The reference: what Linux's store answers, piece by piece (sysfs hands over at most a page per write). */
    private static void check(String attr, String value, Errno got, String where) {
        Errno want = null;
        boolean stateDependent = false;
        for (int off = 0; off < Math.max(1, value.length()) && want == null; off += KFile.PAGE_SIZE) {
            String piece = value.substring(Math.min(off, value.length()), Math.min(value.length(), off + KFile.PAGE_SIZE));
            if (piece.isEmpty()) {
                break; // a zero-length write never reaches the store
            }
            String c = cString(piece);
            switch (attr) {
                case "auto_movable_ratio" -> want = refKstrtouint(c);
                case "auto_movable_numa_aware", "online" -> {
                    want = refKstrtobool(c);
                    stateDependent |= attr.equals("online") && want == null;
                }
                case "online_policy" -> want = Set.of("contig-zones", "auto-movable").contains(strip(c)) ? null : Errno.EINVAL;
                case "auto_online_blocks" -> want = ONLINE_TYPES.contains(strip(c)) ? null : Errno.EINVAL;
                case "state" -> {
                    want = ONLINE_TYPES.contains(strip(c)) ? null : Errno.EINVAL;
                    stateDependent |= want == null;
                }
                case "uevent" -> want = ACTIONS.contains(stripUevent(piece)) ? null : Errno.EINVAL;
                case "hard_offline_page", "soft_offline_page" -> {
                    want = refKstrtoull(c) == null ? null : Errno.EINVAL;
                    stateDependent |= want == null;
                }
                default -> {
                    return; // an attribute this reference does not know: the errno was only required to be an errno
                }
            }
        }
        if (stateDependent && got != null) {
            assertTrue(STATE_ERRNOS.contains(got), where + "a well-formed write failed with " + got);
            return;
        }
        assertEquals(want, got, where + "errno");
    }

    private static String cString(String s) {
        int nul = s.indexOf('\0');
        return nul < 0 ? s : s.substring(0, nul);
    }

    private static String strip(String s) {
        return s.endsWith("\n") ? s.substring(0, s.length() - 1) : s;
    }

    private static String stripUevent(String s) {
        return s.endsWith("\n") || s.endsWith("\0") ? s.substring(0, s.length() - 1) : s;
    }

    /** kstrtoull(s, 0) as a grammar: the longest run of digits of the base; overflow first, then leftovers. */
    private static BigInteger refParse(String s, Errno[] err) {
        String t = s.startsWith("+") ? s.substring(1) : s;
        int radix = 10;
        if (t.length() >= 3 && t.charAt(0) == '0' && (t.charAt(1) == 'x' || t.charAt(1) == 'X')
                && Character.digit(t.charAt(2), 16) >= 0) {
            radix = 16;
            t = t.substring(2);
        } else if (t.startsWith("0")) {
            radix = 8;
        }
        int end = 0;
        while (end < t.length() && t.charAt(end) < 128 && Character.digit(t.charAt(end), radix) >= 0) {
            end++;
        }
        if (end > 0 && new BigInteger(t.substring(0, end), radix).bitLength() > 64) {
            err[0] = Errno.ERANGE;
            return null;
        }
        String rest = t.substring(end);
        if (end == 0 || !(rest.isEmpty() || rest.equals("\n"))) {
            err[0] = Errno.EINVAL;
            return null;
        }
        return new BigInteger(t.substring(0, end), radix);
    }

    private static Errno refKstrtoull(String s) {
        Errno[] err = new Errno[1];
        refParse(s, err);
        return err[0];
    }

    private static Errno refKstrtouint(String s) {
        Errno[] err = new Errno[1];
        BigInteger v = refParse(s, err);
        if (v == null) {
            return err[0];
        }
        return v.bitLength() > 32 ? Errno.ERANGE : null;
    }

    private static Errno refKstrtobool(String s) {
        if (s.isEmpty()) {
            return Errno.EINVAL;
        }
        if ("yYtT1nNfF0".indexOf(s.charAt(0)) >= 0) {
            return null;
        }
        if (s.length() > 1 && (s.charAt(0) == 'o' || s.charAt(0) == 'O') && "nNfF".indexOf(s.charAt(1)) >= 0) {
            return null;
        }
        return Errno.EINVAL;
    }

    private static String read(Machine m, KFile f) {
        String[] out = new String[1];
        runTask(m, () -> {
            try {
                out[0] = f.read();
            } catch (KernelException e) {
                out[0] = "errno " + e.errno();
            }
        }, "read " + f.path());
        return out[0];
    }

    private static Errno write(Machine m, KFile f, String value, String where) {
        Errno[] out = new Errno[1];
        runTask(m, () -> {
            try {
                f.write(value);
            } catch (KernelException e) {
                out[0] = e.errno();
            }
        }, where);
        return out[0];
    }

    /** Runs {@code body} in a task; it must finish within the virtual-time budget, and nothing but an errno may escape. */
    private static void runTask(Machine m, Runnable body, String where) {
        Kernel k = m.kernel();
        boolean[] done = new boolean[1];
        Throwable[] thrown = new Throwable[1];
        k.spawn("sh", 0, () -> {
            try {
                body.run();
            } catch (RuntimeException | Error e) {
                thrown[0] = e;
            } finally {
                done[0] = true;
            }
        });
        long deadline = k.now() + BUDGET_NS;
        k.runUntil(() -> done[0] || k.now() >= deadline);
        if (thrown[0] != null) {
            fail(where + "escaped: " + thrown[0], thrown[0]);
        }
        assertTrue(done[0], where + "no answer within " + BUDGET_NS / 1_000_000_000L + " s of virtual time");
    }

    private static String printable(String s) {
        StringBuilder sb = new StringBuilder("\"");
        String t = s.length() > 40 ? s.substring(0, 40) + "...(" + s.length() + " chars)" : s;
        for (char c : t.toCharArray()) {
            sb.append(c < 0x20 ? String.format("\\x%02x", (int) c) : String.valueOf(c));
        }
        return sb.append('"').toString();
    }
}

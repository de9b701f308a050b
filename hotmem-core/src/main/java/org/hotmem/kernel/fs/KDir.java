package org.hotmem.kernel.fs;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.TreeMap;

/**
 * A kernfs directory. Its children are kept sorted by the byte value of their names (as
 * {@code ls} sorts in the C locale: {@code memory10} before {@code memory2}).
 *
 * <p>Not thread-safe: mutated only by the one task that runs at a time.
 */
public final class KDir extends KNode {
    /** Children by name, in byte order of the UTF-8 names (= code point order). */
    private final TreeMap<String, KNode> children = new TreeMap<>(CodePointOrder::compare);

    KDir(String name, KDir parent) {
        super(name, parent);
    }

    /** The child called {@code name}, or null. */
    public KNode child(String name) {
        return children.get(name);
    }

    /** The child names in byte order, as {@code ls} prints them. */
    public List<String> list() {
        return Collections.unmodifiableList(new ArrayList<>(children.keySet()));
    }

    /** The children in byte order of their names. */
    public List<KNode> children() {
        return Collections.unmodifiableList(new ArrayList<>(children.values()));
    }

    /** Number of entries. */
    public int size() {
        return children.size();
    }

    <T extends KNode> T add(T node) {
        KNode old = children.putIfAbsent(node.name(), node);
        if (old != null) {
            // sysfs: "cannot create duplicate filename" is a WARN and -EEXIST: a programming error here
            throw new IllegalStateException("kernfs: duplicate name " + node.path());
        }
        return node;
    }

    KNode detach(String name) {
        return children.remove(name);
    }
}

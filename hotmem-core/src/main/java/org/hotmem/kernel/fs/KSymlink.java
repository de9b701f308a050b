package org.hotmem.kernel.fs;

/**
 * A kernfs symlink, e.g. {@code memory40/node0 -> ../../node/node0}. The target is a path,
 * absolute or relative to the directory holding the link; it is resolved at lookup time and
 * may dangle.
 *
 * <p>Invariant: the target is fixed at creation (immutable apart from its node's removal).
 */
public final class KSymlink extends KNode {
    private final String target;

    KSymlink(String name, KDir parent, String target) {
        super(name, parent);
        this.target = target;
    }

    /** The link text, as readlink(2) returns it. */
    public String target() {
        return target;
    }
}

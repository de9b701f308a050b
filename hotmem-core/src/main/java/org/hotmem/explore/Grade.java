package org.hotmem.explore;

/** How a race file grades an outcome, as jcstress does: a FORBIDDEN outcome is a violation. */
public enum Grade {
    ACCEPTABLE, INTERESTING, FORBIDDEN
}

package org.hotmem.kernel;

/** One entry of a task's held-lock stack (lockdep's struct held_lock). Immutable. */
record HeldLock(LockBase lock, boolean read, boolean trylock, String op, long acquiredAtNs) {
}

package org.hotmem.explore;

import org.hotmem.kernel.Kernel;
import org.hotmem.machine.Machine;
import org.hotmem.mm.AddressSpace;
import org.hotmem.mm.Gfp;

/**
 * A filesystem's journal kernel thread (jbd2's kjournald2, XFS's xfsaild): every period it
 * commits a transaction, writing the commit's sequence number into its journal head (a kernel
 * page, saved by a hibernation image like any other) and then to the disk's log. The disk and
 * the memory agree whenever the thread is between commits; an image must therefore hold the
 * sequence number the disk has when the machine goes off, else the resumed kernel's journal is
 * behind its disk (the next commit overwrites log blocks the disk already holds: corruption).
 *
 * <p>Freezable (kjournald2: {@code set_freezable()}, {@code try_to_freeze()} at the top of its
 * loop), it is frozen by {@code freeze_kernel_threads()} before the atomic copy and writes
 * nothing until the thaw. Not freezable (the switch {@code journal-thread-not-freezable}: a
 * kthread starts with PF_NOFREEZE, as xfsaild did between its kthread conversion and "xfs: Make
 * xfsaild freezeable again", v4.1), it goes on committing while the image is written.
 *
 * <p>Fields are written by the thread only; {@link #outcome} reads them once the machine is off.
 */
final class Journal {
    /** The journal head's tokens: "jbd2" and the commit sequence number. */
    private static final long TOKEN = 0x6a626432_00000000L;

    private final AddressSpace head;
    private final int slot;
    /** The sequence number of the last commit block on the disk. */
    private long diskSequence;

    Journal(Machine m, Race.Actor a, long delayNs, boolean freezable) {
        head = m.mm().newAddressSpace(a.name(), Gfp.KERNEL);
        slot = head.add(TOKEN);
        Kernel k = m.kernel();
        k.kthreadRun(a.name(), () -> {
            if (freezable) k.setFreezable();
            if (delayNs > 0) k.scheduleTimeoutInterruptible(delayNs);
            while (true) {
                if (freezable) k.tryToFreeze();
                head.write(slot, TOKEN | (diskSequence + 1)); // jbd2_journal_commit_transaction(): the head first,
                diskSequence++;                                 // then the commit block (one step: never torn)
                k.scheduleTimeoutInterruptible(a.holdNs());
            }
        });
    }

    /**
     * {@code consistent} when the image holds the disk's last commit, {@code disk-ahead} when the
     * thread committed after the atomic copy, {@code running} when no image was written.
     */
    String outcome(Machine m) {
        if (!m.poweredOff()) return "running";
        long saved = m.power().imageToken(head.pfn(slot));
        return saved == (TOKEN | diskSequence) ? "consistent" : "disk-ahead";
    }
}

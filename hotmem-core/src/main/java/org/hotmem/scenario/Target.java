package org.hotmem.scenario;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.List;
import java.util.SortedMap;

/**
 * What the {@link ScenarioRunner} needs from a booted guest and its hypervisor. The production
 * implementation is {@link MachineTarget} over {@link org.hotmem.machine.Machine}; the seam keeps
 * the runner's bookkeeping (timeline, samples, expectations) independent of how the model
 * computes. All times are virtual nanoseconds; every method is called from the runner's single
 * driving thread, between kernel runs.
 */
public interface Target extends AutoCloseable {

    /** The virtual clock, in ns since the guest finished booting (the scenario's time 0). */
    long now();

    /** Virtual uptime at the scenario's time 0: kernel log timestamps minus this are scenario times. */
    long uptimeOffset();

    /** Lets virtual time pass until {@code untilNs}: the guest's tasks and the hypervisor run. */
    void advance(long untilNs);

    /** One QMP command; the reply is QEMU's {@code {"return": ...}} or {@code {"error": {...}}}. */
    JsonNode qmp(String execute, ObjectNode arguments);

    /** QMP events since the last call, each with QEMU's {@code timestamp} (virtual time). */
    List<JsonNode> drainEvents();

    /** Kernel log lines since the last call, as dmesg prints them. */
    List<String> drainKernelLog();

    /** The memory block size in bytes (block_size_bytes). */
    long blockSize();

    /**
     * Starts a guest task named {@code name} that writes each (path, value) in turn, as
     * {@code echo VALUE > PATH} would, recording each write's errno; it stops at the first error
     * unless {@code keepGoing}.
     */
    GuestTask spawnWrites(String name, List<String[]> writes, boolean keepGoing);

    /** Sends a signal to a guest task that is still running. */
    void signal(GuestTask task, int signal);

    /**
     * Allocates {@code bytes} of memory of a kind on behalf of a workload, in the guest, as a task
     * would (GFP flags from the kind; long-term pinned if {@code pin}). Returns a handle, or
     * null when the allocation failed (the guest is out of memory of that kind).
     */
    Allocation allocate(String workload, WorkloadSpec.Kind kind, long bytes, boolean pin, int node);

    /** Frees an allocation (unpinning it first if pinned). */
    void free(Allocation a);

    /** Releases a long-term pin; the pages stay allocated and become movable again. */
    void unpin(Allocation a);

    /** The state of the machine now. Cheap enough to call at every runner step. */
    Snapshot snapshot();

    /**
     * Per zone ("offline" for offline blocks): bytes of hot-plugged memory whose blocks could be
     * offlined and removed now, i.e. that hold no unmovable and no long-term pinned pages.
     * May scan every page; called once, at the end of the run.
     */
    SortedMap<String, Long> unpluggableBytes();

    /** Whether the machine is off (it hibernated, or the host cut the power). */
    default boolean poweredOff() { return false; }

    /** The host cuts the power: the guest's memory is lost; its disks keep what was written. */
    default void powerOff() { throw new UnsupportedOperationException("power-off"); }

    /**
     * The host starts the machine again on the same disks, with {@code extraQemu} appended to its
     * QEMU arguments from now on. Returns "resumed" when the hibernation image resumed, else
     * "booted" (Linux refused the image, or there was none: a fresh boot).
     */
    default String restart(List<String> extraQemu) { throw new UnsupportedOperationException("restart"); }

    /**
     * Metrics of the last hibernation and resume: image size, pages saved and skipped by cause,
     * freeze, write and read times, downtime. Empty when nothing hibernated.
     */
    default SortedMap<String, Double> hibernationMetrics() { return new java.util.TreeMap<>(); }

    @Override
    void close();

    /** A guest task running sysfs writes. */
    interface GuestTask {
        boolean done();

        /** Virtual time the task finished, or -1. */
        long endNs();

        /** One entry per write attempted so far: path, value, errno name or null, end time. */
        List<WriteResult> results();

        /**
         * The signal that killed the task's process, or 0. A signal whose default action is to
         * terminate kills the writer when its write returns (an interrupted offline returns
         * EINTR first), so the remaining writes never happen.
         */
        default int killedBy() {
            return 0;
        }
    }

    /** The outcome of one write. */
    record WriteResult(String path, String value, String errno, long endNs) {}

    /** Memory held by a workload. */
    interface Allocation {
        long bytes();

        boolean pinned();
    }

    /**
     * The machine at one instant.
     *
     * @param blocks           present memory blocks by id
     * @param freePages        free pages per populated zone (Normal, Movable, DMA32, DMA)
     * @param migrated         pages migrated so far (pgmigrate_success)
     * @param migrateFailed    pages that failed to migrate (pgmigrate_fail)
     * @param offlineRetries   passes of the offline_pages() retry loop that had to start over
     * @param pinnedPages      long-term pinned pages now
     */
    record Snapshot(SortedMap<Long, BlockState> blocks, SortedMap<String, Long> freePages, long migrated,
                    long migrateFailed, long offlineRetries, long pinnedPages) {}

    /** A memory block: its sysfs state and, when online, its zone. */
    record BlockState(String state, String zone) {}
}

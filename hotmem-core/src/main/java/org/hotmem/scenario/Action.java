package org.hotmem.scenario;

import java.util.List;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * One timeline entry: what to do ({@link Op}) and when: at a virtual time, or a delay after
 * another action completed ({@code after}). The time may be a seeded distribution
 * ({@code at: {dist: uniform, min: 2m, max: 3m}}): each run draws it from the run's seed.
 *
 * @param id     a name for expectations and signals; generated ({@code #3}) when the file gives none
 * @param at     virtual time in ns (since the guest is up, or the delay after {@code after})
 * @param after  id of the action whose completion starts this one's delay, or null
 * @param line   line in the scenario file, for messages
 */
public record Action(String id, Distribution at, String after, Op op, int line) {

    /** What an action does. Hypervisor operations go through QMP; guest operations run as tasks. */
    public sealed interface Op {
        /** A one-word kind for the timeline: qmp, plug, unplug, write, online, offline, ... */
        String kind();
    }

    /** Any QMP command, as QEMU takes it. */
    public record Qmp(String execute, ObjectNode arguments) implements Op {
        public String kind() { return "qmp"; }
    }

    /** object-add a RAM backend and device_add a pc-dimm of {@code size} bytes. */
    public record Plug(String dimm, long size, int node) implements Op {
        public String kind() { return "plug"; }
    }

    /** device_del a DIMM and wait for DEVICE_DELETED (the guest must offline and eject it). */
    public record Unplug(String dimm, long timeout) implements Op {
        public String kind() { return "unplug"; }
    }

    /** Set a virtio-mem device's requested-size (qom-set) and wait until its size follows. */
    public record Resize(String device, long requested, long timeout) implements Op {
        public String kind() { return "resize"; }
    }

    /** Set the balloon's target (QMP balloon) and wait until the guest's actual follows (BALLOON_CHANGE). */
    public record Balloon(long target, long timeout) implements Op {
        public String kind() { return "balloon"; }
    }

    /**
     * The host's reclaim controller: take {@code take} bytes back from the guest by {@code by}
     * (balloon, virtio-mem or dimm) within {@code deadline}, re-issuing its request every
     * {@code retry} while the guest has not given them all, as a host agent does: the balloon's
     * target again, the virtio-mem device's requested-size again, device_del again for each
     * DIMM of {@code devices} not yet gone (DIMMs are asked for in order until they make up
     * {@code take}). It ends ok when the host has the bytes, timeout at the deadline; its
     * metrics are {@code reclaim_*.ID}.
     */
    public record Reclaim(long take, String by, List<String> devices, long deadline, long retry) implements Op {
        public String kind() { return "reclaim"; }
    }

    /** Guest: {@code echo VALUE > PATH} in a task. */
    public record Write(String path, String value) implements Op {
        public String kind() { return "write"; }
    }

    /** Guest: write {@code online_type} (online, online_kernel, online_movable) to each block's state. */
    public record Online(BlockSet blocks, String onlineType) implements Op {
        public String kind() { return "online"; }
    }

    /** Guest: write {@code offline} to each block's state (retries until a signal, as Linux). */
    public record Offline(BlockSet blocks) implements Op {
        public String kind() { return "offline"; }
    }

    /** Guest: send a signal to the task of another (still running) action. */
    public record Signal(String target, int signal, String name) implements Op {
        public String kind() { return "signal"; }
    }

    /** Control a workload: start, stop (free all), unpin (release its long-term pins). */
    public record WorkloadControl(String workload, String verb) implements Op {
        public String kind() { return "workload"; }
    }

    /**
     * Measures unpluggable bytes per zone at this instant; they become the metrics
     * {@code unpluggable_bytes.ZONE@ID} (ID: this action's id).
     */
    public record Measure() implements Op {
        public String kind() { return "measure"; }
    }

    /**
     * Hibernation: {@code echo MODE > /sys/power/disk; echo disk > /sys/power/state} in the guest.
     * It ends when the machine has powered off with the image on its swap disk (or, with
     * {@code test_resume}, when the write returns), or with the errno of the refusal.
     */
    public record Hibernate(String mode) implements Op {
        public String kind() { return "hibernate"; }
    }

    /**
     * The host starts the machine again on the same disks, with {@code qemu} appended to its
     * QEMU arguments (a DIMM plugged back, say): the image resumes, or Linux refuses it and boots
     * fresh. {@code resume} is a restart with nothing changed.
     */
    public record Restart(List<String> qemu) implements Op {
        public String kind() { return "restart"; }
    }

    /** The host cuts the power (QMP quit): memory is lost, a later restart boots or resumes from the disk. */
    public record PowerOff() implements Op {
        public String kind() { return "power-off"; }
    }

    /** A comment in the timeline. */
    public record Note(String text) implements Op {
        public String kind() { return "note"; }
    }
}

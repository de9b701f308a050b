package org.hotmem.hv;

/**
 * QEMU's outgoing live migration as far as devices see it (migration/migration.c): the QMP
 * commands {@code migrate-set-parameters} (max-bandwidth), {@code migrate} and
 * {@code migrate_cancel}, and whether a migration is in progress, which is what
 * virtio_mem_is_busy() asks (!migration_is_idle()).
 *
 * <p>model: no RAM is transferred, so a migration never completes: it is active from
 * {@code migrate} until {@code migrate_cancel} (the recorded use: a 4 KiB/s bandwidth that keeps
 * it running for the whole scenario). Invariant: {@code active} iff a migrate was accepted and
 * not cancelled. Not thread-safe: QMP runs on the machine's scheduler.
 */
public final class Migration {
    /** QEMU's default max-bandwidth (MAX_THROTTLE, 128 MiB/s). */
    static final long DEFAULT_MAX_BANDWIDTH = 128L << 20;

    private boolean active;
    private long maxBandwidth = DEFAULT_MAX_BANDWIDTH;

    /** Models migration_is_idle() negated: true while a migration runs. */
    public boolean active() {
        return active;
    }

    public long maxBandwidth() {
        return maxBandwidth;
    }

    /** migrate-set-parameters max-bandwidth (a QAPI size: migrate_params_check()'s SIZE_MAX bound never bites on 64 bits). */
    void setMaxBandwidth(long value) {
        maxBandwidth = value;
    }

    /** migrate: models qmp_migrate()'s checks for an exec: or unix:/tcp: URI and the start. */
    void start(String uri) {
        if (active) {
            throw QmpException.generic("There's a migration process in progress");
        }
        if (!uri.startsWith("exec:") && !uri.startsWith("unix:") && !uri.startsWith("tcp:") && !uri.startsWith("fd:")) {
            throw QmpException.generic("Parameter 'uri' expects a valid migration protocol");
        }
        active = true;
    }

    /** migrate_cancel: models qmp_migrate_cancel(); a no-op when none runs. */
    void cancel() {
        active = false;
    }
}

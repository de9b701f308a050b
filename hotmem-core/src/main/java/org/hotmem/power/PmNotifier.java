package org.hotmem.power;

/**
 * A PM notifier (register_pm_notifier(), include/linux/suspend.h): called with the sleep
 * transition events in descending priority. Returns 0 (NOTIFY_OK/NOTIFY_DONE) or a negative
 * errno to veto a *_PREPARE event (notifier_from_errno(); NOTIFY_BAD alone means -EPERM).
 */
public interface PmNotifier {
    int PM_HIBERNATION_PREPARE = 0x0001;
    int PM_POST_HIBERNATION = 0x0002;
    int PM_RESTORE_PREPARE = 0x0005;
    int PM_POST_RESTORE = 0x0006;

    /** The notifier's priority; higher runs first (virtio-mem uses INT_MAX). */
    default int priority() { return 0; }

    /** The event's handler: 0, or a negative errno. */
    int call(int event);
}

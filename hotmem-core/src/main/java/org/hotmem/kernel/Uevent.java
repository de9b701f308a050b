package org.hotmem.kernel;

import java.util.List;

/**
 * A device's {@code uevent} attribute written from user space: models uevent_store() of
 * drivers/base/core.c and kobject_synth_uevent() of lib/kobject_uevent.c (Linux 5.0 and
 * later). The text is {@code ACTION [UUID [KEY=VALUE ...]]} with one optional trailing newline
 * or NUL; an unknown action or malformed arguments fail with EINVAL and log
 * {@code synth uevent: DEVPATH: ...} and {@code BUS DEV: uevent: failed to send synthetic
 * uevent: -22}. A valid request sends the event (there is no udev in the model to see it).
 *
 * <p>Stateless.
 */
public final class Uevent {
    /** kobject_actions[], in enum kobject_action order. */
    public static final List<String> ACTIONS = List.of("add", "remove", "change", "move", "online", "offline", "bind", "unbind");
    private static final int UUID_STRING_LEN = 36;

    private Uevent() {
    }

    /**
     * Stores {@code buf} into the uevent file of a device.
     *
     * @param bus     dev_driver_string() of the device ("" for a subsystem's root device)
     * @param dev     dev_name()
     * @param devpath kobject_get_path(), e.g. {@code /devices/system/memory/memory32}
     */
    public static void synthStore(Dmesg log, String bus, String dev, String devpath, String buf) {
        String msg = synth(buf);
        if (msg != null) {
            log.warn("synth uevent: " + devpath + ": " + msg);
            log.err(bus + " " + dev + ": uevent: failed to send synthetic uevent: -" + Errno.EINVAL.number());
            throw new KernelException(Errno.EINVAL);
        }
    }

    /** Models kobject_action_type() + kobject_action_args(); returns the warning text, or null if valid. */
    private static String synth(String buf) {
        String b = stripEnd(buf);
        if (b.isEmpty()) {
            return "unknown uevent action string";
        }
        int sp = b.indexOf(' ');
        String action = sp < 0 ? b : b.substring(0, sp);
        if (!ACTIONS.contains(action)) {
            return "unknown uevent action string";
        }
        if (sp < 0) {
            return null;
        }
        // the arguments are measured from the unstripped buffer, which kobject_action_args() strips itself
        return validArgs(stripEnd(buf.substring(sp + 1))) ? null : "incorrect uevent action arguments";
    }

    /** Models kobject_action_args(): a UUID, then " KEY=VALUE" pairs of alphanumerics. */
    private static boolean validArgs(String a) {
        if (a.length() < UUID_STRING_LEN || !uuidValid(a.substring(0, UUID_STRING_LEN))) {
            return false;
        }
        int i = UUID_STRING_LEN;
        while (i < a.length()) {
            if (a.charAt(i) != ' ') {
                return false;
            }
            int key = ++i;
            while (i < a.length() && a.charAt(i) != '=') {
                if (!alnum(a.charAt(i++))) {
                    return false;
                }
            }
            if (i == key || i >= a.length()) {
                return false;
            }
            int value = ++i;
            while (i < a.length() && a.charAt(i) != ' ') {
                if (!alnum(a.charAt(i++))) {
                    return false;
                }
            }
            if (i == value) {
                return false;
            }
        }
        return true;
    }

    /** Models uuid_is_valid(): 8-4-4-4-12 hex digits. */
    private static boolean uuidValid(String u) {
        for (int i = 0; i < UUID_STRING_LEN; i++) {
            char c = u.charAt(i);
            boolean dash = i == 8 || i == 13 || i == 18 || i == 23;
            if (dash ? c != '-' : Character.digit(c, 16) < 0 || c > 127) {
                return false;
            }
        }
        return true;
    }

    private static boolean alnum(char c) {
        return c < 128 && Character.isLetterOrDigit(c);
    }

    /** One trailing '\n' or NUL is not part of the request. */
    private static String stripEnd(String s) {
        return !s.isEmpty() && (s.endsWith("\n") || s.endsWith("\0")) ? s.substring(0, s.length() - 1) : s;
    }
}

package org.hotmem.hv;

/**
 * A QMP error reply: {@code {"error": {"class": ..., "desc": ...}}}. The class is one of QEMU's
 * ErrorClass names (GenericError, CommandNotFound, DeviceNotActive, DeviceNotFound,
 * KVMMissingCap); the description is QEMU's text.
 */
public final class QmpException extends RuntimeException {
    public static final String GENERIC_ERROR = "GenericError";
    public static final String COMMAND_NOT_FOUND = "CommandNotFound";
    public static final String DEVICE_NOT_ACTIVE = "DeviceNotActive";
    public static final String DEVICE_NOT_FOUND = "DeviceNotFound";

    private final String errorClass;

    public QmpException(String errorClass, String desc) {
        super(desc);
        this.errorClass = errorClass;
    }

    /** A GenericError. */
    public static QmpException generic(String desc) {
        return new QmpException(GENERIC_ERROR, desc);
    }

    public String errorClass() {
        return errorClass;
    }

    public String desc() {
        return getMessage();
    }
}

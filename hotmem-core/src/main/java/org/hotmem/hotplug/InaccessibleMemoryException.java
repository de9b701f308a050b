package org.hotmem.hotplug;

/**
 * The kernel wrote physical memory its hypervisor does not back (on s390 an addressing
 * exception in kernel mode). Linux avoids it by protocol, never by a check: the model raises it
 * where a configuration would break that protocol (a memmap placed on s390 standby storage
 * before the SCLP assigned it), so a test can show that it does.
 */
public final class InaccessibleMemoryException extends RuntimeException {
    public InaccessibleMemoryException(String message) {
        super(message);
    }
}

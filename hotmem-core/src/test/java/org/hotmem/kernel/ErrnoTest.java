package org.hotmem.kernel;

import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;

class ErrnoTest {
    @Test
    void numbersAndGlibcTextsAreLinuxs() {
        assertEquals(22, Errno.EINVAL.number());
        assertEquals("Invalid argument", Errno.EINVAL.strerror());
        assertEquals("Device or resource busy", Errno.EBUSY.strerror());
        assertEquals("Cannot allocate memory", Errno.ENOMEM.strerror());
        assertEquals("Interrupted system call", Errno.EINTR.strerror());
        assertEquals("Resource temporarily unavailable", Errno.EAGAIN.strerror());
        assertEquals("Operation not supported", Errno.EOPNOTSUPP.strerror());
        assertEquals("Unknown error 524", Errno.ENOTSUPP.strerror());
        assertEquals(Errno.ENOSPC, Errno.fromNumber(28));
        assertEquals(Errno.EBUSY, Errno.fromNumber(-16));
        assertEquals(Errno.EAGAIN, Errno.EWOULDBLOCK);
        assertThrows(IllegalArgumentException.class, () -> Errno.fromNumber(4000));
    }

    @Test
    void kernelExceptionCarriesTheErrno() {
        KernelException e = new KernelException(Errno.EBUSY, "memory block 32 has unmovable pages");
        assertEquals(Errno.EBUSY, e.errno());
        assertEquals(-16, e.ret());
        assertEquals("EBUSY: Device or resource busy (memory block 32 has unmovable pages)", e.getMessage());
    }
}

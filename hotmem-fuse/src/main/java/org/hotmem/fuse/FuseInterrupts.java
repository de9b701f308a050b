package org.hotmem.fuse;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.file.Path;

/**
 * libfuse's {@code fuse_interrupted()}, which jfuse does not expose: true when the kernel sent a
 * FUSE_INTERRUPT for the request the calling worker thread is serving (the process doing the
 * system call got a signal). Needs the mount option {@code intr}; only meaningful on a libfuse
 * worker thread inside an operation.
 *
 * <p>Immutable after class initialisation; a missing libfuse makes it answer false.
 */
final class FuseInterrupts {
    private static final MethodHandle FUSE_INTERRUPTED = lookup();

    private FuseInterrupts() {
    }

    private static MethodHandle lookup() {
        try {
            SymbolLookup lib = SymbolLookup.libraryLookup(KernfsMount.libfuse() == null ? Path.of("libfuse3.so.3") : KernfsMount.libfuse(), Arena.global());
            return lib.find("fuse_interrupted")
                    .map(a -> Linker.nativeLinker().downcallHandle(a, FunctionDescriptor.of(ValueLayout.JAVA_INT)))
                    .orElse(null);
        } catch (IllegalArgumentException | IllegalCallerException e) {
            return null;
        }
    }

    /** True if the current request was interrupted. */
    static boolean interrupted() {
        if (FUSE_INTERRUPTED == null) {
            return false;
        }
        try {
            return (int) FUSE_INTERRUPTED.invokeExact() != 0;
        } catch (Throwable t) {
            return false;
        }
    }
}

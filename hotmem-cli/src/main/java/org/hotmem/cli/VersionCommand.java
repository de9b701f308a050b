package org.hotmem.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.IVersionProvider;

/** {@code hotmem version}: the program version and the kernels it models. */
@Command(name = "version", mixinStandardHelpOptions = true, description = "Print the version and the modelled kernels.")
public final class VersionCommand implements Runnable {
    static final String VERSION = "hotmem 0.1.0";
    static final String KERNELS = "models Linux 6.12 (default) and 6.1 (--kernel 6.1), QEMU 7.2 machine pc";

    @Override public void run() {
        System.out.println(VERSION);
        System.out.println(KERNELS);
    }

    /** Feeds {@code --version}. */
    public static final class Provider implements IVersionProvider {
        @Override public String[] getVersion() { return new String[] {VERSION, KERNELS}; }
    }
}

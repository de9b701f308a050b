package org.hotmem.cli;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.hotmem.machine.HibernateCompare;
import org.hotmem.mm.KernelVersion;
import org.hotmem.scenario.Quantities;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code hotmem hibernate --compare}: the three hibernation designs of seed 001 (swsusp, TuxOnIce's
 * two pagesets, a copy-on-write userspace snapshot) on one machine and workload, each resumed
 * in the same machine and in one with its DIMM unplugged or a DIMM plugged
 * ({@link HibernateCompare}); prints the table.
 */
@Command(name = "hibernate", mixinStandardHelpOptions = true, description = {
        "Hibernate one machine and workload with each design of seed 001 and print the comparison:",
        "extra memory, pages written, image size, downtime and time to the power-off, resume time",
        "(virtual time), stores lost, resumes (same machine, DIMM unplugged, DIMM plugged), failures."})
public final class HibernateCommand implements Callable<Integer> {
    @Option(names = "--compare", required = true, description = "run the comparison (the only mode)")
    boolean compare;

    @Option(names = "-m", paramLabel = "SIZE", defaultValue = "2G", description = "boot memory (default: ${DEFAULT-VALUE})")
    String memory;

    @Option(names = "--dimm", paramLabel = "SIZE", defaultValue = "1G", description = "the DIMM hot-added before hibernating (default: ${DEFAULT-VALUE})")
    String dimm;

    @Option(names = "--anon-pages", paramLabel = "N", defaultValue = "131072", description = "the workload's anonymous pages (default: ${DEFAULT-VALUE})")
    int anonPages;

    @Option(names = "--stores-per-sec", paramLabel = "N", defaultValue = "20000", description = "the workload's page stores per second (default: ${DEFAULT-VALUE})")
    int storesPerSec;

    @Option(names = "--cow-reserve", paramLabel = "PAGES", split = ",", defaultValue = "32768,2048",
            description = "COW reserve sizes in pages, one row each (default: ${DEFAULT-VALUE})")
    List<Integer> reserves;

    @Option(names = "--kernel", converter = KernelOption.class, defaultValue = "6.12", description = "6.1 or 6.12 (default: ${DEFAULT-VALUE})")
    String kernel;

    @Option(names = "--seed", defaultValue = "1", description = "the workload's seed (default: ${DEFAULT-VALUE})")
    long seed;

    /** Where the table goes (tests). */
    PrintStream out = System.out;

    @Override
    public Integer call() throws Exception {
        long boot = Quantities.parseSize(memory);
        long dimmBytes = Quantities.parseSize(dimm);
        if (boot <= 0 || dimmBytes <= 0 || anonPages <= 0 || storesPerSec < 0 || reserves.stream().anyMatch(r -> r < 0)) {
            System.err.println("hotmem hibernate: -m, --dimm and --anon-pages must be positive, --stores-per-sec and --cow-reserve not negative");
            return 2;
        }
        Path dir = Files.createTempDirectory("hotmem-hibernate");
        try {
            var w = new HibernateCompare.Workload(memory, dimmBytes, anonPages, storesPerSec, reserves, KernelVersion.parse(kernel), seed);
            out.print(HibernateCompare.table(HibernateCompare.run(w, dir)));
            out.flush();
        } finally {
            try (var files = Files.list(dir)) {
                for (Path p : files.toList()) Files.deleteIfExists(p);
            }
            Files.deleteIfExists(dir);
        }
        return 0;
    }
}

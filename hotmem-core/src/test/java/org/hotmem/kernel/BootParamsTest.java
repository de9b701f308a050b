package org.hotmem.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** start_kernel()'s parse_args() and print_unknown_bootoptions(). */
class BootParamsTest {
    @Test
    void theRecordedCommandLineLeavesOnlyNokaslrUnknown() {
        String recorded = "console=ttyS0 panic=-1 nokaslr ignore_loglevel printk.time=1 dyndbg=\"file mm/memory_hotplug.c +p; "
                + "file drivers/base/memory.c +p\"";
        assertEquals(List.of("Unknown kernel command line parameters \"nokaslr\", will be passed to user space."),
                BootParams.x86Defaults().parse(recorded));
    }

    @Test
    void anInvalidValueIsLoggedInCommandLineOrderAndTheUnknownOnesLast() {
        List<String> seen = new ArrayList<>();
        BootParams bp = BootParams.x86Defaults().param("memory_hotplug.auto_movable_ratio", false,
                v -> seen.add(Integer.toString(KernelStrings.kstrtouint(v, 0))));
        assertEquals(List.of(
                        "Booting kernel: `abc' invalid for parameter `memory_hotplug.auto_movable_ratio'",
                        "Booting kernel: `x' invalid for parameter `panic'",
                        "Booting kernel: `' invalid for parameter `memory_hotplug.auto_movable_ratio'",
                        "Unknown kernel command line parameters \"bogus other foo=2\", will be passed to user space."),
                bp.parse("memory_hotplug.auto_movable_ratio=abc bogus foo=1 panic=x memory_hotplug.auto_movable_ratio "
                        + "foo=2 other memory_hotplug.auto_movable_ratio=0x10 some.module=1 -- after init"));
        assertEquals(List.of("16"), seen);
    }

    @Test
    void nextArgKeepsQuotedBlanksAndDropsTheValueQuotesAndAnOpenQuoteRunsToTheEnd() {
        assertEquals(List.of(new BootParams.Arg("dyndbg", "a b"), new BootParams.Arg("x", null),
                        new BootParams.Arg("y", "1"), new BootParams.Arg("p", "a\"b  ")),
                BootParams.split("  dyndbg=\"a b\"  x \"y=1\" p=a\"b  "));
    }
}

package org.hotmem.mm;

import org.hotmem.kernel.Kernel;
import org.junit.jupiter.api.Test;

class BootDebugTest {
    @Test
    void dump() throws Exception {
        System.setProperty("hotmem.debugMemblock", "1");
        StringBuilder sum = new StringBuilder();
        for (RecordedBoot r : BootSizesMatchRecordingsTest.recordings()) {
            MemoryModel mm = MemoryModel.boot(r.e820(), new MmBootOptions(false, r.initrdBytes()), r.version(), Kernel.withSeed(1), null);
            StringBuilder sb = new StringBuilder();
            for (String l : mm.kernel().dmesg().lines()) sb.append(l.replaceFirst("^\\[\\s*[0-9.]+\\] ", "")).append('\n');
            String v = r.version()==KernelVersion.V6_1?"6.1":"6.12";
            java.nio.file.Files.writeString(java.nio.file.Path.of("/tmp/boot2/dbg/" + v + "-" + r.name() + ".log"), sb);
            sum.append(String.format("%-5s %-16s", v, r.name()));
            for (int zi = 0; zi < 3; zi++) sum.append(String.format(" %d", mm.node(0).zone(ZoneType.values()[zi]).managedPages() - r.managed()[zi]));
            sum.append('\n');
        }
        System.clearProperty("hotmem.debugMemblock");
        java.nio.file.Files.writeString(java.nio.file.Path.of("/tmp/boot2/dbg/summary.txt"), sum);
    }
}

package org.hotmem.mm;

import org.hotmem.kernel.Kernel;
import org.junit.jupiter.api.Test;

class BootDebugTest {
    static { System.setProperty("hotmem.debugMemblock", "1"); }
    @Test
    void dump() throws Exception {
        for (RecordedBoot r : BootSizesMatchRecordingsTest.recordings()) {
            MemoryModel mm = MemoryModel.boot(r.e820(), new MmBootOptions(false, r.initrdBytes()), r.version(), Kernel.withSeed(1), null);
            StringBuilder sb = new StringBuilder();
            for (String l : mm.kernel().dmesg().lines()) sb.append(l.replaceFirst("^\\[\\s*[0-9.]+\\] ", "")).append('\n');
            java.nio.file.Files.writeString(java.nio.file.Path.of("/tmp/boot/dbg/" + (r.version()==KernelVersion.V6_1?"6.1":"6.12") + "-" + r.name() + ".log"), sb);
        }
    }
}

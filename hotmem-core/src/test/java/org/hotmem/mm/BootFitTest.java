package org.hotmem.mm;

import java.util.List;
import org.hotmem.kernel.Kernel;
import org.junit.jupiter.api.Test;

class BootFitTest {
    @Test
    void fit() throws Exception {
        List<RecordedBoot> recs = BootSizesMatchRecordingsTest.recordings();
        StringBuilder out = new StringBuilder();
        String[] cands = java.nio.file.Files.readString(java.nio.file.Path.of("/tmp/boot2/cands.txt")).strip().split("\n");
        for (String c : cands) {
            System.setProperty("hotmem.fit", c);
            StringBuilder d = new StringBuilder();
            int bad = 0;
            for (RecordedBoot r : recs) {
                MemoryModel mm = MemoryModel.boot(r.e820(), new MmBootOptions(false, r.initrdBytes()), r.version(), Kernel.withSeed(1), null);
                long diff = 0;
                for (int zi = 0; zi < 3; zi++) diff += mm.node(0).zone(ZoneType.values()[zi]).managedPages() - r.managed()[zi];
                d.append(diff).append(' ');
                if (diff != 0) bad++;
            }
            out.append(String.format("%-40s bad=%2d %s%n", c, bad, d));
        }
        System.clearProperty("hotmem.fit");
        java.nio.file.Files.writeString(java.nio.file.Path.of("/tmp/boot2/fit.txt"), out);
    }
}

package org.hotmem.machine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.hotmem.kernel.SchedulingStrategy;
import org.hotmem.mm.Arch;
import org.hotmem.mm.KernelVersion;
import org.junit.jupiter.api.Test;

/** {@link Machine#builder()}: every input of a machine as a parameter, the factory methods as uses of it. */
class MachineBuilderTest {
    @Test
    void builderBootsTheSameMachineAsTheConfigFactory() {
        MachineConfig c = new MachineConfig("2G,slots=4,maxmem=8G", "memhp_default_state=offline",
                List.of("-object memory-backend-ram,id=m1,size=256M", "-device pc-dimm,id=d1,memdev=m1"), KernelVersion.V6_1, 7);
        Machine a = Machine.boot(c);
        Machine b = Machine.builder().memory("2G,slots=4,maxmem=8G").cmdline("memhp_default_state=offline")
                .qemu("-object memory-backend-ram,id=m1,size=256M").qemu(List.of("-device pc-dimm,id=d1,memdev=m1"))
                .kernel(KernelVersion.V6_1).seed(7).boot();
        assertEquals(c, b.config());
        assertEquals(a.drainKernelLog(), b.drainKernelLog());
        assertEquals(Arch.X86_64, b.mm().arch());
        assertEquals("6.1.0-56-amd64", b.kernel().release());
    }

    @Test
    void strategyAndHostAreParameters() {
        SchedulingStrategy rr = SchedulingStrategy.roundRobin();
        HostState host = new HostState();
        Machine m = Machine.builder().strategy(rr).host(host).boot();
        assertSame(rr, m.kernel().strategy());
        assertSame(host, m.host());
        assertEquals(MachineConfig.DEFAULT_MEMORY, m.config().memory());
        assertEquals(KernelVersion.V6_12, m.config().kernel());
    }

    @Test
    void theHostsDisksOutliveAMachineAndAFreshMachineBootsOnThem() {
        Path disk;
        try (HostState host = new HostState()) {
            disk = host.createDisk(64L << 20);
            assertEquals(List.of(disk), host.disks());
            String drive = "-drive file=" + disk + ",if=virtio,format=raw,id=swapdisk";
            Machine first = Machine.builder().memory("1G").qemu(drive).seed(3).host(host).boot();
            first.power().mkswap("/dev/vda");
            first.kernel().halt(); // powered off; the disk stays with the host
            assertTrue(first.poweredOff());
            Machine next = Machine.builder().memory("1G").qemu(drive).seed(4).host(host).boot();
            assertEquals(disk, next.power().blockDevices().get(0).file());
            next.power().swapon("/dev/vda"); // the swap area the first machine wrote is there
            assertTrue(Files.exists(disk));
        }
        assertFalse(Files.exists(disk), "close() deletes the disks the host created");
    }

    @Test
    void aMachineOfAnArchitectureWithoutAMachineTypeIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Machine.builder().arch(Arch.PPC64_PSERIES_64K).boot());
        assertTrue(e.getMessage().contains("ppc64le-pseries-64k"), e.getMessage());
    }
}

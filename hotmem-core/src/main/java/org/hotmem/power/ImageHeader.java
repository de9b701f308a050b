package org.hotmem.power;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.zip.CRC32;
import org.hotmem.mm.E820Entry;

/**
 * {@code struct swsusp_info} (kernel/power/power.h), the first page of the image, as x86-64 lays
 * it out: with CONFIG_ARCH_HIBERNATION_HEADER the utsname and version are replaced by
 * {@code struct restore_data_record} (arch/x86/power/hibernate.c: jump address, its physical
 * address, cr3, {@code RESTORE_MAGIC}, the CRC32 of the firmware e820 table), followed by
 * {@code num_physpages} (offset 400), {@code cpus} (408, unused), {@code image_pages} (416),
 * {@code pages} (424) and {@code size} (432). The rest of the page is zero.
 */
public record ImageHeader(long jumpAddress, long jumpAddressPhys, long cr3, long magic, long e820Checksum,
                   long numPhyspages, long imagePages, long pages) {
    /** RESTORE_MAGIC (arch/x86/power/hibernate.c). */
    static final long RESTORE_MAGIC = 0x23456789ABCDEF02L;

    byte[] toPage() {
        ByteBuffer b = ByteBuffer.allocate(PageContent.PAGE_SIZE).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(0, jumpAddress).putLong(8, jumpAddressPhys).putLong(16, cr3).putLong(24, magic).putLong(32, e820Checksum);
        b.putLong(400, numPhyspages).putLong(416, imagePages).putLong(424, pages).putLong(432, pages << 12);
        return b.array();
    }

    static ImageHeader of(byte[] page) {
        ByteBuffer b = ByteBuffer.wrap(page).order(ByteOrder.LITTLE_ENDIAN);
        return new ImageHeader(b.getLong(0), b.getLong(8), b.getLong(16), b.getLong(24), b.getLong(32),
                b.getLong(400), b.getLong(416), b.getLong(424));
    }

    /**
     * Models compute_e820_crc32(e820_table_firmware): the CRC32 of {@code struct e820_table}'s
     * used part (u32 nr_entries, then packed {u64 addr, u64 size, u32 type} entries).
     */
    static long e820Crc32(List<E820Entry> e820) {
        ByteBuffer b = ByteBuffer.allocate(4 + 20 * e820.size()).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(e820.size());
        for (E820Entry e : e820) {
            b.putLong(e.addr()).putLong(e.size()).putInt(e820TypeNumber(e));
        }
        CRC32 c = new CRC32();
        c.update(b.array());
        return c.getValue();
    }

    /** enum e820_type: RAM 1, RESERVED 2, ACPI 3, NVS 4, UNUSABLE 5, PRAM 12. */
    private static int e820TypeNumber(E820Entry e) {
        return e.type().value();
    }
}

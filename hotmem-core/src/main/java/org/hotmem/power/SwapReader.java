package org.hotmem.power;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import org.hotmem.kernel.Errno;
import org.hotmem.kernel.Kernel;
import org.hotmem.kernel.KernelException;
import org.hotmem.mm.KernelFeature;
import org.hotmem.mm.KernelVersion;
import org.hotmem.mm.MemoryModel;

/**
 * Reads an image back from a swap area in the boot kernel (swsusp_check() and swsusp_read() in
 * kernel/power/swap.c, snapshot_write_next() in kernel/power/snapshot.c): the signature, the
 * whole swap map, the header page and its checks, then the meta and data pages, decompressing
 * and checking lengths and the CRC32. Every saved page's token is rebuilt from the bytes alone.
 *
 * <p>Every failure prints what Linux prints and throws the errno the kernel returns; nothing of
 * the loader's memory is changed (the image is assembled aside, as the kernel keeps it in its
 * safe pages until the jump).
 */
public final class SwapReader {
    /** What was loaded: the header, the flags, and every saved pfn with its token. */
    public record LoadedImage(ImageHeader header, int flags, long[] pfns, long[] tokens, List<Long> unrecognisedPfns) {}

    private final Kernel kernel;
    private final KernelVersion version;
    private final SwapArea swap;
    private final String devName;
    private final HibernateCosts costs;
    private final List<byte[]> maps = new ArrayList<>();
    private int mapIndex;
    private int k;

    SwapReader(Kernel kernel, KernelVersion version, SwapArea swap, String devName, HibernateCosts costs) {
        this.kernel = kernel;
        this.version = version;
        this.swap = swap;
        this.devName = devName;
        this.costs = costs;
    }

    /**
     * Models swsusp_check(): true if the header page carries the hibernation signature, in which
     * case the original swap signature is written back at once (a failed resume is not retried
     * at the next boot). Returns the header's flags through {@code flags[0]}.
     */
    SwsuspHeader check() {
        byte[] hp = readOrEio(0);
        SwsuspHeader h = new SwsuspHeader(hp);
        if (!h.isHibernateSignature()) return null;
        kernel.dmesg().info("PM: Image signature found, resuming");
        byte[] copy = hp.clone();
        SwsuspHeader w = new SwsuspHeader(copy);
        w.restoreOrigSig();
        swap.writePage(0, copy, 0);
        swap.sync();
        return h;
    }

    /** Models swsusp_read(): the image, checked against the loader {@code mm} and its firmware map. */
    LoadedImage read(SwsuspHeader h, MemoryModel mm, long e820Crc) {
        int flags = h.flags();
        if (h.image() == 0) throw new KernelException(Errno.EINVAL);
        readMaps(h.image());
        byte[] headerPage = readPage();
        ImageHeader info = ImageHeader.of(headerPage);
        long n = info.pages() - 1;
        HibernateCompressor.Algorithm alg = (flags & SwsuspHeader.SF_COMPRESSION_ALG_LZ4) != 0
                && version.has(KernelFeature.HIBERNATE_COMPRESSOR_CHOICE) ? HibernateCompressor.Algorithm.LZ4 : HibernateCompressor.Algorithm.LZO;
        boolean nocompress = (flags & SwsuspHeader.SF_NOCOMPRESS_MODE) != 0;
        if (nocompress) {
            kernel.dmesg().info("PM: Loading image data pages (" + n + " pages)...");
        } else {
            if (version.has(KernelFeature.HIBERNATE_NAMED_COMPRESSOR_LINES)) kernel.dmesg().info("PM: Using 1 thread(s) for " + alg.name + " decompression");
            else kernel.dmesg().info("PM: Using 1 thread(s) for decompression");
            kernel.dmesg().info("PM: Loading and decompressing image data (" + n + " pages)...");
        }
        long start = kernel.now();
        Loader loader;
        try {
            checkHeader(kernel, info, mm, e820Crc); // load_header() on the first snapshot_write_next() of the loop
            loader = new Loader(kernel, version, info, mm);
            if (nocompress) loadImage(loader, n);
            else loadCompressedImage(loader, n, h, alg);
        } finally {
            Hibernation.showSpeed(kernel, start, kernel.now(), n, "Read");
        }
        return loader.loaded(info, flags);
    }

    /** get_swap_reader(): every swap-map page, following next_swap. */
    private void readMaps(long first) {
        long offset = first;
        while (offset != 0) {
            if (maps.size() > swap.lastPage()) {
                // model: Linux allocates a page per map entry until memory runs out on a cyclic map
                throw new KernelException(Errno.ENOMEM);
            }
            byte[] m = readOrEio(offset);
            maps.add(m);
            offset = ByteBuffer.wrap(m).order(ByteOrder.LITTLE_ENDIAN).getLong(SwapWriter.MAP_PAGE_ENTRIES * 8);
        }
        mapIndex = 0;
        k = 0;
    }

    /** swap_read_page(): the next page of the map; -EFAULT when the map has no entry there. */
    private byte[] readPage() {
        if (mapIndex >= maps.size()) throw new KernelException(Errno.EFAULT);
        long offset = ByteBuffer.wrap(maps.get(mapIndex)).order(ByteOrder.LITTLE_ENDIAN).getLong(k * 8);
        if (offset == 0) throw new KernelException(Errno.EFAULT);
        byte[] p = readOrEio(offset);
        if (++k >= SwapWriter.MAP_PAGE_ENTRIES) {
            k = 0;
            mapIndex++;
        }
        return p;
    }

    /** Whether the map has a further entry (handle->cur && handle->cur->entries[handle->k]). */
    private boolean moreMapped() {
        return mapIndex < maps.size()
                && ByteBuffer.wrap(maps.get(mapIndex)).order(ByteOrder.LITTLE_ENDIAN).getLong(k * 8) != 0;
    }

    private byte[] readOrEio(long slot) {
        if (slot < 0 || slot > swap.lastPage()) {
            kernel.dmesg().alert("Read-error on swap-device (" + devName + ":" + (slot * 8) + ")");
            throw new KernelException(Errno.EIO);
        }
        return swap.readPage(slot);
    }

    /** Models check_header() with x86's arch_hibernation_header_restore(). */
    static void checkHeader(Kernel kernel, ImageHeader info, MemoryModel mm, long e820Crc) {
        String reason = null;
        int err = -Errno.EPERM.number();
        if (info.magic() != ImageHeader.RESTORE_MAGIC) {
            kernel.dmesg().crit("Unrecognized hibernate image header format!");
            reason = "architecture specific data";
        } else if (info.e820Checksum() != e820Crc) {
            kernel.dmesg().crit("Hibernate inconsistent memory map detected!");
            reason = "architecture specific data";
        } else if (info.numPhyspages() != mm.totalPresentPages()) {
            reason = "memory size";
        }
        if (reason != null) {
            kernel.dmesg().err("PM: hibernation: Image mismatch: " + reason);
            throw new KernelException(Errno.fromNumber(-err));
        }
        if (info.pages() < 2 || info.imagePages() < 1 || info.imagePages() >= info.pages()) {
            throw new KernelException(Errno.ENOMEM); // model: nonsense counts fail the image memory allocation
        }
    }

    /** Models load_image(): page by page. */
    private void loadImage(Loader loader, long n) {
        long m = Math.max(1, n / 10);
        for (long i = 0; i < n; i++) {
            if (i % m == 0) kernel.dmesg().info(String.format("PM: Image loading progress: %3d%%", i / m * 10));
            loader.next(readPage(), 0);
            kernel.consume(costs.readNs(PageContent.PAGE_SIZE));
        }
        kernel.dmesg().info("PM: Image loading done");
        loader.finish();
    }

    /** Models load_compressed_image(). */
    private void loadCompressedImage(Loader loader, long n, SwsuspHeader h, HibernateCompressor.Algorithm alg) {
        int threads = 1;
        HibernateCompressor comp = new HibernateCompressor(alg);
        HibernateCompressor.Crc32Le crc = new HibernateCompressor.Crc32Le();
        byte[] cmp = new byte[HibernateCompressor.CMP_SIZE];
        byte[] unc = new byte[HibernateCompressor.UNC_SIZE];
        long m = Math.max(1, n / 10);
        long done = 0;
        boolean complete = false;
        while (!complete) {
            if (!moreMapped()) break; // end of data
            byte[] first = readPage();
            long cmpLen = ByteBuffer.wrap(first).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
            if (cmpLen <= 0 || cmpLen > HibernateCompressor.worstCompress(HibernateCompressor.UNC_SIZE)) {
                kernel.dmesg().err("PM: Invalid " + alg.name + " compressed length");
                throw new KernelException(Errno.EPERM);
            }
            int need = (int) ((cmpLen + HibernateCompressor.CMP_HEADER + PageContent.PAGE_SIZE - 1) / PageContent.PAGE_SIZE);
            System.arraycopy(first, 0, cmp, 0, PageContent.PAGE_SIZE);
            for (int p = 1; p < need; p++) {
                if (!moreMapped()) throw new KernelException(Errno.EPERM); // ret = -1: the chunk is cut short
                System.arraycopy(readPage(), 0, cmp, p * PageContent.PAGE_SIZE, PageContent.PAGE_SIZE);
            }
            int uncLen = comp.decompress(cmp, HibernateCompressor.CMP_HEADER, (int) cmpLen, unc);
            if (uncLen < 0) {
                kernel.dmesg().err("PM: " + alg.name + " decompression failed");
                throw new KernelException(Errno.EPERM);
            }
            if (uncLen == 0 || uncLen > HibernateCompressor.UNC_SIZE || (uncLen & (PageContent.PAGE_SIZE - 1)) != 0) {
                kernel.dmesg().err("PM: Invalid " + alg.name + " uncompressed length");
                throw new KernelException(Errno.EPERM);
            }
            crc.update(unc, 0, uncLen);
            kernel.consume(costs.readNs((long) need * PageContent.PAGE_SIZE) + costs.decompressNs(uncLen) / threads);
            for (int off = 0; off < uncLen; off += PageContent.PAGE_SIZE) {
                if (done % m == 0) kernel.dmesg().info(String.format("PM: Image loading progress: %3d%%", done / m * 10));
                done++;
                if (!loader.next(unc, off)) {
                    complete = true;
                    break;
                }
            }
        }
        kernel.dmesg().info("PM: Image loading done");
        loader.finish();
        if ((h.flags() & SwsuspHeader.SF_CRC32_MODE) != 0 && crc.value() != h.crc32()) {
            kernel.dmesg().err("PM: Invalid image CRC32!");
            throw new KernelException(Errno.ENODATA);
        }
    }

    /**
     * The restore side of snapshot_write_next() after the header: meta pages give the pfns
     * (each must be valid and inside the loader's bitmaps), data pages their tokens, zero pages
     * need no data.
     */
    static final class Loader {
        private final Kernel kernel;
        private final KernelVersion version;
        final long[] pfns;
        final long[] tokens;
        final List<Long> unrecognised = new ArrayList<>();
        private final BitSet zero = new BitSet();
        private final byte[] scratch = new byte[PageContent.PAGE_SIZE];
        private final int metaPages;
        private final long copyPages;
        private final MemoryModel mm;
        private final Snapshot bitmaps;
        private int nPfns;
        private int metaSeen;
        private int nextData;
        private boolean ended;

        Loader(Kernel kernel, KernelVersion version, ImageHeader info, MemoryModel mm) {
            this.kernel = kernel;
            this.version = version;
            this.mm = mm;
            this.bitmaps = new Snapshot(mm);
            this.copyPages = info.imagePages();
            this.metaPages = (int) (info.pages() - info.imagePages() - 1);
            long cap = (long) metaPages * Snapshot.ENTRIES_PER_META_PAGE;
            if (metaPages < 1 || cap > Integer.MAX_VALUE - 8) throw new KernelException(Errno.ENOMEM);
            this.pfns = new long[(int) cap];
            this.tokens = new long[(int) cap];
        }

        /** One page of the stream after the header; false once every expected page arrived. */
        boolean next(byte[] buf, int off) {
            if (metaSeen < metaPages) {
                unpackPfns(buf, off);
                if (++metaSeen == metaPages) prepareImage();
                return true;
            }
            while (nextData < nPfns && zero.get(nextData)) nextData++;
            if (nextData >= nPfns) return false;
            long t = PageContent.tokenField(buf, off);
            if (!PageContent.isPageOf(buf, off, scratch)) unrecognised.add(pfns[nextData]);
            tokens[nextData++] = t;
            while (nextData < nPfns && zero.get(nextData)) nextData++;
            return nextData < nPfns;
        }

        /** Models unpack_orig_pfns(). */
        private void unpackPfns(byte[] buf, int off) {
            if (ended) return;
            ByteBuffer b = ByteBuffer.wrap(buf, off, PageContent.PAGE_SIZE).order(ByteOrder.LITTLE_ENDIAN);
            for (int j = 0; j < Snapshot.ENTRIES_PER_META_PAGE; j++) {
                long e = b.getLong(off + j * 8);
                if (e == Snapshot.END_OF_MAP) {
                    ended = true;
                    return;
                }
                boolean zeroFlag = version.has(KernelFeature.HIBERNATE_ZERO_PAGES);
                boolean isZero = zeroFlag && (e & Snapshot.PFN_ZERO_FLAG) != 0;
                long pfn = zeroFlag ? e & ~Snapshot.PFN_ZERO_FLAG : e;
                if (!mm.pfnValid(pfn) || !bitmaps.covered(pfn)) {
                    if (!mm.pfnValid(pfn)) {
                        kernel.dmesg().err(String.format("[Firmware Bug]: Memory map mismatch at 0x%x after hibernation",
                                pfn * mm.arch().pageSize()));
                    }
                    throw new KernelException(Errno.EFAULT);
                }
                add(pfn, isZero);
            }
        }

        /** memory_bm_set_bit() on copy_bm (and zero_bm): a set of pfns handed out in ascending order. */
        private void add(long pfn, boolean isZero) {
            int i = java.util.Arrays.binarySearch(pfns, 0, nPfns, pfn);
            if (i >= 0) {
                if (isZero) zero.set(i);
                return;
            }
            int at = -i - 1;
            System.arraycopy(pfns, at, pfns, at + 1, nPfns - at);
            BitSet shifted = zero.get(at, nPfns).isEmpty() ? null : zero.get(at, nPfns);
            zero.clear(at, nPfns + 1);
            if (shifted != null) for (int s = shifted.nextSetBit(0); s >= 0; s = shifted.nextSetBit(s + 1)) zero.set(at + 1 + s);
            pfns[at] = pfn;
            if (isZero) zero.set(at);
            nPfns++;
        }

        /** Models prepare_image(): the loader must find room for every image page. */
        private void prepareImage() {
            if (mm.totalFreePages() < copyPages + Snapshot.PAGES_FOR_IO) throw new KernelException(Errno.ENOMEM);
        }

        /** Models snapshot_write_finalize() + snapshot_image_loaded(). */
        void finish() {
            if (metaSeen < metaPages || nextData < nPfns || nPfns - zero.cardinality() != copyPages) {
                throw new KernelException(Errno.ENODATA);
            }
        }

        /** Every pfn loaded so far with its token. */
        LoadedImage loaded(ImageHeader info, int flags) {
            return new LoadedImage(info, flags, java.util.Arrays.copyOf(pfns, nPfns), java.util.Arrays.copyOf(tokens, nPfns), unrecognised);
        }

        @Override public String toString() { return "image loader, " + nPfns + " pfns"; }
    }
}

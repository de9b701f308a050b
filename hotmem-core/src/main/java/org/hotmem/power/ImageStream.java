package org.hotmem.power;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The image as snapshot_read_next() hands it out, page by page: page 0 the header
 * ({@link ImageHeader}), pages 1..nr_meta_pages the packed pfn list (8 bytes per saved page in
 * pfn order, bit 63 set for an all-zero page on 6.12, {@code BM_END_OF_MAP} after the last
 * entry, the rest of the last meta page left as the previous meta page had it, since the kernel
 * reuses one buffer), then one page per non-zero saved page, its bytes synthesised from the token
 * ({@link PageContent}).
 */
final class ImageStream {
    private final Snapshot s;
    private final byte[] header;
    private final int metaPages;
    /** Index into the snapshot of the k-th data page. */
    private final int[] dataIndex;
    private final byte[] metaBuf = new byte[PageContent.PAGE_SIZE];
    private int metaBufPage = 0;

    ImageStream(Snapshot s, ImageHeader header) {
        this.s = s;
        this.header = header.toPage();
        this.metaPages = s.nrMetaPages();
        this.dataIndex = new int[s.nrCopyPages];
        for (int i = 0, d = 0; i < s.pfns.length; i++) if (!s.zero.get(i)) dataIndex[d++] = i;
    }

    long pages() { return 1L + metaPages + dataIndex.length; }

    byte[] page(long i) {
        byte[] p = new byte[PageContent.PAGE_SIZE];
        fill(i, p, 0);
        return p;
    }

    /** Writes page {@code i} of the stream into {@code out[off..off+4096)}; pages are asked for in order. */
    void fill(long i, byte[] out, int off) {
        if (i == 0) {
            System.arraycopy(header, 0, out, off, header.length);
        } else if (i <= metaPages) {
            packPfns((int) i);
            System.arraycopy(metaBuf, 0, out, off, metaBuf.length);
        } else {
            PageContent.fill(s.tokens[dataIndex[(int) (i - 1 - metaPages)]], out, off);
        }
    }

    /** Models pack_pfns() into the reused buffer for meta page {@code page} (1-based). */
    private void packPfns(int page) {
        if (page == metaBufPage) return;
        metaBufPage = page;
        ByteBuffer b = ByteBuffer.wrap(metaBuf).order(ByteOrder.LITTLE_ENDIAN);
        int first = (page - 1) * Snapshot.ENTRIES_PER_META_PAGE;
        for (int j = 0; j < Snapshot.ENTRIES_PER_META_PAGE; j++) {
            int i = first + j;
            if (i >= s.pfns.length) {
                b.putLong(j * 8, Snapshot.END_OF_MAP);
                break;
            }
            b.putLong(j * 8, s.zero.get(i) ? s.pfns[i] | Snapshot.PFN_ZERO_FLAG : s.pfns[i]);
        }
    }
}

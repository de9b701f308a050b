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

    /** Writes page {@code i} of the stream into {@code out[off..off+4096)}. Stateless: safe from several threads. */
    void fill(long i, byte[] out, int off) {
        if (i == 0) {
            System.arraycopy(header, 0, out, off, header.length);
        } else if (i <= metaPages) {
            packPfns((int) i, out, off);
        } else {
            PageContent.fill(s.tokens[dataIndex[(int) (i - 1 - metaPages)]], out, off);
        }
    }

    /**
     * Models pack_pfns() for meta page {@code page} (1-based). The kernel packs into one reused,
     * initially zeroed buffer, so after BM_END_OF_MAP the last page still holds the previous
     * meta page's entries at those positions.
     */
    private void packPfns(int page, byte[] out, int off) {
        ByteBuffer b = ByteBuffer.wrap(out, off, PageContent.PAGE_SIZE).order(ByteOrder.LITTLE_ENDIAN);
        int first = (page - 1) * Snapshot.ENTRIES_PER_META_PAGE;
        for (int j = 0; j < Snapshot.ENTRIES_PER_META_PAGE; j++) {
            int i = first + j;
            long e;
            if (i < s.pfns.length) e = entry(i);
            else if (i == s.pfns.length) e = Snapshot.END_OF_MAP;
            else e = page > 1 ? entry(i - Snapshot.ENTRIES_PER_META_PAGE) : 0;
            b.putLong(off + j * 8, e);
        }
    }

    private long entry(int i) {
        return s.zero.get(i) ? s.pfns[i] | Snapshot.PFN_ZERO_FLAG : s.pfns[i];
    }
}

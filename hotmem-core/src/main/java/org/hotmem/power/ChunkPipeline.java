package org.hotmem.power;

import java.util.ArrayDeque;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Host-side work of the compressed image write, done ahead on the host's cores: chunk c holds
 * the stream's pages [1 + 32c, 1 + 32c + 32) synthesised and compressed. The image writer takes
 * the chunks strictly in order and does everything the guest can see (the CRC, the progress
 * lines, the writes, virtual time) itself, so the result does not depend on how the host
 * threads interleave. Small images are done inline.
 *
 * <p>Invariant: at most {@code window} chunks are in flight; {@code pending} holds their
 * futures in chunk order. Used by one writer thread; the workers only read the (immutable)
 * image stream and fill their own chunk's buffers.
 */
final class ChunkPipeline implements AutoCloseable {
    /** One chunk's buffers and results. */
    static final class Chunk {
        final byte[] unc = new byte[HibernateCompressor.UNC_SIZE];
        final byte[] cmp = new byte[HibernateCompressor.CMP_SIZE];
        int uncLen;
        int cmpLen;
    }

    private static final int INLINE_BELOW_CHUNKS = 64;

    private final ImageStream image;
    private final HibernateCompressor.Algorithm alg;
    private final long pages;
    private final int chunks;
    private final ExecutorService pool;
    private final ThreadLocal<HibernateCompressor> compressors;
    private final ArrayDeque<Future<Chunk>> pending = new ArrayDeque<>();
    private final ArrayDeque<Chunk> free = new ArrayDeque<>();
    private final int window;
    private int next;

    /** @param pages the stream pages after the header (1..pages) */
    ChunkPipeline(ImageStream image, HibernateCompressor.Algorithm alg, long pages) {
        this.image = image;
        this.alg = alg;
        this.pages = pages;
        this.chunks = (int) ((pages + HibernateCompressor.UNC_PAGES - 1) / HibernateCompressor.UNC_PAGES);
        int workers = Math.max(1, Runtime.getRuntime().availableProcessors());
        this.pool = chunks < INLINE_BELOW_CHUNKS ? null : Executors.newFixedThreadPool(workers, r -> {
            Thread t = new Thread(r, "hotmem-image-compress");
            t.setDaemon(true);
            return t;
        });
        this.compressors = ThreadLocal.withInitial(() -> new HibernateCompressor(alg));
        this.window = pool == null ? 1 : 2 * workers;
        for (int i = 0; i <= window; i++) free.add(new Chunk());
    }

    int chunks() { return chunks; }

    /** The next chunk in order, synthesised and compressed. */
    Chunk take() {
        while (pending.size() < window && next < chunks) submit(next++);
        try {
            return pending.removeFirst().get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while compressing the image", e);
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException("image compression failed", e.getCause());
        }
    }

    /** Gives a taken chunk's buffers back. */
    void release(Chunk c) { free.add(c); }

    private void submit(int c) {
        Chunk ch = free.removeFirst();
        if (pool == null) {
            pending.add(java.util.concurrent.CompletableFuture.completedFuture(build(c, ch)));
        } else {
            pending.add(pool.submit(() -> build(c, ch)));
        }
    }

    private Chunk build(int c, Chunk ch) {
        long first = 1 + (long) c * HibernateCompressor.UNC_PAGES;
        int n = (int) Math.min(HibernateCompressor.UNC_PAGES, pages + 1 - first);
        for (int i = 0; i < n; i++) image.fill(first + i, ch.unc, i * PageContent.PAGE_SIZE);
        ch.uncLen = n * PageContent.PAGE_SIZE;
        ch.cmpLen = compressors.get().compress(ch.unc, ch.uncLen, ch.cmp, HibernateCompressor.CMP_HEADER);
        return ch;
    }

    @Override public void close() {
        if (pool != null) pool.shutdownNow();
    }
}

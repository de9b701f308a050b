package org.hotmem.bench;

import io.airlift.compress.v3.lzo.LzoCompressor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import net.jpountz.lz4.LZ4Factory;
import org.hotmem.mm.KernelVersion;
import org.hotmem.power.ImageFiles;
import org.hotmem.power.SwapArea;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Writing the hibernation image of a multi-GiB guest ({@code pages} saved pages, default 2 GiB:
 * kernel pages, user pages and a share of zero pages, their bytes synthesised from the tokens)
 * to a real swap file, against compressing the same bytes raw (LZ4 and LZO blocks of 128 KiB, on
 * all cores, no synthesis, no CRC, no I/O). Throughput = uncompressed image bytes / time; the
 * README records the figures and the compression ratio.
 *
 * <p>Run: {@code ./bench HibernationImage}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xmx8g", "--sun-misc-unsafe-memory-access=allow"})
@Warmup(iterations = 2)
@Measurement(iterations = 5)
public class HibernationImageBenchmark {
    @Param({"524288"})
    public int pages;

    private long[] pfns;
    private long[] tokens;
    private byte[][] chunks;
    private Path swap;
    private ExecutorService pool;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        SplittableRandom r = new SplittableRandom(42);
        pfns = new long[pages];
        tokens = new long[pages];
        for (int i = 0; i < pages; i++) {
            pfns[i] = 0x1000 + i;
            int kind = r.nextInt(100);
            tokens[i] = kind < 8 ? 0 : kind < 30 ? 0x6b65726e00000000L | r.nextInt(1 << 30) : r.nextLong() | 1;
        }
        int nonZero = 0;
        for (long t : tokens) if (t != 0) nonZero++;
        chunks = new byte[(nonZero + 31) / 32][];
        int c = 0;
        int k = 0;
        for (long t : tokens) {
            if (t == 0) continue;
            if (chunks[c] == null) chunks[c] = new byte[Math.min(32, nonZero - c * 32) * 4096];
            ImageFiles.pageBytes(t, chunks[c], k * 4096);
            if (++k == 32) {
                k = 0;
                c++;
            }
        }
        swap = Files.createTempFile("hotmem-bench-swap", ".img");
        SwapArea.createImage(swap, (long) pages * 4096 + (256L << 20));
        pool = Executors.newFixedThreadPool(Runtime.getRuntime().availableProcessors());
    }

    @Setup(Level.Invocation)
    public void freshSwap() {
        SwapArea.mkswap(swap, 0, new byte[16]);
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
        pool.shutdownNow();
        Files.deleteIfExists(swap);
    }

    /** The whole image write of hotmem (hibernate.compressor=lz4): synthesis, LZ4, CRC32, swap map, file writes. */
    @Benchmark
    public ImageFiles.Written imageWriteLz4() {
        return ImageFiles.write(swap, pfns, tokens, "lz4", KernelVersion.V6_12);
    }

    /** The same with the default LZO. */
    @Benchmark
    public ImageFiles.Written imageWriteLzo() {
        return ImageFiles.write(swap, pfns, tokens, "lzo", KernelVersion.V6_12);
    }

    /** Raw LZ4 of the same (already synthesised) bytes, 128 KiB blocks on all cores. */
    @Benchmark
    public long rawLz4() throws Exception {
        return parallel(chunk -> {
            byte[] out = new byte[chunk.length + chunk.length / 255 + 16];
            return LZ4Factory.safeInstance().fastCompressor().compress(chunk, 0, chunk.length, out, 0, out.length);
        });
    }

    /** Raw LZO of the same bytes. */
    @Benchmark
    public long rawLzo() throws Exception {
        ThreadLocal<LzoCompressor> lzo = ThreadLocal.withInitial(LzoCompressor::new);
        return parallel(chunk -> {
            byte[] out = new byte[chunk.length + chunk.length / 16 + 64 + 3];
            return lzo.get().compress(chunk, 0, chunk.length, out, 0, out.length);
        });
    }

    private long parallel(java.util.function.ToIntFunction<byte[]> f) throws Exception {
        int workers = Runtime.getRuntime().availableProcessors();
        Future<?>[] fs = new Future<?>[workers];
        long[] sums = new long[workers];
        for (int w = 0; w < workers; w++) {
            int id = w;
            fs[w] = pool.submit(() -> {
                for (int c = id; c < chunks.length; c += workers) sums[id] += f.applyAsInt(chunks[c]);
            });
        }
        long total = 0;
        for (int w = 0; w < workers; w++) {
            fs[w].get();
            total += sums[w];
        }
        return total;
    }
}

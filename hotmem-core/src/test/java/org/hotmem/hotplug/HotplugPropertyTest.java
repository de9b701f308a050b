package org.hotmem.hotplug;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.stream.LongStream;
import java.util.stream.Stream;

import org.hotmem.kernel.SchedulingStrategy;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Seeded property tests of memory hotplug under concurrency ({@link HotplugPropertyCase}).
 * {@code -Dhotmem.prop.seed=N} reruns the one case of seed N (a failure prints it);
 * {@code -Dhotmem.prop.cases=K} runs K cases instead of the default, from seed
 * {@code -Dhotmem.prop.first=F} (default 1000).
 */
class HotplugPropertyTest {
    static final long FIRST_SEED = 1000;
    static final int DEFAULT_CASES = 200;

    static long[] seeds() {
        String one = System.getProperty("hotmem.prop.seed");
        if (one != null && !one.isBlank()) {
            return new long[] {Long.parseLong(one.strip())};
        }
        int n = Integer.getInteger("hotmem.prop.cases", DEFAULT_CASES);
        long first = Long.getLong("hotmem.prop.first", FIRST_SEED);
        return LongStream.range(first, first + n).toArray();
    }

    static HotplugPropertyCase.Outcome runCase(long seed) {
        return new HotplugPropertyCase(HotplugPropertyCase.Params.of(seed), SchedulingStrategy.random(seed)).run();
    }

    @TestFactory
    Stream<DynamicTest> concurrentHotplugKeepsInvariantsShadowStatesAndOwnersTokens() {
        return LongStream.of(seeds()).mapToObj(seed -> DynamicTest.dynamicTest(
                HotplugPropertyCase.Params.of(seed).toString(), () -> runCase(seed)));
    }

    @Test
    void replayingARecordedScheduleReproducesTheSameTraceAndResults() {
        // seed 1000: shells stuck offlining blocks with long-term pinned pages get Ctrl-C (EINTR)
        long seed = FIRST_SEED;
        HotplugPropertyCase.Outcome first = runCase(seed);
        HotplugPropertyCase.Outcome again = new HotplugPropertyCase(HotplugPropertyCase.Params.of(seed),
                SchedulingStrategy.replay(first.schedule())).run();
        assertTrue(first.schedule().length > 1000, "the case made only " + first.schedule().length + " decisions");
        assertTrue(first.results().stream().anyMatch(r -> r.endsWith("EINTR")), first.results().toString());
        assertArrayEquals(first.schedule(), again.schedule());
        assertEquals(first.results(), again.results());
        assertEquals(first.trace(), again.trace());
    }
}

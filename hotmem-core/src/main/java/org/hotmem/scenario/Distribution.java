package org.hotmem.scenario;

import java.util.SplittableRandom;

/**
 * A seeded distribution of non-negative longs (bytes or nanoseconds): a fixed value, uniform
 * between two bounds, exponential with a mean, or normal (truncated at zero). Written in a
 * scenario as a plain value ({@code 2M}) or a mapping ({@code {dist: exponential, mean: 10m}}).
 * Sampling draws from the caller's {@link SplittableRandom}, so the sequence is a function of the
 * run's seed.
 */
public sealed interface Distribution {
    long sample(SplittableRandom rnd);

    /** The expected value, for reports. */
    long mean();

    /** A value no sample exceeds (fixed, uniform), or a generous bound (mean + 5 spreads). */
    long upper();

    /** Always the same value. */
    record Fixed(long value) implements Distribution {
        public long sample(SplittableRandom rnd) { return value; }
        public long mean() { return value; }
        public long upper() { return value; }
    }

    /** Uniform in [min, max]. */
    record Uniform(long min, long max) implements Distribution {
        public long sample(SplittableRandom rnd) { return min == max ? min : rnd.nextLong(min, max + 1); }
        public long mean() { return min + (max - min) / 2; }
        public long upper() { return max; }
    }

    /** Exponential with the given mean (memoryless lifetimes). */
    record Exponential(long mean) implements Distribution {
        public long sample(SplittableRandom rnd) {
            double u = rnd.nextDouble();
            return (long) (-Math.log1p(-u) * mean);
        }

        public long upper() { return 6 * mean; }
    }

    /** Normal, truncated at zero. */
    record Normal(long mean, long stddev) implements Distribution {
        public long sample(SplittableRandom rnd) {
            // Box-Muller from two uniforms: deterministic given the generator state.
            double u1 = 1.0 - rnd.nextDouble();
            double u2 = rnd.nextDouble();
            double z = Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
            return Math.max(0, Math.round(mean + z * stddev));
        }

        public long upper() { return mean + 5 * stddev; }
    }

    /** Parses a scalar (fixed) or a {@code {dist: ...}} mapping; {@code unit} is "size" or "duration". */
    static Distribution parse(Node n, boolean duration) {
        if (n.isScalar()) return new Fixed(value(n, duration));
        Fields f = Fields.of(n, "a value or a distribution {dist: fixed|uniform|exponential|normal, ...}");
        String dist = f.requireString("dist", "fixed, uniform, exponential or normal");
        Distribution d = switch (dist) {
            case "fixed" -> new Fixed(value(f.require("value", "the value"), duration));
            case "uniform" -> {
                long min = value(f.require("min", "the lower bound"), duration);
                long max = value(f.require("max", "the upper bound"), duration);
                if (max < min) throw n.error("uniform: max is below min");
                yield new Uniform(min, max);
            }
            case "exponential" -> new Exponential(value(f.require("mean", "the mean"), duration));
            case "normal" -> new Normal(value(f.require("mean", "the mean"), duration),
                    value(f.require("stddev", "the standard deviation"), duration));
            default -> throw f.get("dist").error("expected fixed, uniform, exponential or normal, got \"" + dist + "\"");
        };
        f.done();
        return d;
    }

    private static long value(Node n, boolean duration) {
        return duration ? Quantities.duration(n) : Quantities.size(n);
    }
}

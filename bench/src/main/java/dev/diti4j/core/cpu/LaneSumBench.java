package dev.diti4j.core.cpu;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The price of a fixed-order horizontal sum, side by side in one run: 1,024 segments of
 * {@code len} floats, each summed the way GroupNorm sums one channel (a SIMD accumulator, then one
 * horizontal reduction, then the scalar tail), once with {@link Lanes#sum} (fixed order, what the
 * kernel uses) and once with {@code reduceLanes(ADD)} (order left to the JIT). {@code len} 16, 64
 * and 256 are channels of 4x4, 8x8 and 16x16 images. Scores are microseconds per 1,024 sums. This
 * class sits in the kernel's package to reach {@link Lanes}, which is not public.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 4, time = 1)
@Measurement(iterations = 6, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class LaneSumBench {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int SEGMENTS = 1024;

    /** Floats per sum. */
    @Param({"16", "64", "256"})
    public int len;

    private float[] x;

    @Setup
    public void setUp() {
        SplittableRandom rng = new SplittableRandom(3);
        x = new float[SEGMENTS * len];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) rng.nextGaussian();
        }
    }

    @Benchmark
    public float fixedOrder() {
        float total = 0f;
        for (int s = 0; s < SEGMENTS; s++) {
            int o = s * len;
            FloatVector acc = FloatVector.zero(S);
            int i = 0;
            for (int end = S.loopBound(len); i < end; i += S.length()) {
                acc = acc.add(FloatVector.fromArray(S, x, o + i));
            }
            float t = Lanes.sum(acc);
            for (; i < len; i++) {
                t += x[o + i];
            }
            total += t;
        }
        return total;
    }

    @Benchmark
    public float reduceLanes() {
        float total = 0f;
        for (int s = 0; s < SEGMENTS; s++) {
            int o = s * len;
            FloatVector acc = FloatVector.zero(S);
            int i = 0;
            for (int end = S.loopBound(len); i < end; i += S.length()) {
                acc = acc.add(FloatVector.fromArray(S, x, o + i));
            }
            float t = acc.reduceLanes(VectorOperators.ADD);
            for (; i < len; i++) {
                t += x[o + i];
            }
            total += t;
        }
        return total;
    }
}

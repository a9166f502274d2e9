package dev.diti4j.bench;

import dev.diti4j.core.cpu.Gemm;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
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
 * Square single-precision GEMM, C (n, n) = A (n, n) B (n, n), on every thread of the CPU backend.
 * The primary score is products per second; the secondary {@code gflop} score is GFLOP/s
 * (2 n^3 floating-point operations per product).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 4, time = 1)
@Measurement(iterations = 6, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED",
        "-Xms2g", "-Xmx4g"})
public class GemmBench {
    /** Matrix size. */
    @Param({"256", "512", "1024", "2048"})
    public int n;

    private float[] a;
    private float[] b;
    private float[] c;

    @Setup
    public void setUp() {
        SplittableRandom rng = new SplittableRandom(1);
        a = BenchData.gaussian(rng, n * n);
        b = BenchData.gaussian(rng, n * n);
        c = new float[n * n];
    }

    @Benchmark
    public float[] sgemm(Flops flops) {
        Gemm.sgemm(false, false, n, n, n, a, 0, n, b, 0, n, c, 0, n, false);
        flops.gflop += 2.0 * n * n * n * 1e-9;
        return c;
    }
}

package dev.diti4j.bench;

import dev.diti4j.core.backend.Backend;
import dev.diti4j.core.backend.Backends;
import dev.diti4j.core.backend.Storage;
import dev.diti4j.core.ops.GroupNormSpec;
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
 * The GroupNorm kernel alone, forward and backward, on the activation shapes of the tiny and small
 * U-Net presets and one large one. Small spatial sizes (4x4, 8x8) are where the kernel's
 * per-channel horizontal sums weigh most: one reduction of a SIMD register per 16 or 64 values.
 * Scores are microseconds per call.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 4, time = 1)
@Measurement(iterations = 6, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED",
        "-Xms2g", "-Xmx4g"})
public class GroupNormBench {
    /** N x C x H x W of the activation, then the number of groups. */
    @Param({"8x8x16x16/4", "32x16x16x16/8", "32x32x8x8/8", "32x64x4x4/8", "32x128x16x16/32"})
    public String shape;

    private Backend be;
    private GroupNormSpec spec;
    private Storage x;
    private Storage gamma;
    private Storage beta;
    private Storage y;
    private Storage mean;
    private Storage rstd;
    private Storage gy;
    private Storage gx;
    private Storage gGamma;
    private Storage gBeta;

    @Setup
    public void setUp() {
        String[] sg = shape.split("/");
        String[] d = sg[0].split("x");
        int n = Integer.parseInt(d[0]);
        int c = Integer.parseInt(d[1]);
        int spatial = Integer.parseInt(d[2]) * Integer.parseInt(d[3]);
        int groups = Integer.parseInt(sg[1]);
        spec = new GroupNormSpec(n, c, spatial, groups, 1e-5f);
        int numel = n * c * spatial;
        be = Backends.cpu();
        SplittableRandom rng = new SplittableRandom(11);
        x = upload(BenchData.gaussian(rng, numel));
        gy = upload(BenchData.gaussian(rng, numel));
        float[] g = BenchData.gaussian(rng, c);
        for (int i = 0; i < c; i++) {
            g[i] = 1f + 0.1f * g[i];
        }
        gamma = upload(g);
        beta = upload(BenchData.gaussian(rng, c));
        y = be.allocate(numel);
        gx = be.allocate(numel);
        mean = be.allocate((long) n * groups);
        rstd = be.allocate((long) n * groups);
        gGamma = be.allocate(c);
        gBeta = be.allocate(c);
        be.groupNorm(spec, x, gamma, beta, y, mean, rstd);
    }

    private Storage upload(float[] v) {
        return be.upload(v, v.length);
    }

    @Benchmark
    public Storage forward() {
        be.groupNorm(spec, x, gamma, beta, y, mean, rstd);
        return y;
    }

    /** The gradients of x, gamma and beta from the statistics the forward pass saved. */
    @Benchmark
    public Storage backward() {
        be.groupNormBackward(spec, x, gamma, mean, rstd, gy, gx, gGamma, gBeta);
        return gx;
    }
}

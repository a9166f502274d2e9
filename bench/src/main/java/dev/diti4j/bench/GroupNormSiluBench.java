package dev.diti4j.bench;

import dev.diti4j.core.backend.Backend;
import dev.diti4j.core.backend.Backends;
import dev.diti4j.core.backend.Storage;
import dev.diti4j.core.ops.GroupNormSpec;
import dev.diti4j.core.ops.UnaryOp;
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
 * GroupNorm (32 groups, affine) followed by SiLU on a U-Net activation, through the CPU
 * backend: {@code forward} is h = silu(groupNorm(x)); {@code forwardBackward} adds the
 * gradients of x, gamma and beta for an incoming gradient of h. Scores are calls per second
 * (the comparison script turns them into milliseconds per call).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 4, time = 1)
@Measurement(iterations = 6, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED",
        "-Xms2g", "-Xmx4g"})
public class GroupNormSiluBench {
    /** N x C x H x W of the activation. */
    @Param({"32x128x16x16"})
    public String shape;

    private Backend be;
    private GroupNormSpec spec;
    private long numel;
    private Storage x;
    private Storage gamma;
    private Storage beta;
    private Storage normed;
    private Storage mean;
    private Storage rstd;
    private Storage h;
    private Storage gh;
    private Storage gNormed;
    private Storage gx;
    private Storage gGamma;
    private Storage gBeta;

    @Setup
    public void setUp() {
        String[] d = shape.split("x");
        int n = Integer.parseInt(d[0]);
        int c = Integer.parseInt(d[1]);
        int spatial = Integer.parseInt(d[2]) * Integer.parseInt(d[3]);
        spec = new GroupNormSpec(n, c, spatial, 32, 1e-5f);
        numel = (long) n * c * spatial;
        be = Backends.cpu();
        SplittableRandom rng = new SplittableRandom(5);
        x = upload(BenchData.gaussian(rng, (int) numel));
        float[] ones = new float[c];
        java.util.Arrays.fill(ones, 1f);
        gamma = upload(ones);
        beta = upload(new float[c]);
        gh = upload(BenchData.gaussian(rng, (int) numel));
        normed = be.allocate(numel);
        h = be.allocate(numel);
        gNormed = be.allocate(numel);
        gx = be.allocate(numel);
        mean = be.allocate((long) n * 32);
        rstd = be.allocate((long) n * 32);
        gGamma = be.allocate(c);
        gBeta = be.allocate(c);
    }

    private Storage upload(float[] v) {
        return be.upload(v, v.length);
    }

    @Benchmark
    public Storage forward() {
        be.groupNorm(spec, x, gamma, beta, normed, mean, rstd);
        be.unary(UnaryOp.SILU, normed, h, numel);
        return h;
    }

    @Benchmark
    public Storage forwardBackward() {
        be.groupNorm(spec, x, gamma, beta, normed, mean, rstd);
        be.unary(UnaryOp.SILU, normed, h, numel);
        be.unaryBackward(UnaryOp.SILU, normed, h, gh, gNormed, numel);
        be.groupNormBackward(spec, x, gamma, mean, rstd, gNormed, gx, gGamma, gBeta);
        return gx;
    }
}

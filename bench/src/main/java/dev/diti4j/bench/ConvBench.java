package dev.diti4j.bench;

import dev.diti4j.core.backend.Backend;
import dev.diti4j.core.backend.Backends;
import dev.diti4j.core.backend.Storage;
import dev.diti4j.core.ops.Conv2dSpec;
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
 * 3x3 convolution, stride 1, padding 1, with bias, on the CPU backend: the U-Net's three conv
 * shapes at batch 32. {@code forward} is y = conv(x, w) + b; {@code forwardBackward} adds the
 * input gradient and the filter and bias gradients, as one training step does. The secondary
 * {@code gflop} score is GFLOP/s: 2 N Cout H W Cin 9 per forward, three times that per
 * forward+backward.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 4, time = 1)
@Measurement(iterations = 6, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED",
        "-Xms2g", "-Xmx4g"})
public class ConvBench {
    /** N x C x H x W of the input; the convolution maps C channels to C channels. */
    @Param({"32x64x32x32", "32x128x16x16", "32x128x8x8"})
    public String shape;

    private Backend be;
    private Conv2dSpec spec;
    private Storage x;
    private Storage w;
    private Storage b;
    private Storage y;
    private Storage gy;
    private Storage gx;
    private Storage gw;
    private Storage gb;
    private double gflopForward;

    @Setup
    public void setUp() {
        String[] d = shape.split("x");
        int n = Integer.parseInt(d[0]);
        int c = Integer.parseInt(d[1]);
        int h = Integer.parseInt(d[2]);
        int wd = Integer.parseInt(d[3]);
        spec = new Conv2dSpec(n, c, h, wd, c, 3, 3, 1, 1);
        be = Backends.cpu();
        SplittableRandom rng = new SplittableRandom(3);
        x = upload(BenchData.gaussian(rng, n * c * h * wd));
        float[] wv = BenchData.gaussian(rng, c * c * 9);
        for (int i = 0; i < wv.length; i++) {
            wv[i] /= (float) Math.sqrt(c * 9.0);
        }
        w = upload(wv);
        b = upload(new float[c]);
        gy = upload(BenchData.gaussian(rng, n * c * spec.oh() * spec.ow()));
        y = be.allocate((long) n * c * spec.oh() * spec.ow());
        gx = be.allocate((long) n * c * h * wd);
        gw = be.allocate((long) c * c * 9);
        gb = be.allocate(c);
        gflopForward = spec.forwardFlops() * 1e-9;
    }

    private Storage upload(float[] v) {
        return be.upload(v, v.length);
    }

    @Benchmark
    public Storage forward(Flops flops) {
        be.conv2d(spec, x, w, b, y);
        flops.gflop += gflopForward;
        return y;
    }

    @Benchmark
    public Storage forwardBackward(Flops flops) {
        be.conv2d(spec, x, w, b, y);
        be.conv2dBackwardInput(spec, gy, w, gx);
        be.conv2dBackwardFilter(spec, x, gy, gw, gb);
        flops.gflop += 3 * gflopForward;
        return gw;
    }
}

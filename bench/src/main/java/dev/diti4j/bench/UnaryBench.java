package dev.diti4j.bench;

import dev.diti4j.core.backend.Backend;
import dev.diti4j.core.backend.Backends;
import dev.diti4j.core.backend.Storage;
import dev.diti4j.core.cpu.CpuStorage;
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
 * exp, sigmoid, SiLU forward and backward, tanh and softmax on a U-Net activation (32 x 128 x 16
 * x 16 standard-normal values; softmax over rows of 256), old and new side by side in one run:
 * {@code impl=strictmath} is the scalar StrictMath loops the CPU backend had before
 * ({@link StrictMathBaseline}, same worker pool and grain), {@code impl=vector} the backend's
 * current kernels (VectorMath over whole vectors, FloatMath on the tails). Both read and write the
 * same arrays. Scores are milliseconds per call.
 *
 * <pre>
 *   ./mvnw -q package -DskipTests -pl bench -am
 *   java -jar bench/target/benchmarks.jar UnaryBench
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 4, time = 1)
@Measurement(iterations = 6, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED",
        "-Xms2g", "-Xmx4g"})
public class UnaryBench {
    /** N x C x H x W of the activation. */
    @Param({"32x128x16x16"})
    public String shape;

    @Param({"exp", "sigmoid", "silu", "silu_backward", "tanh", "softmax"})
    public String op;

    @Param({"strictmath", "vector"})
    public String impl;

    private static final int SOFTMAX_COLS = 256;

    private Backend be;
    private int numel;
    private Storage x;
    private Storage gy;
    private Storage y;
    private float[] xa;
    private float[] gya;
    private float[] ya;

    @Setup
    public void setUp() {
        numel = 1;
        for (String d : shape.split("x")) {
            numel = Math.multiplyExact(numel, Integer.parseInt(d));
        }
        be = Backends.cpu();
        SplittableRandom rng = new SplittableRandom(7);
        x = be.upload(BenchData.gaussian(rng, numel), numel);
        gy = be.upload(BenchData.gaussian(rng, numel), numel);
        y = be.allocate(numel);
        xa = ((CpuStorage) x).data;
        gya = ((CpuStorage) gy).data;
        ya = ((CpuStorage) y).data;
    }

    @Benchmark
    public Storage run() {
        boolean strict = impl.equals("strictmath");
        switch (op) {
            case "exp" -> {
                if (strict) StrictMathBaseline.exp(xa, ya, numel); else be.unary(UnaryOp.EXP, x, y, numel);
            }
            case "sigmoid" -> {
                if (strict) StrictMathBaseline.sigmoid(xa, ya, numel); else be.unary(UnaryOp.SIGMOID, x, y, numel);
            }
            case "silu" -> {
                if (strict) StrictMathBaseline.silu(xa, ya, numel); else be.unary(UnaryOp.SILU, x, y, numel);
            }
            case "silu_backward" -> {
                if (strict) {
                    StrictMathBaseline.siluBackward(xa, gya, ya, numel);
                } else {
                    be.unaryBackward(UnaryOp.SILU, x, x, gy, y, numel);
                }
            }
            case "tanh" -> {
                if (strict) StrictMathBaseline.tanh(xa, ya, numel); else be.unary(UnaryOp.TANH, x, y, numel);
            }
            case "softmax" -> {
                int rows = numel / SOFTMAX_COLS;
                if (strict) {
                    StrictMathBaseline.softmax(xa, rows, SOFTMAX_COLS, ya);
                } else {
                    be.softmax(x, rows, SOFTMAX_COLS, false, y);
                }
            }
            default -> throw new IllegalArgumentException(op);
        }
        return y;
    }
}

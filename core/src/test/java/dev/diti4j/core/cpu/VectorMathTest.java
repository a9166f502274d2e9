package dev.diti4j.core.cpu;

import static org.junit.jupiter.api.Assertions.fail;

import dev.diti4j.core.ops.FloatMath;
import dev.diti4j.core.ops.UnaryOp;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.UnaryOperator;
import jdk.incubator.vector.FloatVector;
import org.junit.jupiter.api.Test;

/**
 * {@link VectorMath} gives, lane by lane, the bits of its scalar twin {@link FloatMath}: on special
 * values, on random bit patterns of every exponent, through the element-wise and softmax kernels
 * (whole vectors plus scalar tails), and on every call while the JIT compiles the code.
 */
class VectorMathTest {
    private static final int L = VectorMath.L;

    /** A function as scalar code and as lane-wise code. */
    private record Fn(String name, UnaryOperator<Float> scalar, UnaryOperator<FloatVector> vector) {
    }

    private static final List<Fn> FNS = List.of(
            new Fn("exp", FloatMath::exp, VectorMath::exp),
            new Fn("sigmoid", FloatMath::sigmoid, VectorMath::sigmoid),
            new Fn("silu", FloatMath::silu, VectorMath::silu),
            new Fn("silu'", FloatMath::siluDerivative, VectorMath::siluDerivative),
            new Fn("tanh", FloatMath::tanh, VectorMath::tanh));

    /** Zeros, infinities, NaNs with payloads, the ends of each range and of the range reduction. */
    static float[] specials() {
        List<Float> v = new ArrayList<>();
        float[] base = {0f, Float.MIN_VALUE, 0x1p-140f, Float.MIN_NORMAL, 1e-30f, 0x1p-26f, 0x1p-25f, 0x1p-24f,
            1e-7f, 1e-3f, 0.1f, 0.17328679f, 0.25f, 0.34657359f, 0.5f, 0.6931472f, 1f, 1.2784645f, 2f, 9f,
            9.010913f, FloatMath.TANH_HI, 10f, 17f, 20f, 50f, 87.33654f, 88f, 88.72283f, 88.72284f, 88.7229f,
            FloatMath.EXP_HI, 100f, 103.27893f, 103.972084f, FloatMath.EXP_LO, 105f, 1e10f, Float.MAX_VALUE,
            Float.POSITIVE_INFINITY};
        for (float b : base) {
            for (float f : new float[] {b, Math.nextUp(b), Math.nextDown(b)}) {
                v.add(f);
                v.add(-f);
            }
        }
        for (int nan : new int[] {0x7fc0_0000, 0xffc0_0000, 0x7fc1_2345, 0xffff_ffff, 0x7fff_fffe}) {
            v.add(Float.intBitsToFloat(nan));
        }
        float[] out = new float[v.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = v.get(i);
        }
        return out;
    }

    /**
     * The specials, then n random bit patterns (every exponent, NaNs included) and normals at
     * several scales, where StrictMath's results would differ from FloatMath's in the last bit.
     */
    static float[] inputs(int n, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        float[] s = specials();
        float[] x = new float[s.length + n];
        System.arraycopy(s, 0, x, 0, s.length);
        for (int i = s.length; i < x.length; i++) {
            x[i] = switch (i % 3) {
                case 0 -> Float.intBitsToFloat(rng.nextInt());
                case 1 -> (float) (rng.nextGaussian() * 3);
                default -> (float) ((rng.nextDouble() * 2 - 1) * 120);
            };
        }
        return x;
    }

    private static void assertSameBits(String what, float x, float want, float got) {
        if (Float.floatToRawIntBits(want) != Float.floatToRawIntBits(got)) {
            fail(what + " at x = " + x + " (" + Float.toHexString(x) + ", bits 0x"
                    + Integer.toHexString(Float.floatToRawIntBits(x)) + "): scalar " + want + " (0x"
                    + Integer.toHexString(Float.floatToRawIntBits(want)) + "), vector " + got + " (0x"
                    + Integer.toHexString(Float.floatToRawIntBits(got)) + ")");
        }
    }

    /** Each input in every lane position: x[i] goes to lane i mod L of successive vectors. */
    private static void checkLanes(Fn fn, float[] x) {
        int n = (x.length + L - 1) / L * L;
        float[] in = java.util.Arrays.copyOf(x, n);
        float[] out = new float[n];
        for (int shift = 0; shift < Math.min(L, 3); shift++) {
            float[] rot = new float[n];
            for (int i = 0; i < n; i++) {
                rot[(i + shift) % n] = in[i];
            }
            for (int i = 0; i < n; i += L) {
                fn.vector().apply(FloatVector.fromArray(VectorMath.S, rot, i)).intoArray(out, i);
            }
            for (int i = 0; i < n; i++) {
                assertSameBits(fn.name(), rot[i], fn.scalar().apply(rot[i]), out[i]);
            }
        }
    }

    @Test
    void vectorLanesGiveTheScalarBitsOnSpecialValues() {
        for (Fn fn : FNS) {
            checkLanes(fn, specials());
        }
    }

    @Test
    void vectorLanesGiveTheScalarBitsOnRandomInputs() {
        float[] x = inputs(300_000, 11);
        for (Fn fn : FNS) {
            checkLanes(fn, x);
        }
    }

    @Test
    void elementwiseKernelsGiveUnaryOpBitsInVectorsAndTails() {
        float[] all = inputs(40 * L, 12);
        SplittableRandom rng = new SplittableRandom(13);
        // random inputs in the tail, at lengths that leave every tail length from 1 to L - 1; many
        // short arrays, since FloatMath.exp differs from (float) StrictMath.exp on only 0.4% of inputs
        for (int trial = 0; trial < 3_000; trial++) {
            int n = trial < L ? trial : trial % 100 == 0 ? rng.nextInt(1, all.length) : rng.nextInt(1, 3 * L);
            int from = trial < L ? all.length - n : rng.nextInt(0, all.length - n + 1);
            float[] x = java.util.Arrays.copyOfRange(all, from, from + n);
            float[] gy = java.util.Arrays.copyOfRange(inputs(n, trial), 0, n);
            for (UnaryOp op : new UnaryOp[] {UnaryOp.EXP, UnaryOp.SIGMOID, UnaryOp.SILU, UnaryOp.TANH}) {
                float[] y = new float[n];
                CpuElementwise.unary(op, x, y, n);
                for (int i = 0; i < n; i++) {
                    assertSameBits(op.opName() + " kernel, n " + n + ", element " + i, x[i], op.apply(x[i]), y[i]);
                }
            }
            float[] gx = new float[n];
            CpuElementwise.unaryBackward(UnaryOp.SILU, x, new float[n], gy, gx, n);
            for (int i = 0; i < n; i++) {
                float want = gy[i] * UnaryOp.SILU.derivative(x[i], 0f);
                if (!(Float.isNaN(want) && Float.isNaN(gx[i]))) { // NaN * NaN keeps either payload
                    assertSameBits("silu backward kernel, n " + n + ", element " + i, x[i], want, gx[i]);
                }
            }
        }
        // a range that starts and ends off the vector grid
        int n = all.length;
        for (int s = 0; s < 3; s++) {
            float[] y = new float[n];
            CpuElementwise.expRange(all, y, s, n - s);
            for (int i = s; i < n - s; i++) {
                assertSameBits("expRange from " + s + ", element " + i, all[i], FloatMath.exp(all[i]), y[i]);
            }
        }
    }

    @Test
    void softmaxUsesTheSameExponentialInVectorsAndTails() {
        int cols = 2 * L + 3;
        int rows = 7;
        SplittableRandom rng = new SplittableRandom(14);
        float[] x = new float[rows * cols];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) (rng.nextGaussian() * (1 + i % 5 * 10));
        }
        float[] gy = new float[x.length];
        for (int i = 0; i < gy.length; i++) {
            gy[i] = (float) rng.nextGaussian();
        }
        for (boolean log : new boolean[] {false, true}) {
            float[] y = new float[x.length];
            CpuReduce.softmax(x, rows, cols, log, y);
            float[] gx = new float[x.length];
            CpuReduce.softmaxBackward(y, gy, rows, cols, log, gx);
            for (int r = 0; r < rows; r++) {
                int o = r * cols;
                float m = Float.NEGATIVE_INFINITY;
                for (int j = 0; j < cols; j++) {
                    m = Math.max(m, x[o + j]);
                }
                float[] ev = new float[cols];
                double z = 0;
                double sumGy = 0;
                for (int j = 0; j < cols; j++) {
                    ev[j] = FloatMath.exp(x[o + j] - m);
                    z += ev[j];
                    sumGy += gy[o + j];
                }
                float lz = (float) StrictMath.log(z) + m;
                float inv = (float) (1.0 / z);
                for (int j = 0; j < cols; j++) {
                    float want = log ? x[o + j] - lz : ev[j] * inv;
                    assertSameBits((log ? "log_softmax" : "softmax") + " row " + r + " col " + j, x[o + j], want,
                            y[o + j]);
                    if (log) {
                        float g = gy[o + j] - FloatMath.exp(y[o + j]) * (float) sumGy;
                        assertSameBits("log_softmax backward row " + r + " col " + j, y[o + j], g, gx[o + j]);
                    }
                }
            }
        }
    }

    @Test
    void givesTheSameBitsOnEveryCallWhileTheJitCompilesIt() {
        float[] x = inputs(4 * L - 3, 15);
        int n = x.length;
        float[][] want = new float[FNS.size()][n];
        for (int f = 0; f < FNS.size(); f++) {
            for (int i = 0; i < n; i++) {
                want[f][i] = FNS.get(f).scalar().apply(x[i]);
            }
        }
        // the first calls run the Vector API's Java fallback, later ones C1's and then C2's code
        float[] y = new float[n];
        for (int round = 0; round < 3_000; round++) {
            CpuElementwise.unary(UnaryOp.EXP, x, y, n);
            compare(want[0], y, x, "exp kernel, round " + round);
            CpuElementwise.unary(UnaryOp.SIGMOID, x, y, n);
            compare(want[1], y, x, "sigmoid kernel, round " + round);
            CpuElementwise.unary(UnaryOp.SILU, x, y, n);
            compare(want[2], y, x, "silu kernel, round " + round);
            CpuElementwise.unary(UnaryOp.TANH, x, y, n);
            compare(want[4], y, x, "tanh kernel, round " + round);
            int full = n / L * L;
            for (int i = 0; i < full; i += L) {
                VectorMath.siluDerivative(FloatVector.fromArray(VectorMath.S, x, i)).intoArray(y, i);
            }
            for (int i = 0; i < full; i++) {
                if (Float.floatToRawIntBits(want[3][i]) != Float.floatToRawIntBits(y[i])) {
                    assertSameBits("silu' round " + round, x[i], want[3][i], y[i]);
                }
            }
        }
    }

    private static void compare(float[] want, float[] got, float[] x, String what) {
        for (int i = 0; i < want.length; i++) {
            if (Float.floatToRawIntBits(want[i]) != Float.floatToRawIntBits(got[i])) {
                assertSameBits(what + ", element " + i, x[i], want[i], got[i]);
            }
        }
    }
}

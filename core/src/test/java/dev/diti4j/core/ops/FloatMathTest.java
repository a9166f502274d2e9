package dev.diti4j.core.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.function.DoubleUnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * The error bounds of {@link FloatMath} stated in its javadoc and in docs/internals/exp.md, on a
 * dense sample of all 2^32 floats (every 1021st bit pattern, so every exponent and a spread of
 * mantissas) plus every float of the ranges where the result overflows, goes subnormal or
 * saturates; and the values at the ends of each range. The bounds themselves come from the
 * exhaustive sweep over every float in bench's {@code MathUlpSweep}.
 */
class FloatMathTest {
    /** Below this, e^x (and sigmoid(x)) is subnormal: ln(2^-126) = -87.3365. */
    private static final float TINY_BELOW = -87.3365f;

    // the largest errors over all 2^32 floats (MathUlpSweep), in ulps, rounded up
    static final double EXP_ULP = 1.08;
    static final double SIGMOID_ULP = 2.41;
    static final double SILU_ULP = 3.2;
    static final double SILU_DERIVATIVE_ULP = 4.21;
    static final double TANH_ULP = 2.5;
    /** SiLU and its derivative for x below TINY_BELOW, where sigmoid(x) is subnormal: absolute error. */
    static final double SILU_TINY_ABS = 1.36e-43;

    static double sigmoid(double x) {
        if (x >= 0) {
            return 1.0 / (1.0 + StrictMath.exp(-x));
        }
        double e = StrictMath.exp(x);
        return e / (1.0 + e);
    }

    /** The float spacing at |v|. */
    static double ulp(double v) {
        double a = Math.abs(v);
        return a < 0x1p-126 ? 0x1p-149 : Math.scalb(1.0, Math.getExponent(a) - 23);
    }

    /** |got - exact| / ulp(scale); NaN and infinities must match exactly. */
    static double error(float got, double exact, double scale) {
        if (Double.isNaN(exact) || Float.isNaN(got)) {
            return Double.isNaN(exact) && Float.isNaN(got) ? 0 : Double.POSITIVE_INFINITY;
        }
        float rounded = (float) exact;
        if (Float.isInfinite(rounded) || Float.isInfinite(got)) {
            return got == rounded ? 0 : Double.POSITIVE_INFINITY;
        }
        return Math.abs(got - exact) / ulp(scale);
    }

    private interface FloatFn {
        float apply(float x);
    }

    /** Largest error and where, and the largest absolute error below TINY_BELOW. */
    private static final class Worst {
        double err;
        float at;
        double tinyAbs;

        void see(float x, float got, double exact, double scale) {
            if (x < TINY_BELOW) {
                tinyAbs = Math.max(tinyAbs, Math.abs(got - exact));
                return;
            }
            double e = error(got, exact, scale);
            if (e > err) {
                err = e;
                at = x;
            }
        }
    }

    private static Worst sweep(FloatFn f, DoubleUnaryOperator exact, DoubleUnaryOperator scale) {
        Worst w = new Worst();
        // every 1021st bit pattern: 4.2 M inputs over every exponent, both signs, NaNs and infinities
        for (long b = 0; b < 1L << 32; b += 1021) {
            see(w, Float.intBitsToFloat((int) b), f, exact, scale);
        }
        // every float near overflow, in the subnormal range of e^x and sigmoid, and where tanh saturates
        for (float[] r : new float[][] {{88f, 89.5f}, {-104.5f, -86f}, {8.5f, 9.5f}, {-9.5f, -8.5f}}) {
            for (float x = r[0]; x <= r[1]; x = Math.nextUp(x)) {
                see(w, x, f, exact, scale);
            }
        }
        return w;
    }

    private static void see(Worst w, float x, FloatFn f, DoubleUnaryOperator exact, DoubleUnaryOperator scale) {
        double e = exact.applyAsDouble(x);
        w.see(x, f.apply(x), e, scale == null ? e : scale.applyAsDouble(x));
    }

    private static void assertBound(String name, Worst w, double bound) {
        assertTrue(w.err <= bound, name + ": " + w.err + " ulp at " + w.at + " (" + Float.toHexString(w.at)
                + ") exceeds the documented " + bound);
    }

    @Test
    void expIsWithinItsBound() {
        Worst w = sweep(FloatMath::exp, StrictMath::exp, null);
        assertBound("exp", w, EXP_ULP);
        assertTrue(w.tinyAbs <= 0x1p-149, "exp below -87.34: " + w.tinyAbs);
    }

    @Test
    void sigmoidIsWithinItsBound() {
        Worst w = sweep(FloatMath::sigmoid, FloatMathTest::sigmoid, null);
        assertBound("sigmoid", w, SIGMOID_ULP);
        assertTrue(w.tinyAbs <= 0x1p-149, "sigmoid below -87.34: " + w.tinyAbs);
    }

    @Test
    void siluIsWithinItsBound() {
        Worst w = sweep(FloatMath::silu, x -> x == Double.NEGATIVE_INFINITY ? -0.0 : x * sigmoid(x), null);
        assertBound("silu", w, SILU_ULP);
        assertTrue(w.tinyAbs <= SILU_TINY_ABS, "silu below -87.34: " + w.tinyAbs);
    }

    @Test
    void siluDerivativeIsWithinItsBound() {
        // in ulps of s + |x| s (1 - s): its two terms cancel at x = -1.2785, where it crosses 0
        Worst w = sweep(FloatMath::siluDerivative,
                x -> Double.isInfinite(x) ? (x > 0 ? 1 : 0) : sigmoid(x) * (1 + x * sigmoid(-x)),
                x -> Double.isInfinite(x) ? (x > 0 ? 1 : 0) : sigmoid(x) * (1 + Math.abs(x) * sigmoid(-x)));
        assertBound("silu'", w, SILU_DERIVATIVE_ULP);
        assertTrue(w.tinyAbs <= SILU_TINY_ABS, "silu' below -87.34: " + w.tinyAbs);
    }

    @Test
    void tanhIsWithinItsBound() {
        Worst w = sweep(FloatMath::tanh, StrictMath::tanh, null);
        assertBound("tanh", w, TANH_ULP);
        assertTrue(w.tinyAbs == 0, "tanh below -87.34: " + w.tinyAbs);
    }

    private static void assertBits(float want, float got, String what) {
        assertEquals(Float.floatToRawIntBits(want), Float.floatToRawIntBits(got),
                what + ": want " + want + ", got " + got);
    }

    @Test
    void endsOfTheRanges() {
        assertBits(1f, FloatMath.exp(0f), "exp(0)");
        assertBits(1f, FloatMath.exp(-0f), "exp(-0)");
        assertBits(0f, FloatMath.exp(Float.NEGATIVE_INFINITY), "exp(-Inf)");
        assertBits(Float.POSITIVE_INFINITY, FloatMath.exp(Float.POSITIVE_INFINITY), "exp(Inf)");
        assertBits(0f, FloatMath.exp(-104f), "exp(-104)");
        assertBits(Float.MIN_VALUE, FloatMath.exp(-103.5f), "exp(-103.5)");
        float nearMax = FloatMath.exp(88.72283f);
        assertTrue(nearMax <= Float.MAX_VALUE && nearMax > 3.4027e38f, "exp(88.72283) = " + nearMax);
        assertBits(Float.POSITIVE_INFINITY, FloatMath.exp(88.72284f), "exp(88.72284)");
        assertBits(Float.POSITIVE_INFINITY, FloatMath.exp(Float.MAX_VALUE), "exp(MAX)");
        assertBits(0f, FloatMath.exp(-Float.MAX_VALUE), "exp(-MAX)");
        float nan = Float.intBitsToFloat(0x7fc1_2345);
        assertBits(nan, FloatMath.exp(nan), "exp(NaN) keeps the payload");

        assertBits(0.5f, FloatMath.sigmoid(0f), "sigmoid(0)");
        assertBits(1f, FloatMath.sigmoid(100f), "sigmoid(100)");
        assertBits(1f, FloatMath.sigmoid(Float.POSITIVE_INFINITY), "sigmoid(Inf)");
        assertBits(0f, FloatMath.sigmoid(Float.NEGATIVE_INFINITY), "sigmoid(-Inf)");
        float s100 = FloatMath.sigmoid(-100f);
        assertTrue(s100 > 0 && Math.abs(s100 - 3.720076e-44) <= Float.MIN_VALUE, "sigmoid(-100) = " + s100);
        assertBits(0f, FloatMath.sigmoid(-200f), "sigmoid(-200)");
        assertBits(FloatMath.exp(-50f), FloatMath.sigmoid(-50f), "sigmoid(-50) = e^-50 / 1, to the bit");

        assertBits(-0f, FloatMath.silu(Float.NEGATIVE_INFINITY), "silu(-Inf)");
        assertBits(-0f, FloatMath.silu(-1000f), "silu(-1000)");
        assertBits(Float.POSITIVE_INFINITY, FloatMath.silu(Float.POSITIVE_INFINITY), "silu(Inf)");
        assertBits(100f, FloatMath.silu(100f), "silu(100)");
        assertBits(0f, FloatMath.silu(0f), "silu(0)");
        assertBits(0.5f, FloatMath.siluDerivative(0f), "silu'(0)");
        assertBits(1f, FloatMath.siluDerivative(Float.POSITIVE_INFINITY), "silu'(Inf)");
        assertBits(-0f, FloatMath.siluDerivative(Float.NEGATIVE_INFINITY), "silu'(-Inf)");
        assertBits(1f, FloatMath.siluDerivative(200f), "silu'(200)");

        assertBits(0f, FloatMath.tanh(0f), "tanh(0)");
        assertBits(-0f, FloatMath.tanh(-0f), "tanh(-0)");
        assertBits(Float.MIN_VALUE, FloatMath.tanh(Float.MIN_VALUE), "tanh(MIN_VALUE)");
        assertBits(1e-20f, FloatMath.tanh(1e-20f), "tanh(1e-20)");
        assertBits(1f, FloatMath.tanh(9.1f), "tanh(9.1)");
        assertBits(-1f, FloatMath.tanh(Float.NEGATIVE_INFINITY), "tanh(-Inf)");
        assertBits(1f, FloatMath.tanh(Float.POSITIVE_INFINITY), "tanh(Inf)");
        assertBits(nan, FloatMath.tanh(nan), "tanh(NaN) keeps the payload");
    }

    @Test
    void unaryOpUsesIt() {
        for (float x : new float[] {-100f, -3.25f, -0.5f, 0f, 0.7f, 12f}) {
            assertBits(FloatMath.exp(x), UnaryOp.EXP.apply(x), "exp " + x);
            assertBits(FloatMath.sigmoid(x), UnaryOp.SIGMOID.apply(x), "sigmoid " + x);
            assertBits(FloatMath.sigmoid(x), UnaryOp.sigmoid(x), "UnaryOp.sigmoid " + x);
            assertBits(FloatMath.silu(x), UnaryOp.SILU.apply(x), "silu " + x);
            assertBits(FloatMath.siluDerivative(x), UnaryOp.SILU.derivative(x, 0f), "silu' " + x);
            assertBits(FloatMath.tanh(x), UnaryOp.TANH.apply(x), "tanh " + x);
        }
    }
}

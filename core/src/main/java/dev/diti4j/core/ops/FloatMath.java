package dev.diti4j.core.ops;

/**
 * exp, sigmoid, SiLU, SiLU's derivative and tanh in float, built only from exactly rounded
 * operations: {@code +}, {@code -}, {@code *}, {@code /}, {@link Math#fma}, compares and bit
 * operations. Java fixes the result of each of these to the bit, so these functions give the same
 * bits in the interpreter, in every JIT tier and on every JVM; the CPU backend's vector kernels
 * ({@code dev.diti4j.core.cpu.VectorMath}) run the very same operations lane-wise and agree with
 * them bit for bit, so a vector loop and its scalar tail give each element the same value. This
 * class is the definition every backend shares ({@link UnaryOp#apply}); a GPU kernel that mirrors
 * the operation sequence (with {@code fmaf} and IEEE division) gets the same bits too.
 *
 * <p>exp(x) (docs/internals/exp.md): x = k ln2 + r with k = rint(x log2 e) and |r| &lt;= ln2/2,
 * r taken in two fma steps with ln2 split in two floats (Cody-Waite); exp(r) = 1 + r + r^2 P(r)
 * with P a degree-4 minimax polynomial for (e^r - 1 - r) / r^2, evaluated by Horner's rule in
 * fma; the result is scaled by 2^k in two exact steps so that subnormal results are rounded once.
 * Inputs are clamped to [-104, 89] (which keeps k in [-150, 128]), beyond which the result is 0 or
 * +Inf anyway; NaN is returned as it is.
 *
 * <p>Measured error, exhaustively over all 2^32 floats (bench's {@code MathUlpSweep}), in ulps of
 * the exact value (taken from {@link StrictMath} in double); {@code FloatMathTest} checks these
 * bounds on a dense sample:
 *
 * <table>
 *   <caption>largest error over every float</caption>
 *   <tr><th>function</th><th>largest error</th></tr>
 *   <tr><td>{@link #exp}</td><td>1.077 ulp (so never more than 1 ulp from the correctly rounded
 *       result; 99.6% of floats get exactly that)</td></tr>
 *   <tr><td>{@link #sigmoid}</td><td>2.402 ulp</td></tr>
 *   <tr><td>{@link #silu}</td><td>3.193 ulp for x &gt;= -87.34; below, where sigmoid(x) is
 *       subnormal and |silu(x)| &lt; 1.2e-36, an absolute error below 1.4e-43</td></tr>
 *   <tr><td>{@link #siluDerivative}</td><td>4.208 ulp of s + |x| s (1 - s) (the magnitude of
 *       its two terms, which cancel at its zero near x = -1.2785) for x &gt;= -87.34; below,
 *       an absolute error below 1.4e-43</td></tr>
 *   <tr><td>{@link #tanh}</td><td>2.498 ulp</td></tr>
 * </table>
 */
public final class FloatMath {
    /** Inputs below this give exp(x) = 0 (e^-104 is below half the smallest subnormal). */
    public static final float EXP_LO = -104f;
    /** Inputs above this give exp(x) = +Inf (ln of the largest float is 88.72...). */
    public static final float EXP_HI = 89f;
    /** log2(e) rounded to float. */
    public static final float LOG2E = 0x1.715476p0f;
    /** 1.5 * 2^23: adding it rounds a float of magnitude below 2^22 to an integer (ties to even). */
    public static final float SHIFT = 0x1.8p23f;
    /** The bits of {@link #SHIFT}; bits(SHIFT + k) - SHIFT_BITS = k. */
    public static final int SHIFT_BITS = 0x4b40_0000;
    /** ln2 rounded to float (0x3f317218); x - k LN2_HI is exact for every k the range reduction gives. */
    public static final float LN2_HI = 0x1.62e43p-1f;
    /** ln2 - LN2_HI rounded to float (0xb102e308); LN2_HI + LN2_LO is ln2 within 9e-17. */
    public static final float LN2_LO = -0x1.05c61p-29f;
    /**
     * Coefficients of P(r) = C2 + C3 r + C4 r^2 + C5 r^3 + C6 r^4, the minimax approximation of
     * (e^r - 1 - r) / r^2 on |r| &lt;= 1.0005 ln2/2 in relative error (1.24e-7 before rounding the
     * coefficients to float).
     */
    public static final float C2 = 0.5f;
    public static final float C3 = 0x1.5554dep-3f;
    public static final float C4 = 0x1.5555bap-5f;
    public static final float C5 = 0x1.120b1cp-7f;
    public static final float C6 = 0x1.6c69f2p-10f;
    /** tanh(x) rounds to 1 for |x| above 9.011; clamping |x| here keeps 2^k normal. */
    public static final float TANH_HI = 9.1f;

    private FloatMath() {
    }

    /** e^x; see the class comment for the algorithm and its error. */
    public static float exp(float x) {
        if (x != x) {
            return x;
        }
        float xc = x < EXP_LO ? EXP_LO : x > EXP_HI ? EXP_HI : x;
        return expClamped(xc);
    }

    /** e^x for x in [EXP_LO, EXP_HI]. */
    private static float expClamped(float x) {
        float t = Math.fma(x, LOG2E, SHIFT);
        float k = t - SHIFT;                                  // rint(x log2 e), exactly
        int n = Float.floatToRawIntBits(t) - SHIFT_BITS;      // the same k as an int, in [-150, 128]
        float r = Math.fma(k, -LN2_HI, x);                    // exact
        r = Math.fma(k, -LN2_LO, r);
        float p = expm1Poly(r);
        float y = p + 1f;                                     // e^r in [0.707, 1.415]
        int m = n >> 1;                                       // 2^n = 2^m 2^(n - m), both normal
        float s1 = Float.intBitsToFloat((m + 127) << 23);
        float s2 = Float.intBitsToFloat((n - m + 127) << 23);
        return y * s1 * s2;                                   // exact, then rounded once
    }

    /** e^r - 1 = r + r^2 P(r) for |r| &lt;= ln2/2. */
    private static float expm1Poly(float r) {
        float q = Math.fma(Math.fma(Math.fma(Math.fma(C6, r, C5), r, C4), r, C3), r, C2);
        return Math.fma(r * r, q, r);
    }

    /**
     * 1 / (1 + e^-x), never NaN for non-NaN x: with e = e^-|x| in [0, 1], it is 1 / (1 + e) for
     * x &gt;= 0 and e / (1 + e) for x &lt; 0, so the tail for large negative x keeps its relative
     * precision down to the subnormals (sigmoid(-100) = 3.7e-44) and becomes 0 below about -103.9.
     */
    public static float sigmoid(float x) {
        if (x != x) {
            return x;
        }
        float e = expNegAbs(x);
        float num = x < 0f ? e : 1f;
        return num / (e + 1f);
    }

    /**
     * x sigmoid(x). x is raised to -104 first, where sigmoid(x) is already 0, so silu(-Inf) is -0
     * rather than -Inf * 0 = NaN.
     */
    public static float silu(float x) {
        return (x < EXP_LO ? EXP_LO : x) * sigmoid(x);
    }

    /**
     * d/dx x sigmoid(x) = s (1 + x (1 - s)) with s = sigmoid(x). Both s and 1 - s are taken from
     * e = e^-|x| as e / (1 + e) or 1 / (1 + e), so 1 - s does not lose digits to cancellation when
     * s is close to 1. x is clamped to [-104, 104] in the second factor, where e is already 0, so
     * the derivative at +-Inf is 1 and 0 rather than Inf * 0 = NaN.
     */
    public static float siluDerivative(float x) {
        if (x != x) {
            return x;
        }
        float a = negAbsClamped(x);                           // -min(|x|, 104)
        float e = expClamped(a);
        float q = 1f / (e + 1f);
        float eq = e * q;
        boolean neg = x < 0f;
        float s = neg ? eq : q;
        float oneMinusS = neg ? q : eq;
        float xc = neg ? a : -a;                              // x clamped to [-104, 104]
        return s * Math.fma(xc, oneMinusS, 1f);
    }

    /** e^-|x| for non-NaN x. */
    private static float expNegAbs(float x) {
        return expClamped(negAbsClamped(x));
    }

    /** -|x| raised to EXP_LO. */
    private static float negAbsClamped(float x) {
        float a = -Math.abs(x);
        return a < EXP_LO ? EXP_LO : a;
    }

    /**
     * tanh(x) = -expm1(-2|x|) / (2 + expm1(-2|x|)) with the sign of x, where expm1(u) = 2^k (e^r -
     * 1) + (2^k - 1) is taken from the same range reduction and polynomial as {@link #exp}, which
     * keeps the relative precision for small |x| (no 1 - e^u cancellation).
     */
    public static float tanh(float x) {
        if (x != x) {
            return x;
        }
        float a = Math.abs(x);
        float u = (a > TANH_HI ? TANH_HI : a) * -2f;          // exact, in [-18.2, 0]
        float t = Math.fma(u, LOG2E, SHIFT);
        float k = t - SHIFT;
        int n = Float.floatToRawIntBits(t) - SHIFT_BITS;      // in [-27, 0]
        float r = Math.fma(k, -LN2_HI, u);
        r = Math.fma(k, -LN2_LO, r);
        float p = expm1Poly(r);
        float scale = Float.intBitsToFloat((n + 127) << 23);
        float em1 = Math.fma(scale, p, scale - 1f);           // expm1(u) in (-1, 0]
        float th = -em1 / (em1 + 2f);
        return Math.copySign(th, x);
    }
}

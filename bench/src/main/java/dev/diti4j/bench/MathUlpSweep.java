package dev.diti4j.bench;

import dev.diti4j.core.backend.Backend;
import dev.diti4j.core.backend.Backends;
import dev.diti4j.core.backend.Storage;
import dev.diti4j.core.ops.FloatMath;
import dev.diti4j.core.ops.UnaryOp;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.IntStream;

/**
 * The error of {@link FloatMath}'s exp, sigmoid, SiLU, SiLU derivative and tanh over every float
 * (or every {@code stride}-th bit pattern), and a check that the CPU backend's vector kernels give
 * the scalar functions' bits on every one of them.
 *
 * <pre>
 *   ./mvnw -q package -DskipTests -pl bench -am
 *   java --add-modules jdk.incubator.vector -cp bench/target/benchmarks.jar dev.diti4j.bench.MathUlpSweep [stride] [exp|sigmoid|silu|silu_derivative|tanh ...]
 * </pre>
 *
 * For each input the exact value is taken in double from {@link StrictMath} (within 1e-15 of the
 * true value, far below a float ulp). The error is in ulps of the exact value: |got - exact| /
 * ulp(exact), where ulp(v) is the float spacing at |v| (2^-149 below the normal range). The SiLU
 * derivative s (1 + x (1 - s)) has a zero near x = -1.2785 where its two terms cancel, so its
 * error is given in ulps of the sum of their magnitudes, s + |x| s (1 - s). The table also gives
 * how many results differ from the exact value rounded to float and from the old StrictMath
 * kernels ({@link StrictMathBaseline}), and the largest distance to the old result in ulps. Below
 * x = -87.3365, e^x and sigmoid(x) are subnormal and have fewer than 24 significant bits, so SiLU
 * and its derivative, which multiply sigmoid(x) by x, lose relative precision there (their values
 * are below 1.2e-36): that range gets its own column of absolute errors.
 * Exhaustive (stride 1) it takes a few minutes per function on one core; all functions run in
 * parallel over the available processors.
 */
public final class MathUlpSweep {
    /** Below this, e^x (and sigmoid(x)) is subnormal: ln(2^-126) = -87.3365. */
    static final float TINY_BELOW = -87.3365f;
    private static final int BLOCK = 1 << 22;
    private static final int CHUNK = 1 << 16;

    private MathUlpSweep() {
    }

    enum Fn {
        EXP, SIGMOID, SILU, SILU_DERIVATIVE, TANH;

        float scalar(float x) {
            return switch (this) {
                case EXP -> FloatMath.exp(x);
                case SIGMOID -> FloatMath.sigmoid(x);
                case SILU -> FloatMath.silu(x);
                case SILU_DERIVATIVE -> FloatMath.siluDerivative(x);
                case TANH -> FloatMath.tanh(x);
            };
        }

        float old(float x) {
            return switch (this) {
                case EXP -> StrictMathBaseline.exp(x);
                case SIGMOID -> StrictMathBaseline.sigmoid(x);
                case SILU -> StrictMathBaseline.silu(x);
                case SILU_DERIVATIVE -> StrictMathBaseline.siluDerivative(x);
                case TANH -> StrictMathBaseline.tanh(x);
            };
        }

        /** The exact value in double. */
        double exact(double x) {
            return switch (this) {
                case EXP -> StrictMath.exp(x);
                case SIGMOID -> sigmoid(x);
                case SILU -> x == Double.NEGATIVE_INFINITY ? -0.0 : x * sigmoid(x);
                case SILU_DERIVATIVE -> x == Double.POSITIVE_INFINITY ? 1.0 : x == Double.NEGATIVE_INFINITY ? 0.0
                        : sigmoid(x) * (1.0 + x * sigmoid(-x));
                case TANH -> StrictMath.tanh(x);
            };
        }

        /** What the error is measured in ulps of. */
        double scale(double x, double exact) {
            if (this != SILU_DERIVATIVE || Double.isInfinite(x)) {
                return exact;
            }
            return sigmoid(x) * (1.0 + Math.abs(x) * sigmoid(-x));
        }
    }

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
        if (a < 0x1p-126) {
            return 0x1p-149;
        }
        return Math.scalb(1.0, Math.getExponent(a) - 23);
    }

    /** |got - exact| / ulp(scale); 0 or infinity where exact or got is NaN or infinite. */
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

    /** Bits mapped to integers in the order of the floats, so that neighbours differ by 1. */
    static long ordered(float f) {
        int b = Float.floatToRawIntBits(f);
        return b >= 0 ? b : (long) Integer.MIN_VALUE - b;
    }

    /** One function's totals. */
    static final class Tally {
        long inputs;
        long vectorMismatches;
        float firstMismatch = Float.NaN;
        double maxErr;
        float maxAt;
        /** Over x >= TINY_BELOW (and NaN). */
        double maxErrNormal;
        float maxNormalAt;
        /** Over x < TINY_BELOW, where e^x is subnormal. */
        double maxAbsSubnormal;
        long notRounded;
        long differOld;
        long maxOldDistance;
        float maxOldAt;

        void add(Tally t) {
            inputs += t.inputs;
            if (vectorMismatches == 0 && t.vectorMismatches > 0) {
                firstMismatch = t.firstMismatch;
            }
            vectorMismatches += t.vectorMismatches;
            if (t.maxErr > maxErr) {
                maxErr = t.maxErr;
                maxAt = t.maxAt;
            }
            if (t.maxErrNormal > maxErrNormal) {
                maxErrNormal = t.maxErrNormal;
                maxNormalAt = t.maxNormalAt;
            }
            maxAbsSubnormal = Math.max(maxAbsSubnormal, t.maxAbsSubnormal);
            notRounded += t.notRounded;
            differOld += t.differOld;
            if (t.maxOldDistance > maxOldDistance) {
                maxOldDistance = t.maxOldDistance;
                maxOldAt = t.maxOldAt;
            }
        }
    }

    public static void main(String[] args) {
        long stride = 1;
        List<Fn> fns = new ArrayList<>();
        for (String a : args) {
            if (a.chars().allMatch(Character::isDigit)) {
                stride = Long.parseLong(a);
            } else {
                fns.add(Fn.valueOf(a.toUpperCase(Locale.ROOT)));
            }
        }
        if (fns.isEmpty()) {
            fns.addAll(List.of(Fn.values()));
        }
        Backend be = Backends.cpu();
        System.out.printf(Locale.ROOT, "# %s; every %d-th of the 2^32 bit patterns%n", be.describe(), stride);
        System.out.println("| function | inputs | vector != scalar | max error (ulp) | at x | max error, x >= -87.3365"
                + " | at x | max abs error, x < -87.3365 | != exact rounded | != old StrictMath kernel"
                + " | max distance to old (ulp) | at x | seconds |");
        System.out.println("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        for (Fn fn : fns) {
            long t0 = System.nanoTime();
            Tally t = sweep(be, fn, stride);
            double sec = (System.nanoTime() - t0) / 1e9;
            System.out.printf(Locale.ROOT, "| %s | %d | %d%s | %.4f | %s | %.4f | %s | %.3g | %d | %d | %d | %s | %.0f |%n",
                    fn.name().toLowerCase(Locale.ROOT), t.inputs, t.vectorMismatches,
                    t.vectorMismatches > 0 ? " (first at " + hex(t.firstMismatch) + ")" : "", t.maxErr, hex(t.maxAt),
                    t.maxErrNormal, hex(t.maxNormalAt), t.maxAbsSubnormal, t.notRounded, t.differOld, t.maxOldDistance,
                    hex(t.maxOldAt), sec);
            System.out.flush();
        }
    }

    private static String hex(float x) {
        return Float.toHexString(x) + " (" + x + ")";
    }

    static Tally sweep(Backend be, Fn fn, long stride) {
        long patterns = (1L << 32) / stride;
        float[] x = new float[BLOCK];
        float[] y = new float[BLOCK];
        float[] ones = new float[BLOCK];
        java.util.Arrays.fill(ones, 1f);
        Storage gy = be.upload(ones, BLOCK);
        Tally total = new Tally();
        for (long start = 0; start < patterns; start += BLOCK) {
            int n = (int) Math.min(BLOCK, patterns - start);
            for (int i = 0; i < n; i++) {
                x[i] = Float.intBitsToFloat((int) ((start + i) * stride));
            }
            Storage xs = be.upload(x, n);
            Storage ys = be.allocate(n);
            if (fn == Fn.SILU_DERIVATIVE) {
                be.unaryBackward(UnaryOp.SILU, xs, xs, gy, ys, n); // gx = 1 * silu'(x)
            } else {
                be.unary(op(fn), xs, ys, n);
            }
            be.download(ys, y, n);
            xs.release();
            ys.release();
            int chunks = (n + CHUNK - 1) / CHUNK;
            IntStream.range(0, chunks).parallel().mapToObj(c -> check(fn, x, y, c * CHUNK, Math.min(n, (c + 1) * CHUNK)))
                    .reduce((a, b) -> {
                        a.add(b);
                        return a;
                    }).ifPresent(total::add);
        }
        gy.release();
        return total;
    }

    private static UnaryOp op(Fn fn) {
        return switch (fn) {
            case EXP -> UnaryOp.EXP;
            case SIGMOID -> UnaryOp.SIGMOID;
            case SILU, SILU_DERIVATIVE -> UnaryOp.SILU;
            case TANH -> UnaryOp.TANH;
        };
    }

    private static Tally check(Fn fn, float[] x, float[] y, int s, int e) {
        Tally t = new Tally();
        for (int i = s; i < e; i++) {
            float xi = x[i];
            float got = fn.scalar(xi);
            t.inputs++;
            // the backward kernel gives 1 * silu'(x), which quiets a signalling NaN
            boolean match = fn == Fn.SILU_DERIVATIVE && Float.isNaN(got) ? Float.isNaN(y[i])
                    : Float.floatToRawIntBits(got) == Float.floatToRawIntBits(y[i]);
            if (!match) {
                if (t.vectorMismatches++ == 0) {
                    t.firstMismatch = xi;
                }
            }
            double exact = fn.exact(xi);
            double err = error(got, exact, fn.scale(xi, exact));
            if (err > t.maxErr) {
                t.maxErr = err;
                t.maxAt = xi;
            }
            if (!(xi < TINY_BELOW)) {
                if (err > t.maxErrNormal) {
                    t.maxErrNormal = err;
                    t.maxNormalAt = xi;
                }
            } else {
                t.maxAbsSubnormal = Math.max(t.maxAbsSubnormal, Math.abs(got - exact));
            }
            if (!same(got, (float) exact)) {
                t.notRounded++;
            }
            float old = fn.old(xi);
            if (!same(got, old)) {
                t.differOld++;
                if (!Float.isNaN(got) && !Float.isNaN(old)) {
                    long d = Math.abs(ordered(got) - ordered(old));
                    if (d > t.maxOldDistance) {
                        t.maxOldDistance = d;
                        t.maxOldAt = xi;
                    }
                }
            }
        }
        return t;
    }

    /** Equal as values, NaN equal to NaN, and 0 to -0 only when both are zeros of the same sign. */
    private static boolean same(float a, float b) {
        return Float.isNaN(a) ? Float.isNaN(b) : Float.floatToRawIntBits(a) == Float.floatToRawIntBits(b);
    }
}

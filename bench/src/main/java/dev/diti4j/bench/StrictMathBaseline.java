package dev.diti4j.bench;

import dev.diti4j.core.cpu.Parallel;

/**
 * The element-wise kernels of exp, sigmoid, SiLU (forward and backward) and tanh, and softmax, as
 * the CPU backend had them before {@code FloatMath}/{@code VectorMath}: scalar loops over
 * {@link StrictMath}, split over the backend's worker pool with the same grain
 * ({@code CpuElementwise.GRAIN}). Kept only as the baseline of {@link UnaryBench} and of the old
 * results in {@link MathUlpSweep}.
 */
final class StrictMathBaseline {
    /** CpuElementwise.GRAIN. */
    static final int GRAIN = 1 << 15;

    private StrictMathBaseline() {
    }

    static float exp(float x) {
        return (float) StrictMath.exp(x);
    }

    static float tanh(float x) {
        return (float) StrictMath.tanh(x);
    }

    /** The old UnaryOp.sigmoid: the logistic function in double, rounded once. */
    static float sigmoid(float x) {
        if (x >= 0) {
            return (float) (1.0 / (1.0 + StrictMath.exp(-x)));
        }
        double e = StrictMath.exp(x);
        return (float) (e / (1.0 + e));
    }

    static float silu(float x) {
        return x * sigmoid(x);
    }

    /** The old UnaryOp.SILU.derivative. */
    static float siluDerivative(float x) {
        float s = sigmoid(x);
        return s * (1f + x * (1f - s));
    }

    static void exp(float[] x, float[] y, int n) {
        Parallel.forRange(n, GRAIN, (s, e) -> {
            for (int i = s; i < e; i++) {
                y[i] = (float) StrictMath.exp(x[i]);
            }
        });
    }

    static void sigmoid(float[] x, float[] y, int n) {
        Parallel.forRange(n, GRAIN, (s, e) -> {
            for (int i = s; i < e; i++) {
                y[i] = sigmoid(x[i]);
            }
        });
    }

    static void silu(float[] x, float[] y, int n) {
        Parallel.forRange(n, GRAIN, (s, e) -> {
            for (int i = s; i < e; i++) {
                y[i] = x[i] * sigmoid(x[i]);
            }
        });
    }

    static void siluBackward(float[] x, float[] gy, float[] gx, int n) {
        Parallel.forRange(n, GRAIN, (s, e) -> {
            for (int i = s; i < e; i++) {
                gx[i] = gy[i] * siluDerivative(x[i]);
            }
        });
    }

    /** The old CpuReduce.softmax (not log) over rows of length cols. */
    static void softmax(float[] x, int rows, int cols, float[] y) {
        Parallel.forRange(rows, Math.max(1, GRAIN / Math.max(1, cols)), (s, e) -> {
            for (int r = s; r < e; r++) {
                int o = r * cols;
                float m = Float.NEGATIVE_INFINITY;
                for (int j = 0; j < cols; j++) {
                    m = Math.max(m, x[o + j]);
                }
                double z = 0;
                for (int j = 0; j < cols; j++) {
                    float ev = (float) StrictMath.exp(x[o + j] - m);
                    z += ev;
                    y[o + j] = ev;
                }
                float inv = (float) (1.0 / z);
                for (int j = 0; j < cols; j++) {
                    y[o + j] *= inv;
                }
            }
        });
    }

    static void tanh(float[] x, float[] y, int n) {
        Parallel.forRange(n, GRAIN, (s, e) -> {
            for (int i = s; i < e; i++) {
                y[i] = (float) StrictMath.tanh(x[i]);
            }
        });
    }
}

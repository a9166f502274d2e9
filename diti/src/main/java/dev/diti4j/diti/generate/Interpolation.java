package dev.diti4j.diti.generate;

import dev.diti4j.core.Tensor;

/**
 * Linear and spherical interpolation of batches, sample by sample (METHOD 6.4). Features are
 * interpolated linearly; inverted noises x_T, which lie near a sphere of radius √(C·H·W), are
 * interpolated spherically so that the intermediate noises keep a typical norm.
 *
 * <pre>
 *   lerp(a, b, α)  = (1 − α)·a + α·b
 *   slerp(a, b, α) = sin((1 − α)θ)/sin θ · a + sin(αθ)/sin θ · b,    cos θ = ⟨a, b⟩ / (‖a‖ ‖b‖)
 * </pre>
 *
 * Each sample (the slice of one batch index) is flattened into one vector. Coefficients are
 * computed in double. Both formulas give a exactly at α = 0 and b exactly at α = 1. Slerp falls
 * back to lerp when sin θ &lt; {@value #PARALLEL_SINE} (a and b parallel or antiparallel, where
 * the formula divides by ~0) or when a or b is zero; so identical inputs give the input back.
 *
 * <p>α must lie in [0, 1]: these are interpolations, and values outside are refused rather than
 * extrapolated.
 */
public final class Interpolation {
    /** Below this sin θ slerp is replaced by lerp. */
    public static final double PARALLEL_SINE = 1e-6;

    private Interpolation() {
    }

    /** (1 − α)·a + α·b for tensors of the same shape. */
    public static Tensor lerp(Tensor a, Tensor b, double alpha) {
        checkPair(a, b);
        Inputs.alpha(alpha);
        float[] x = a.toArray();
        float[] y = b.toArray();
        float[] out = new float[x.length];
        lerpInto(x, 0, y, 0, x.length, alpha, out, 0);
        return Tensor.of(a.backend(), out, a.shape().dims());
    }

    /**
     * Spherical interpolation of each sample of a and b (same shape, batch first), over the
     * sample's flattened dimensions.
     */
    public static Tensor slerp(Tensor a, Tensor b, double alpha) {
        checkPair(a, b);
        if (a.rank() < 1 || a.dim(0) < 1) {
            throw new IllegalArgumentException("slerp needs a batch with the batch dimension first, got " + a.shape());
        }
        Inputs.alpha(alpha);
        float[] x = a.toArray();
        float[] y = b.toArray();
        float[] out = new float[x.length];
        int len = x.length / a.dim(0);
        for (int i = 0; i < a.dim(0); i++) {
            slerpInto(x, i * len, y, i * len, len, alpha, out, i * len);
        }
        return Tensor.of(a.backend(), out, a.shape().dims());
    }

    /** The two slerp coefficients {sin((1−α)θ)/sin θ, sin(αθ)/sin θ} for vectors a and b. */
    public static double[] slerpWeights(float[] a, int aOff, float[] b, int bOff, int len, double alpha) {
        double dot = 0;
        double na = 0;
        double nb = 0;
        for (int j = 0; j < len; j++) {
            double p = a[aOff + j];
            double q = b[bOff + j];
            dot += p * q;
            na += p * p;
            nb += q * q;
        }
        if (na == 0 || nb == 0) {
            return new double[] {1 - alpha, alpha};
        }
        double cos = Math.max(-1.0, Math.min(1.0, dot / Math.sqrt(na * nb)));
        double theta = Math.acos(cos);
        double sin = Math.sin(theta);
        if (!(sin >= PARALLEL_SINE)) {
            return new double[] {1 - alpha, alpha};
        }
        // at α = 0 and α = 1 these are exactly {1, 0} and {0, 1}
        return new double[] {Math.sin((1 - alpha) * theta) / sin, Math.sin(alpha * theta) / sin};
    }

    static void slerpInto(float[] a, int aOff, float[] b, int bOff, int len, double alpha, float[] out, int oOff) {
        double[] w = slerpWeights(a, aOff, b, bOff, len, alpha);
        combine(a, aOff, b, bOff, len, w[0], w[1], out, oOff);
    }

    static void lerpInto(float[] a, int aOff, float[] b, int bOff, int len, double alpha, float[] out, int oOff) {
        combine(a, aOff, b, bOff, len, 1 - alpha, alpha, out, oOff);
    }

    private static void combine(float[] a, int aOff, float[] b, int bOff, int len, double wa, double wb, float[] out,
            int oOff) {
        for (int j = 0; j < len; j++) {
            out[oOff + j] = (float) (wa * a[aOff + j] + wb * b[bOff + j]);
        }
    }

    private static void checkPair(Tensor a, Tensor b) {
        if (a == null || b == null) {
            throw new IllegalArgumentException("interpolation needs two tensors");
        }
        if (!a.shape().equals(b.shape())) {
            throw new IllegalArgumentException("interpolation needs tensors of the same shape, got " + a.shape() + " and "
                    + b.shape());
        }
    }
}

package dev.diti4j.diti.generate;

import dev.diti4j.core.Tensor;
import java.util.List;

/**
 * Per-dimension mean μ and standard deviation σ of a set of features z, and the standardisation
 * ẑ = (z − μ)/σ the manipulation classifier reads (METHOD 6.5 step 1).
 *
 * <p>Statistics are accumulated in double with Welford's update, batch by batch, so a large set
 * never has to be held at once. σ is the sample standard deviation (denominator N − 1, the default
 * of {@code torch.std}), raised to at least a floor ({@link #DEFAULT_STD_FLOOR} unless given):
 * a dimension that is constant over the set would otherwise divide by zero. N ≥ 2 is required.
 * {@link #standardize} and {@link #unstandardize} compute in double and round once to float.
 */
public final class FeatureStats {
    /** The smallest σ used, so that a constant dimension does not divide by zero. */
    public static final double DEFAULT_STD_FLOOR = 1e-6;

    private final double[] mean;
    private final double[] std;
    private final long count;

    /**
     * Statistics given directly.
     *
     * @throws IllegalArgumentException when the arrays are empty, differ in length, or hold a
     *         non-finite mean or a σ that is not positive and finite
     */
    public FeatureStats(double[] mean, double[] std) {
        this(mean, std, 0);
    }

    private FeatureStats(double[] mean, double[] std, long count) {
        if (mean == null || std == null || mean.length == 0 || mean.length != std.length) {
            throw new IllegalArgumentException("feature statistics need a mean and a std of the same non-zero length, got "
                    + (mean == null ? 0 : mean.length) + " and " + (std == null ? 0 : std.length));
        }
        for (int j = 0; j < mean.length; j++) {
            if (!Double.isFinite(mean[j])) {
                throw new IllegalArgumentException("the mean of dimension " + j + " is not finite: " + mean[j]);
            }
            if (!(std[j] > 0 && Double.isFinite(std[j]))) {
                throw new IllegalArgumentException("the std of dimension " + j + " must be positive and finite, got "
                        + std[j]);
            }
        }
        this.mean = mean.clone();
        this.std = std.clone();
        this.count = count;
    }

    /** μ and σ of the rows of z (N, d), N ≥ 2, with the default floor. */
    public static FeatureStats of(Tensor z) {
        return of(List.of(z), DEFAULT_STD_FLOOR);
    }

    /** μ and σ over the rows of several batches (each (N_i, d)), with the default floor. */
    public static FeatureStats of(Iterable<Tensor> batches) {
        return of(batches, DEFAULT_STD_FLOOR);
    }

    /**
     * μ and σ over the rows of several batches (each (N_i, d)); σ is max(sample std, floor).
     *
     * @throws IllegalArgumentException for batches of different d, fewer than 2 rows in all,
     *         non-finite values, or a floor that is not positive
     */
    public static FeatureStats of(Iterable<Tensor> batches, double stdFloor) {
        if (!(stdFloor > 0 && Double.isFinite(stdFloor))) {
            throw new IllegalArgumentException("the std floor must be positive and finite, got " + stdFloor);
        }
        if (batches == null) {
            throw new IllegalArgumentException("feature statistics need at least two feature rows, got none");
        }
        double[] mean = null;
        double[] m2 = null;
        long n = 0;
        for (Tensor z : batches) {
            if (z == null || z.rank() != 2 || z.dim(1) < 1 || (mean != null && z.dim(1) != mean.length)) {
                throw new IllegalArgumentException("feature batches must be (N, d) with one d"
                        + (mean == null ? "" : " = " + mean.length) + ", got "
                        + (z == null ? "nothing" : z.shape().toString()));
            }
            int d = z.dim(1);
            if (mean == null) {
                mean = new double[d];
                m2 = new double[d];
            }
            float[] v = z.toArray();
            for (int r = 0; r < z.dim(0); r++) {
                n++;
                for (int j = 0; j < d; j++) {
                    double x = v[r * d + j];
                    if (!Double.isFinite(x)) {
                        throw new IllegalArgumentException("feature row " + (n - 1) + " has a non-finite value in"
                                + " dimension " + j);
                    }
                    double delta = x - mean[j];
                    mean[j] += delta / n;
                    m2[j] += delta * (x - mean[j]);
                }
            }
        }
        if (n < 2) {
            throw new IllegalArgumentException("feature statistics need at least two feature rows, got " + n);
        }
        double[] std = new double[mean.length];
        for (int j = 0; j < std.length; j++) {
            std[j] = Math.max(Math.sqrt(m2[j] / (n - 1)), stdFloor);
        }
        return new FeatureStats(mean, std, n);
    }

    /** d, the feature length. */
    public int dim() {
        return mean.length;
    }

    /** The number of feature rows the statistics came from (0 when given directly). */
    public long count() {
        return count;
    }

    /** μ (a copy). */
    public double[] mean() {
        return mean.clone();
    }

    /** σ, floored (a copy). */
    public double[] std() {
        return std.clone();
    }

    /** ẑ = (z − μ)/σ for features (B, d). */
    public Tensor standardize(Tensor z) {
        float[] v = values(z);
        int d = mean.length;
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) ((v[i] - mean[i % d]) / std[i % d]);
        }
        return Tensor.of(z.backend(), v, z.shape().dims());
    }

    /** z = ẑ·σ + μ for standardised features (B, d). */
    public Tensor unstandardize(Tensor zHat) {
        float[] v = values(zHat);
        int d = mean.length;
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (v[i] * std[i % d] + mean[i % d]);
        }
        return Tensor.of(zHat.backend(), v, zHat.shape().dims());
    }

    /** ẑ of row-major features in double, for the edit (no rounding to float in between). */
    double[] standardizeExact(float[] z) {
        int d = mean.length;
        double[] out = new double[z.length];
        for (int i = 0; i < z.length; i++) {
            out[i] = (z[i] - mean[i % d]) / std[i % d];
        }
        return out;
    }

    private float[] values(Tensor z) {
        if (z == null || z.rank() != 2 || z.dim(1) != mean.length) {
            throw new IllegalArgumentException("features must have shape (B, " + mean.length + ") for these statistics,"
                    + " got " + (z == null ? "nothing" : z.shape().toString()));
        }
        return z.toArray();
    }
}

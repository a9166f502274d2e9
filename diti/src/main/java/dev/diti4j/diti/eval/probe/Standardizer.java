package dev.diti4j.diti.eval.probe;

/**
 * Per-dimension standardisation ẑ = (z − μ) / σ with μ and σ measured on the training split only
 * and then applied unchanged to validation and test features (METHOD 6.5 step 1).
 *
 * <p>σ is the population standard deviation (divide by n). A dimension that is constant on the
 * training split has σ = 0; it is given σ = 1, so it maps to the constant z − μ instead of
 * dividing by zero. Means and variances are accumulated in double precision in row order.
 */
public final class Standardizer {
    private final double[] mean;
    private final double[] std;

    private Standardizer(double[] mean, double[] std) {
        this.mean = mean;
        this.std = std;
    }

    /**
     * Measures μ and σ of every column of the training features.
     *
     * @throws IllegalArgumentException for an empty, ragged or non-finite matrix
     */
    public static Standardizer fit(float[][] train) {
        int d = Checks.features("training features", train);
        int n = train.length;
        double[] mean = new double[d];
        for (float[] row : train) {
            for (int j = 0; j < d; j++) {
                mean[j] += row[j];
            }
        }
        for (int j = 0; j < d; j++) {
            mean[j] /= n;
        }
        double[] var = new double[d];
        for (float[] row : train) {
            for (int j = 0; j < d; j++) {
                double c = row[j] - mean[j];
                var[j] += c * c;
            }
        }
        double[] std = new double[d];
        for (int j = 0; j < d; j++) {
            double s = Math.sqrt(var[j] / n);
            std[j] = s > 0 ? s : 1.0;
        }
        return new Standardizer(mean, std);
    }

    /** The number of dimensions d. */
    public int dim() {
        return mean.length;
    }

    /** μ, one per dimension (a copy). */
    public double[] mean() {
        return mean.clone();
    }

    /** σ, one per dimension (a copy; 1 where the training split was constant). */
    public double[] std() {
        return std.clone();
    }

    /** ẑ_j = (z_j − μ_j) / σ_j of one row, in double precision. */
    public double[] apply(float[] row) {
        if (row.length != mean.length) {
            throw new IllegalArgumentException("a row of " + row.length + " features cannot be standardised with "
                    + mean.length + " training dimensions");
        }
        double[] out = new double[row.length];
        for (int j = 0; j < row.length; j++) {
            out[j] = (row[j] - mean[j]) / std[j];
        }
        return out;
    }

    /**
     * Every row standardised, rounded back to float so the result can be fed to the probes.
     *
     * @throws IllegalArgumentException when the rows do not have {@link #dim()} columns
     */
    public float[][] apply(float[][] x) {
        Checks.sameColumns("features to standardise", x, mean.length, "the training split");
        float[][] out = new float[x.length][mean.length];
        for (int i = 0; i < x.length; i++) {
            for (int j = 0; j < mean.length; j++) {
                out[i][j] = (float) ((x[i][j] - mean[j]) / std[j]);
            }
        }
        return out;
    }

    /**
     * z = ẑ·σ + μ: maps a point of the standardised space back (METHOD 6.5 step 4).
     */
    public double[] invert(double[] standardised) {
        if (standardised.length != mean.length) {
            throw new IllegalArgumentException("a row of " + standardised.length + " values cannot be mapped back with "
                    + mean.length + " training dimensions");
        }
        double[] out = new double[standardised.length];
        for (int j = 0; j < out.length; j++) {
            out[j] = standardised[j] * std[j] + mean[j];
        }
        return out;
    }
}

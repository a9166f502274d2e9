package dev.diti4j.diti.eval.probe;

import org.apache.commons.math3.linear.Array2DRowRealMatrix;
import org.apache.commons.math3.linear.CholeskyDecomposition;
import org.apache.commons.math3.linear.NonPositiveDefiniteMatrixException;
import org.apache.commons.math3.linear.QRDecomposition;
import org.apache.commons.math3.linear.RealMatrix;
import org.apache.commons.math3.linear.SingularMatrixException;

/**
 * A linear regression probe for continuous targets, METHOD 7.2's LFW protocol: Linear(d → T) on
 * frozen z, reporting per-target Pearson r and MSE and their means.
 *
 * <p>METHOD 7.2 trains the layer with Adam on the MSE for 15 epochs. A linear least-squares
 * problem has a closed-form optimum, so this probe solves it directly (ridge regression), which is
 * the point Adam converges to, without a learning rate or an epoch count:
 * <pre>
 *   x̄, ȳ       training means;  X_c = X − x̄,  Y_c = Y − ȳ
 *   Wᵀ         = (X_cᵀX_c + λ·n·I)⁻¹ X_cᵀY_c      (Cholesky; λ = 0 uses QR on X_c instead)
 *   b          = ȳ − W·x̄                           (the intercept is not penalised)
 * </pre>
 * λ is per example (λ·n), so one value means the same for any split size. With several λ the one
 * with the best mean validation Pearson r is kept; METHOD 7.2 picks its epoch on the test split,
 * which this probe does not copy.
 */
public final class RegressionProbe {
    private RegressionProbe() {
    }

    /**
     * A fitted ridge probe.
     *
     * @param model                 T × d weights and T intercepts
     * @param lambda                the penalty that was kept
     * @param validationMeanPearson the mean validation r of every λ tried (empty without a
     *                              validation split)
     */
    public record RidgeFit(LinearModel model, double lambda, double[] validationMeanPearson) {
        public RidgeFit {
            validationMeanPearson = validationMeanPearson.clone();
        }

        @Override
        public double[] validationMeanPearson() {
            return validationMeanPearson.clone();
        }
    }

    /**
     * Per-target scores of a regression probe on one split.
     *
     * @param pearson        r of every target (NaN where the target or the prediction is constant)
     * @param mse            the mean squared error of every target
     * @param meanPearson    the mean of the defined r
     * @param definedPearson how many targets entered that mean
     * @param meanMse        the mean of the per-target MSEs
     */
    public record Score(double[] pearson, double[] mse, double meanPearson, int definedPearson, double meanMse) {
        public Score {
            pearson = pearson.clone();
            mse = mse.clone();
        }

        @Override
        public double[] pearson() {
            return pearson.clone();
        }

        @Override
        public double[] mse() {
            return mse.clone();
        }
    }

    /**
     * Fits the ridge probe for one penalty, on raw z.
     *
     * @param lambda the per-example L2 penalty (≥ 0)
     */
    public static RidgeFit fit(float[][] xTrain, float[][] yTrain, double lambda) {
        return fit(xTrain, yTrain, null, null, new double[] {lambda}, false);
    }

    /**
     * Fits one ridge probe per penalty and keeps the best on the validation split.
     *
     * @param xTrain      training features (n × d)
     * @param yTrain      training targets (n × T)
     * @param xVal        validation features, or null (then {@code lambdas} must hold one value)
     * @param yVal        validation targets, null exactly when {@code xVal} is
     * @param lambdas     penalties to try, each ≥ 0
     * @param standardize fit on (z − μ)/σ of the training split (the model applies it itself)
     * @throws IllegalArgumentException for malformed inputs, or λ = 0 with collinear features
     */
    public static RidgeFit fit(float[][] xTrain, float[][] yTrain, float[][] xVal, float[][] yVal, double[] lambdas,
                               boolean standardize) {
        int d = Checks.features("xTrain", xTrain);
        int t = Checks.targets("yTrain", yTrain);
        Checks.sameRows("xTrain", xTrain.length, "yTrain", yTrain.length);
        if (lambdas == null || lambdas.length == 0) {
            throw new IllegalArgumentException("give at least one ridge penalty lambda");
        }
        for (double l : lambdas) {
            if (!(l >= 0) || !Double.isFinite(l)) {
                throw new IllegalArgumentException("ridge penalties must be finite and >= 0, got " + l);
            }
        }
        boolean validated = xVal != null || yVal != null;
        if (validated) {
            if (xVal == null || yVal == null) {
                throw new IllegalArgumentException("give both xVal and yVal, or neither");
            }
            Checks.sameColumns("xVal", xVal, d, "xTrain");
            int tv = Checks.targets("yVal", yVal);
            Checks.sameRows("xVal", xVal.length, "yVal", yVal.length);
            if (tv != t) {
                throw new IllegalArgumentException("yVal has " + tv + " targets per row but yTrain has " + t);
            }
            if (xVal.length < 2) {
                throw new IllegalArgumentException("choosing a ridge penalty by Pearson's r needs at least 2"
                        + " validation examples, got " + xVal.length);
            }
        } else if (lambdas.length > 1) {
            throw new IllegalArgumentException("choosing among " + lambdas.length
                    + " ridge penalties needs a validation split");
        }

        Standardizer std = standardize ? Standardizer.fit(xTrain) : null;
        float[][] xs = std != null ? std.apply(xTrain) : xTrain;
        int n = xs.length;
        double[] xMean = new double[d];
        double[] yMean = new double[t];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < d; j++) {
                xMean[j] += xs[i][j];
            }
            for (int k = 0; k < t; k++) {
                yMean[k] += yTrain[i][k];
            }
        }
        for (int j = 0; j < d; j++) {
            xMean[j] /= n;
        }
        for (int k = 0; k < t; k++) {
            yMean[k] /= n;
        }
        double[][] xc = new double[n][d];
        double[][] yc = new double[n][t];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < d; j++) {
                xc[i][j] = xs[i][j] - xMean[j];
            }
            for (int k = 0; k < t; k++) {
                yc[i][k] = yTrain[i][k] - yMean[k];
            }
        }
        double[][] gram = Ridge.gram(xc);
        double[][] cross = Ridge.cross(xc, yc);

        LinearModel best = null;
        double bestLambda = lambdas[0];
        double bestScore = Double.NEGATIVE_INFINITY;
        double[] curve = new double[validated ? lambdas.length : 0];
        for (int li = 0; li < lambdas.length; li++) {
            double[][] wt = lambdas[li] > 0 ? Ridge.solve(gram, cross, lambdas[li] * n) : leastSquares(xc, yc);
            double[][] w = new double[t][d];
            double[] b = yMean.clone();
            for (int k = 0; k < t; k++) {
                for (int j = 0; j < d; j++) {
                    w[k][j] = wt[j][k];
                    b[k] -= w[k][j] * xMean[j];
                }
            }
            LinearModel model = new LinearModel(w, b, std);
            if (!validated) {
                best = model;
                break;
            }
            double score = evaluate(model, xVal, yVal).meanPearson();
            curve[li] = score;
            if (best == null || score > bestScore) {
                best = model;
                bestScore = score;
                bestLambda = lambdas[li];
            }
        }
        return new RidgeFit(best, bestLambda, curve);
    }

    /** Per-target Pearson r and MSE of a regression probe's predictions on a split (METHOD 7.2). */
    public static Score evaluate(LinearModel model, float[][] x, float[][] y) {
        Checks.notNull("model", model);
        Checks.sameColumns("x", x, model.inputs(), "the model");
        int t = Checks.targets("y", y);
        Checks.sameRows("x", x.length, "y", y.length);
        if (t != model.outputs()) {
            throw new IllegalArgumentException("y has " + t + " targets per row but the model has " + model.outputs()
                    + " outputs");
        }
        if (x.length < 2) {
            throw new IllegalArgumentException("Pearson's r needs at least 2 examples, got " + x.length);
        }
        double[][] pred = model.scores(x, false);
        double[] r = new double[t];
        double[] mse = new double[t];
        double[] p = new double[x.length];
        double[] truth = new double[x.length];
        for (int k = 0; k < t; k++) {
            for (int i = 0; i < x.length; i++) {
                p[i] = pred[i][k];
                truth[i] = y[i][k];
            }
            r[k] = Metrics.pearson(p, truth);
            mse[k] = Metrics.mse(p, truth);
        }
        double[] mr = Metrics.nanMean(r);
        double meanMse = 0;
        for (double m : mse) {
            meanMse += m;
        }
        return new Score(r, mse, mr[0], (int) mr[1], meanMse / t);
    }

    private static double[][] leastSquares(double[][] xc, double[][] yc) {
        if (xc.length < xc[0].length) {
            throw new IllegalArgumentException("unpenalised least squares needs at least as many training examples as"
                    + " features (" + xc.length + " < " + xc[0].length + "); use lambda > 0");
        }
        try {
            return new QRDecomposition(new Array2DRowRealMatrix(xc, false)).getSolver()
                    .solve(new Array2DRowRealMatrix(yc, false)).getData();
        } catch (SingularMatrixException e) {
            throw new IllegalArgumentException("the training features are collinear, so unpenalised least squares has"
                    + " no unique solution; use lambda > 0", e);
        }
    }

    /** Gram matrices and the penalised normal-equation solve, shared with {@link SubsetProbes}. */
    static final class Ridge {
        private Ridge() {
        }

        /** XᵀX of the rows (d × d), summed in row order; both triangles hold the same values. */
        static double[][] gram(double[][] x) {
            int d = x[0].length;
            double[][] g = new double[d][d];
            for (double[] row : x) {
                for (int a = 0; a < d; a++) {
                    double va = row[a];
                    if (va == 0) {
                        continue;
                    }
                    double[] ga = g[a];
                    for (int c = a; c < d; c++) {
                        ga[c] += va * row[c];
                    }
                }
            }
            for (int a = 0; a < d; a++) {
                for (int c = a + 1; c < d; c++) {
                    g[c][a] = g[a][c];
                }
            }
            return g;
        }

        /** XᵀY (d × T), summed in row order. */
        static double[][] cross(double[][] x, double[][] y) {
            int d = x[0].length;
            int t = y[0].length;
            double[][] out = new double[d][t];
            for (int i = 0; i < x.length; i++) {
                for (int a = 0; a < d; a++) {
                    double va = x[i][a];
                    for (int k = 0; k < t; k++) {
                        out[a][k] += va * y[i][k];
                    }
                }
            }
            return out;
        }

        /** (G + penalty·I)⁻¹ C by Cholesky; G is d × d, C is d × T; returns d × T. */
        static double[][] solve(double[][] gram, double[][] cross, double penalty) {
            int d = gram.length;
            RealMatrix a = new Array2DRowRealMatrix(d, d);
            for (int i = 0; i < d; i++) {
                for (int j = 0; j < d; j++) {
                    a.setEntry(i, j, gram[i][j] + (i == j ? penalty : 0));
                }
            }
            try {
                return new CholeskyDecomposition(a).getSolver().solve(new Array2DRowRealMatrix(cross)).getData();
            } catch (NonPositiveDefiniteMatrixException e) {
                throw new IllegalArgumentException("the penalised Gram matrix is not positive definite (penalty "
                        + penalty + "); use a larger lambda", e);
            }
        }
    }
}

package dev.diti4j.diti.eval.probe;

import dev.diti4j.diti.model.Partition;
import java.util.Arrays;
import java.util.TreeSet;

/**
 * Probes every factor from parts of z (METHOD 9 "Evaluation" item 2): for each subset i of a
 * {@link Partition} (or any list of column ranges), (a) the cumulative prefix z_1 … z_i, i.e.
 * z[0 : end(i)], which is what the decoder sees at a time step of subset i (METHOD 4.1), and (b)
 * the single subset z_i = z[start(i) : end(i)]. The result is a factors × subsets matrix of test
 * accuracies for each, with the chance level of each factor.
 *
 * <h2>Which probe ({@link Method})</h2>
 * A partition of k subsets needs 2k probes per factor (32 × 7 = 224 for k = 16 and seven factors),
 * so the default is a closed-form one, {@link Method#RIDGE}: a least-squares classifier. Every
 * factor f becomes one-hot targets Y_f, the columns of all factors side by side; on standardised
 * training features with means x̄, ȳ, for a column set S
 * <pre>
 *   W_S = (X_c,Sᵀ X_c,S + λ·n·I)⁻¹ X_c,Sᵀ (Y − ȳ)
 *   predicted value of factor f = argmax over f's columns c of ((x − x̄)_S W_S + ȳ)_c
 * </pre>
 * X_cᵀX_c is computed once for all d columns; the Gram matrix of any column set is a sub-block of
 * it, so each probe costs one |S| × |S| Cholesky solve plus the test predictions. It ranks classes
 * by a linear score, as a softmax probe does, and usually agrees with it to a few points of
 * accuracy; it is deterministic and needs no epochs. {@link Method#SOFTMAX} trains a
 * {@link SoftmaxProbe} per cell instead, best with a short full-batch schedule such as
 * {@code ProbeConfig.fullBatch().withEpochs(100)}; it costs about that many passes over the
 * training split per cell.
 */
public final class SubsetProbes {
    private SubsetProbes() {
    }

    /** How each cell's probe is trained. */
    public enum Method {
        /** The closed-form least-squares classifier of the class comment. */
        RIDGE,
        /** A {@link SoftmaxProbe} trained with {@link Options#softmax()}, last epoch kept. */
        SOFTMAX
    }

    /**
     * @param method      the probe per cell
     * @param ridgeLambda RIDGE's per-example penalty λ (&gt; 0)
     * @param standardize RIDGE: fit on (z − μ)/σ of the training split (a linear probe can express
     *                    the same functions either way; standardising makes one λ fit every
     *                    dimension's scale)
     * @param softmax     SOFTMAX's training settings (its own standardize flag applies)
     */
    public record Options(Method method, double ridgeLambda, boolean standardize, ProbeConfig softmax) {
        public Options {
            Checks.notNull("method", method);
            if (method == Method.RIDGE && (!(ridgeLambda > 0) || !Double.isFinite(ridgeLambda))) {
                throw new IllegalArgumentException("the ridge classifier needs a penalty lambda > 0, got "
                        + ridgeLambda);
            }
            if (method == Method.SOFTMAX && softmax == null) {
                throw new IllegalArgumentException("softmax subset probes need a probe config");
            }
        }

        /** RIDGE with λ = 1e−3 on standardised features. */
        public static Options ridge() {
            return new Options(Method.RIDGE, 1e-3, true, null);
        }

        /** RIDGE with the given λ, on standardised features. */
        public static Options ridge(double lambda) {
            return new Options(Method.RIDGE, lambda, true, null);
        }

        /** SOFTMAX probes trained with cfg. */
        public static Options softmax(ProbeConfig cfg) {
            return new Options(Method.SOFTMAX, 0, cfg.standardize(), cfg);
        }
    }

    /** The subsets of a partition as column ranges {start(i), end(i)}. */
    public static int[][] ranges(Partition partition) {
        Checks.notNull("partition", partition);
        int[][] r = new int[partition.subsets()][];
        for (int i = 0; i < r.length; i++) {
            r[i] = new int[] {partition.start(i), partition.end(i)};
        }
        return r;
    }

    /**
     * Per-subset probes for the subsets of a partition.
     *
     * @see #run(float[][], int[][], float[][], int[][], int[], int[][], Options)
     */
    public static SubsetProbeMatrix run(float[][] xTrain, int[][] yTrain, float[][] xTest, int[][] yTest,
                                        int[] cardinalities, Partition partition, Options options) {
        Checks.notNull("partition", partition);
        int d = Checks.features("xTrain", xTrain);
        if (partition.latentDim() != d) {
            throw new IllegalArgumentException("the partition covers " + partition.latentDim()
                    + " dimensions but the features have " + d);
        }
        return run(xTrain, yTrain, xTest, yTest, cardinalities, ranges(partition), options);
    }

    /**
     * Per-subset probes for explicit column ranges. Prefix i is the union of ranges 0 … i (for a
     * partition, [0, end(i))).
     *
     * @param xTrain        training features (n × d)
     * @param yTrain        training factor values (n × F), factor f in [0, cardinalities[f]); every
     *                      value of every factor must occur in training
     * @param xTest         test features (m × d)
     * @param yTest         test factor values (m × F)
     * @param cardinalities the number of values of each factor (≥ 2; a binary attribute is 2)
     * @param ranges        column ranges {start, end}, in subset order
     * @throws IllegalArgumentException for malformed inputs
     */
    public static SubsetProbeMatrix run(float[][] xTrain, int[][] yTrain, float[][] xTest, int[][] yTest,
                                        int[] cardinalities, int[][] ranges, Options options) {
        Checks.notNull("options", options);
        int d = Checks.features("xTrain", xTrain);
        int f = Checks.factorLabels("yTrain", yTrain, cardinalities);
        Checks.sameRows("xTrain", xTrain.length, "yTrain", yTrain.length);
        Checks.sameColumns("xTest", xTest, d, "xTrain");
        Checks.factorLabels("yTest", yTest, cardinalities);
        Checks.sameRows("xTest", xTest.length, "yTest", yTest.length);
        for (int j = 0; j < f; j++) {
            Checks.everyClassPresent("yTrain factor " + j, Checks.column(yTrain, j), cardinalities[j]);
        }
        int[][] r = Checks.ranges("ranges", ranges, d);
        int k = r.length;
        int[][] singles = new int[k][];
        int[][] prefixes = new int[k][];
        TreeSet<Integer> union = new TreeSet<>();
        for (int i = 0; i < k; i++) {
            int start = r[i][0];
            singles[i] = new int[r[i][1] - start];
            Arrays.setAll(singles[i], q -> start + q);
            for (int c : singles[i]) {
                union.add(c);
            }
            prefixes[i] = union.stream().mapToInt(Integer::intValue).toArray();
        }
        double[] chance = new double[f];
        for (int j = 0; j < f; j++) {
            chance[j] = Metrics.chanceAccuracy(Checks.column(yTrain, j), Checks.column(yTest, j), cardinalities[j]);
        }
        double[][] prefix = new double[f][k];
        double[][] single = new double[f][k];
        if (options.method() == Method.RIDGE) {
            RidgeClassifier rc = new RidgeClassifier(xTrain, yTrain, cardinalities, options);
            double[][] test = rc.centred(xTest);
            for (int i = 0; i < k; i++) {
                double[] p = rc.accuracies(prefixes[i], test, yTest);
                double[] s = rc.accuracies(singles[i], test, yTest);
                for (int j = 0; j < f; j++) {
                    prefix[j][i] = p[j];
                    single[j][i] = s[j];
                }
            }
        } else {
            for (int i = 0; i < k; i++) {
                for (int j = 0; j < f; j++) {
                    prefix[j][i] = softmaxAccuracy(prefixes[i], xTrain, yTrain, xTest, yTest, j, cardinalities[j],
                            options.softmax());
                    single[j][i] = softmaxAccuracy(singles[i], xTrain, yTrain, xTest, yTest, j, cardinalities[j],
                            options.softmax());
                }
            }
        }
        return new SubsetProbeMatrix(r, prefix, single, chance);
    }

    private static double softmaxAccuracy(int[] cols, float[][] xTrain, int[][] yTrain, float[][] xTest,
                                          int[][] yTest, int factor, int classes, ProbeConfig cfg) {
        float[][] tr = select(xTrain, cols);
        float[][] te = select(xTest, cols);
        int[] ytr = Checks.column(yTrain, factor);
        int[] yte = Checks.column(yTest, factor);
        LinearModel m = SoftmaxProbe.fit(tr, ytr, classes, null, null, cfg).model();
        return SoftmaxProbe.evaluate(m, te, yte).accuracy();
    }

    static float[][] select(float[][] x, int[] cols) {
        float[][] out = new float[x.length][cols.length];
        for (int i = 0; i < x.length; i++) {
            for (int q = 0; q < cols.length; q++) {
                out[i][q] = x[i][cols[q]];
            }
        }
        return out;
    }

    /** The closed-form least-squares classifier of the class comment, for all factors at once. */
    private static final class RidgeClassifier {
        private final Standardizer std;
        private final double[] xMean;
        private final double[] yMean;
        private final double[][] gram;
        private final double[][] cross;
        private final int[] offsets;
        private final int[] cards;
        private final double penalty;

        RidgeClassifier(float[][] xTrain, int[][] yTrain, int[] cards, Options options) {
            this.std = options.standardize() ? Standardizer.fit(xTrain) : null;
            this.cards = cards.clone();
            int n = xTrain.length;
            int d = xTrain[0].length;
            offsets = new int[cards.length + 1];
            for (int j = 0; j < cards.length; j++) {
                offsets[j + 1] = offsets[j] + cards[j];
            }
            int kAll = offsets[cards.length];
            double[][] x = new double[n][];
            double[][] y = new double[n][kAll];
            xMean = new double[d];
            yMean = new double[kAll];
            for (int i = 0; i < n; i++) {
                x[i] = row(xTrain[i]);
                for (int j = 0; j < cards.length; j++) {
                    y[i][offsets[j] + yTrain[i][j]] = 1;
                }
                for (int c = 0; c < d; c++) {
                    xMean[c] += x[i][c];
                }
                for (int c = 0; c < kAll; c++) {
                    yMean[c] += y[i][c];
                }
            }
            for (int c = 0; c < d; c++) {
                xMean[c] /= n;
            }
            for (int c = 0; c < kAll; c++) {
                yMean[c] /= n;
            }
            for (int i = 0; i < n; i++) {
                for (int c = 0; c < d; c++) {
                    x[i][c] -= xMean[c];
                }
                for (int c = 0; c < kAll; c++) {
                    y[i][c] -= yMean[c];
                }
            }
            gram = RegressionProbe.Ridge.gram(x);
            cross = RegressionProbe.Ridge.cross(x, y);
            penalty = options.ridgeLambda() * n;
        }

        private double[] row(float[] raw) {
            if (std != null) {
                return std.apply(raw);
            }
            double[] out = new double[raw.length];
            for (int c = 0; c < raw.length; c++) {
                out[c] = raw[c];
            }
            return out;
        }

        /** Test rows standardised like the training rows and centred by the training mean. */
        double[][] centred(float[][] xTest) {
            double[][] out = new double[xTest.length][];
            for (int i = 0; i < xTest.length; i++) {
                out[i] = row(xTest[i]);
                for (int c = 0; c < xMean.length; c++) {
                    out[i][c] -= xMean[c];
                }
            }
            return out;
        }

        /** Test accuracy of every factor using the columns cols of the {@link #centred} test rows. */
        double[] accuracies(int[] cols, double[][] xTest, int[][] yTest) {
            int s = cols.length;
            double[][] g = new double[s][s];
            double[][] c = new double[s][];
            for (int a = 0; a < s; a++) {
                for (int b = 0; b < s; b++) {
                    g[a][b] = gram[cols[a]][cols[b]];
                }
                c[a] = cross[cols[a]];
            }
            double[][] w = RegressionProbe.Ridge.solve(g, c, penalty); // s × ΣC
            int kAll = yMean.length;
            int[] correct = new int[cards.length];
            double[] xs = new double[s];
            double[] score = new double[kAll];
            for (int i = 0; i < xTest.length; i++) {
                double[] full = xTest[i];
                for (int a = 0; a < s; a++) {
                    xs[a] = full[cols[a]];
                }
                System.arraycopy(yMean, 0, score, 0, kAll);
                for (int a = 0; a < s; a++) {
                    double v = xs[a];
                    double[] wa = w[a];
                    for (int q = 0; q < kAll; q++) {
                        score[q] += v * wa[q];
                    }
                }
                for (int j = 0; j < cards.length; j++) {
                    int best = 0;
                    for (int q = 1; q < cards[j]; q++) {
                        if (score[offsets[j] + q] > score[offsets[j] + best]) {
                            best = q;
                        }
                    }
                    if (best == yTest[i][j]) {
                        correct[j]++;
                    }
                }
            }
            double[] acc = new double[cards.length];
            for (int j = 0; j < acc.length; j++) {
                acc[j] = (double) correct[j] / xTest.length;
            }
            return acc;
        }
    }
}

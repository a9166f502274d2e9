package dev.diti4j.diti.eval.probe;

import java.util.Arrays;
import org.apache.commons.math3.stat.correlation.PearsonsCorrelation;

/**
 * The scores the probes report (METHOD 7.1, 7.2, 9 "Evaluation"): average precision as
 * scikit-learn's {@code average_precision_score} computes it, accuracy, Pearson's r and the mean
 * squared error, plus chance levels.
 *
 * <h2>Average precision</h2>
 * Sort the examples by score, highest first, and cut after every distinct score value
 * (examples with equal scores are one group, entering together). At cut n let P_n be the
 * precision (positives above the cut / examples above the cut) and R_n the recall (positives above
 * the cut / all positives), with R_0 = 0. Then
 * <pre>   AP = Σ_n (R_n − R_{n−1}) · P_n </pre>
 * a step-wise sum with no interpolation, exactly scikit-learn's definition. Only a column's
 * ranking matters, so logits and probabilities give the same AP.
 *
 * <p>When a column has <b>no positive example</b>, recall is 0/0 and AP is undefined; this
 * package returns NaN for it, and {@link MeanAp} leaves such columns out of the mean and counts
 * how many were used. (scikit-learn warns and, depending on its version, returns 0 or NaN.)
 */
public final class Metrics {
    private Metrics() {
    }

    /**
     * Per-column APs and their mean.
     *
     * @param perColumn AP of every label or class (NaN where it had no positive example)
     * @param mean      the mean of the defined (non-NaN) APs; NaN when none is defined
     * @param defined   how many columns entered the mean
     */
    public record MeanAp(double[] perColumn, double mean, int defined) {
        public MeanAp {
            perColumn = perColumn.clone();
        }

        @Override
        public double[] perColumn() {
            return perColumn.clone();
        }

        @Override
        public String toString() {
            return "MeanAp[mean=" + mean + " over " + defined + " of " + perColumn.length + ", perColumn="
                    + Arrays.toString(perColumn) + "]";
        }

        /** Columns left out of the mean for having no positive example. */
        public int undefined() {
            return perColumn.length - defined;
        }

        static MeanAp of(double[] ap) {
            double[] m = nanMean(ap);
            return new MeanAp(ap, m[0], (int) m[1]);
        }
    }

    // ---- average precision -------------------------------------------------------------

    /**
     * scikit-learn's average precision of one column (see the class comment).
     *
     * @param scores   one finite score per example, higher meaning "more likely positive"
     * @param positive whether each example is positive
     * @return AP in [0, 1], or NaN when no example is positive
     * @throws IllegalArgumentException for a length mismatch, no examples or a non-finite score
     */
    public static double averagePrecision(double[] scores, boolean[] positive) {
        Checks.notNull("scores", scores);
        Checks.notNull("labels", positive);
        Checks.sameRows("scores", scores.length, "the label array", positive.length);
        if (scores.length == 0) {
            throw new IllegalArgumentException("average precision needs at least one example (n = 0)");
        }
        Checks.finiteScores("scores", scores);
        int p = 0;
        for (boolean b : positive) {
            if (b) {
                p++;
            }
        }
        if (p == 0) {
            return Double.NaN;
        }
        // Sort positives' and negatives' scores separately, then walk both from the top: every
        // distinct score is one threshold, and all examples at that score enter together.
        double[] pos = new double[p];
        double[] neg = new double[scores.length - p];
        int ip = 0;
        int in = 0;
        for (int i = 0; i < scores.length; i++) {
            double s = scores[i] + 0.0; // −0.0 and 0.0 are one score
            if (positive[i]) {
                pos[ip++] = s;
            } else {
                neg[in++] = s;
            }
        }
        Arrays.sort(pos);
        Arrays.sort(neg);
        ip = pos.length - 1;
        in = neg.length - 1;
        long tp = 0;
        long fp = 0;
        double ap = 0;
        double prevRecall = 0;
        while (ip >= 0 || in >= 0) {
            double threshold = Math.max(ip >= 0 ? pos[ip] : Double.NEGATIVE_INFINITY,
                    in >= 0 ? neg[in] : Double.NEGATIVE_INFINITY);
            long newTp = 0;
            while (ip >= 0 && pos[ip] == threshold) {
                newTp++;
                ip--;
            }
            while (in >= 0 && neg[in] == threshold) {
                fp++;
                in--;
            }
            tp += newTp;
            if (newTp > 0) {
                double recall = (double) tp / p;
                double precision = (double) tp / (tp + fp);
                ap += (recall - prevRecall) * precision;
                prevRecall = recall;
            }
        }
        return ap;
    }

    /** {@link #averagePrecision(double[], boolean[])} with 0/1 labels. */
    public static double averagePrecision(double[] scores, int[] labels) {
        Checks.notNull("labels", labels);
        boolean[] pos = new boolean[labels.length];
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] != 0 && labels[i] != 1) {
                throw new IllegalArgumentException("labels[" + i + "] = " + labels[i]
                        + "; binary labels must be 0 or 1");
            }
            pos[i] = labels[i] == 1;
        }
        return averagePrecision(scores, pos);
    }

    /**
     * The AP of every column of a multi-label problem and their mean (METHOD 7.1 "Report").
     *
     * @param scores n × L scores
     * @param labels n × L labels, 0 or 1
     */
    public static MeanAp meanAveragePrecision(double[][] scores, int[][] labels) {
        int l = Checks.binaryLabels("labels", labels);
        checkScoreMatrix(scores, labels.length, l);
        return MeanAp.of(perColumnAp(scores, labels, null, l));
    }

    /**
     * One-vs-rest AP of every class of a multi-class problem (class c positive, all others
     * negative, scored by column c) and their mean: METHOD 9's "mean AP one-vs-rest".
     *
     * @param scores  n × C scores (softmax probabilities or logits give different rankings across
     *                examples; {@link SoftmaxProbe} uses probabilities, as a PyTorch or
     *                scikit-learn evaluation would)
     * @param labels  n class indices in [0, C)
     */
    public static MeanAp oneVsRestAveragePrecision(double[][] scores, int[] labels, int classes) {
        Checks.classLabels("labels", labels, classes);
        checkScoreMatrix(scores, labels.length, classes);
        return MeanAp.of(perColumnAp(scores, null, labels, classes));
    }

    private static double[] perColumnAp(double[][] scores, int[][] multi, int[] single, int columns) {
        int n = scores.length;
        double[] ap = new double[columns];
        double[] col = new double[n];
        boolean[] pos = new boolean[n];
        for (int c = 0; c < columns; c++) {
            for (int i = 0; i < n; i++) {
                col[i] = scores[i][c];
                pos[i] = multi != null ? multi[i][c] == 1 : single[i] == c;
            }
            ap[c] = averagePrecision(col, pos);
        }
        return ap;
    }

    private static void checkScoreMatrix(double[][] scores, int n, int columns) {
        Checks.notNull("scores", scores);
        Checks.sameRows("scores", scores.length, "the label array", n);
        for (int i = 0; i < n; i++) {
            if (scores[i] == null || scores[i].length != columns) {
                int got = scores[i] == null ? 0 : scores[i].length;
                throw new IllegalArgumentException("scores row " + i + " has " + got + " columns, expected " + columns);
            }
        }
    }

    // ---- classification ------------------------------------------------------------------

    /** The index of the largest score of every row (the first one on ties). */
    public static int[] argmax(double[][] scores) {
        Checks.notNull("scores", scores);
        int[] out = new int[scores.length];
        for (int i = 0; i < scores.length; i++) {
            double[] row = scores[i];
            int best = 0;
            for (int c = 1; c < row.length; c++) {
                if (row[c] > row[best]) {
                    best = c;
                }
            }
            out[i] = best;
        }
        return out;
    }

    /**
     * The fraction of examples whose prediction equals the truth.
     *
     * @throws IllegalArgumentException for a length mismatch or no examples
     */
    public static double accuracy(int[] predicted, int[] truth) {
        return (double) correct(predicted, truth) / truth.length;
    }

    /** The number of examples whose prediction equals the truth. */
    public static int correct(int[] predicted, int[] truth) {
        Checks.notNull("predictions", predicted);
        Checks.notNull("truth", truth);
        Checks.sameRows("predictions", predicted.length, "the truth", truth.length);
        if (truth.length == 0) {
            throw new IllegalArgumentException("accuracy needs at least one example (n = 0)");
        }
        int k = 0;
        for (int i = 0; i < truth.length; i++) {
            if (predicted[i] == truth[i]) {
                k++;
            }
        }
        return k;
    }

    /**
     * The accuracy of the best constant guess: the share, among {@code test}, of the class that
     * is most frequent in {@code train} (the lowest index on ties). For balanced factors this is
     * about 1/C; for CelebA's skewed binary attributes it is the majority rate.
     */
    public static double chanceAccuracy(int[] train, int[] test, int classes) {
        Checks.classLabels("training labels", train, classes);
        Checks.classLabels("test labels", test, classes);
        if (train.length == 0 || test.length == 0) {
            throw new IllegalArgumentException("chance accuracy needs training and test labels (n = 0)");
        }
        int[] count = new int[classes];
        for (int v : train) {
            count[v]++;
        }
        int major = 0;
        for (int c = 1; c < classes; c++) {
            if (count[c] > count[major]) {
                major = c;
            }
        }
        int hit = 0;
        for (int v : test) {
            if (v == major) {
                hit++;
            }
        }
        return (double) hit / test.length;
    }

    /**
     * (acc − chance) / (1 − chance): 0 at chance, 1 for a perfect probe, negative below chance;
     * NaN when chance is 1 (a constant label leaves nothing to learn).
     */
    public static double aboveChance(double accuracy, double chance) {
        return chance >= 1 ? Double.NaN : (accuracy - chance) / (1 - chance);
    }

    /** softmax(s)_c = exp(s_c − max s) / Σ exp(s_k − max s), with {@link StrictMath#exp}. */
    public static double[] softmax(double[] logits) {
        double max = Double.NEGATIVE_INFINITY;
        for (double v : logits) {
            max = Math.max(max, v);
        }
        double[] p = new double[logits.length];
        double sum = 0;
        for (int c = 0; c < logits.length; c++) {
            p[c] = StrictMath.exp(logits[c] - max);
            sum += p[c];
        }
        for (int c = 0; c < p.length; c++) {
            p[c] /= sum;
        }
        return p;
    }

    // ---- regression ----------------------------------------------------------------------

    /**
     * Pearson's r of two equally long samples (Commons Math {@link PearsonsCorrelation}; scipy's
     * {@code pearsonr}, METHOD 7.2). NaN when either sample is constant.
     *
     * @throws IllegalArgumentException for a length mismatch, fewer than 2 values or a non-finite
     *         value
     */
    public static double pearson(double[] a, double[] b) {
        Checks.notNull("first sample", a);
        Checks.notNull("second sample", b);
        Checks.sameRows("the first sample", a.length, "the second sample", b.length);
        if (a.length < 2) {
            throw new IllegalArgumentException("Pearson's r needs at least 2 pairs, got " + a.length);
        }
        Checks.finiteScores("first sample", a);
        Checks.finiteScores("second sample", b);
        return new PearsonsCorrelation().correlation(a, b);
    }

    /** (1/n) Σ (predicted − truth)². */
    public static double mse(double[] predicted, double[] truth) {
        Checks.notNull("predictions", predicted);
        Checks.notNull("truth", truth);
        Checks.sameRows("predictions", predicted.length, "the truth", truth.length);
        if (truth.length == 0) {
            throw new IllegalArgumentException("the mean squared error needs at least one example (n = 0)");
        }
        double s = 0;
        for (int i = 0; i < truth.length; i++) {
            double e = predicted[i] - truth[i];
            s += e * e;
        }
        return s / truth.length;
    }

    /** {mean of the non-NaN values (NaN if none), how many there were}. */
    static double[] nanMean(double[] v) {
        double s = 0;
        int k = 0;
        for (double x : v) {
            if (!Double.isNaN(x)) {
                s += x;
                k++;
            }
        }
        return new double[] {k == 0 ? Double.NaN : s / k, k};
    }
}

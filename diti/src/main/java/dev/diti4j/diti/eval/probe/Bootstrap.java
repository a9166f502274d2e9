package dev.diti4j.diti.eval.probe;

import dev.diti4j.core.random.Philox;
import java.util.Arrays;
import java.util.function.ToDoubleFunction;

/**
 * Seeded bootstrap percentile intervals for any test-set metric (mAP, mean accuracy over
 * factors, mean Pearson r, …).
 *
 * <p>The test examples are resampled with replacement: resample b (0-based) is n indices, index i
 * being word i mod 4 of Philox block b·⌈n/4⌉ + ⌊i/4⌋ under the seed, mapped to [0, n) by the
 * multiply-shift ⌊w·n / 2³²⌋. So resample b is a pure function of (seed, n, b). The metric is
 * evaluated on each resample; the interval is the (1 − c)/2 and (1 + c)/2 quantiles of those values
 * (linear interpolation between order statistics, numpy's default). A resample on which the metric
 * is undefined (NaN, e.g. AP with no positive drawn) is left out and counted.
 */
public final class Bootstrap {
    /** The usual number of resamples. */
    public static final int DEFAULT_RESAMPLES = 1000;

    private Bootstrap() {
    }

    /**
     * A bootstrap percentile interval.
     *
     * @param estimate  the metric on the test split itself
     * @param lower     the lower percentile
     * @param upper     the upper percentile
     * @param resamples resamples drawn
     * @param undefined resamples on which the metric was NaN (left out)
     */
    public record Result(double estimate, double lower, double upper, int resamples, int undefined) {
        public boolean contains(double v) {
            return v >= lower && v <= upper;
        }

        public double width() {
            return upper - lower;
        }
    }

    /**
     * A 95% interval from {@value #DEFAULT_RESAMPLES} resamples.
     *
     * @see #percentile(int, ToDoubleFunction, int, double, long)
     */
    public static Result percentile(int n, ToDoubleFunction<int[]> metric, long seed) {
        return percentile(n, metric, DEFAULT_RESAMPLES, 0.95, seed);
    }

    /**
     * The bootstrap percentile interval of a metric.
     *
     * @param n          test examples
     * @param metric     the metric of a list of example indices (with repeats); it is called once
     *                   with 0 … n−1 for the estimate and then once per resample, in order
     * @param resamples  how many resamples (≥ 1)
     * @param confidence the coverage c in (0, 1), e.g. 0.95
     * @param seed       Philox key
     * @throws IllegalArgumentException for n &lt; 1, resamples &lt; 1 or c outside (0, 1)
     */
    public static Result percentile(int n, ToDoubleFunction<int[]> metric, int resamples, double confidence,
                                    long seed) {
        if (n < 1) {
            throw new IllegalArgumentException("a bootstrap needs at least one test example (n = 0)");
        }
        Checks.notNull("metric", metric);
        if (resamples < 1) {
            throw new IllegalArgumentException("a bootstrap needs at least one resample, got " + resamples);
        }
        if (!(confidence > 0 && confidence < 1)) {
            throw new IllegalArgumentException("the confidence level must be inside (0, 1), got " + confidence);
        }
        int[] all = new int[n];
        Arrays.setAll(all, i -> i);
        double estimate = metric.applyAsDouble(all);
        double[] values = new double[resamples];
        int defined = 0;
        for (int b = 0; b < resamples; b++) {
            double v = metric.applyAsDouble(resample(n, seed, b));
            if (!Double.isNaN(v)) {
                values[defined++] = v;
            }
        }
        if (defined == 0) {
            return new Result(estimate, Double.NaN, Double.NaN, resamples, resamples);
        }
        double[] sorted = Arrays.copyOf(values, defined);
        Arrays.sort(sorted);
        double alpha = (1 - confidence) / 2;
        return new Result(estimate, quantile(sorted, alpha), quantile(sorted, 1 - alpha), resamples,
                resamples - defined);
    }

    /** The indices of resample b of n examples under the seed (see the class comment). */
    public static int[] resample(int n, long seed, int b) {
        long blocks = (n + 3L) / 4;
        int[] idx = new int[n];
        int[] w = new int[4];
        for (int i = 0; i < n; i += 4) {
            Philox.block(seed, b * blocks + i / 4, w);
            for (int lane = 0; lane < 4 && i + lane < n; lane++) {
                idx[i + lane] = (int) (((w[lane] & 0xFFFFFFFFL) * n) >>> 32);
            }
        }
        return idx;
    }

    /** The q-quantile of sorted values, interpolating linearly at position q·(N − 1). */
    static double quantile(double[] sorted, double q) {
        double h = q * (sorted.length - 1);
        int lo = (int) Math.floor(h);
        int hi = Math.min(lo + 1, sorted.length - 1);
        return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
    }

    // ---- metrics of an index list, ready for percentile() ---------------------------------

    /** The accuracy of the chosen examples. */
    public static ToDoubleFunction<int[]> accuracy(int[] predicted, int[] truth) {
        Checks.notNull("predictions", predicted);
        Checks.notNull("truth", truth);
        Checks.sameRows("predictions", predicted.length, "the truth", truth.length);
        return idx -> {
            int k = 0;
            for (int i : idx) {
                if (predicted[i] == truth[i]) {
                    k++;
                }
            }
            return (double) k / idx.length;
        };
    }

    /**
     * The mean over factors of the per-factor accuracy of the chosen examples.
     *
     * @param predicted n × F predicted values
     * @param truth     n × F true values
     */
    public static ToDoubleFunction<int[]> meanAccuracy(int[][] predicted, int[][] truth) {
        Checks.notNull("predictions", predicted);
        Checks.notNull("truth", truth);
        Checks.sameRows("predictions", predicted.length, "the truth", truth.length);
        if (truth.length == 0) {
            throw new IllegalArgumentException("the truth has no rows (n = 0)");
        }
        int f = truth[0].length;
        for (int i = 0; i < truth.length; i++) {
            if (truth[i].length != f || predicted[i].length != f) {
                throw new IllegalArgumentException("row " + i + " has " + predicted[i].length + " predictions and "
                        + truth[i].length + " true values, expected " + f + " factors");
            }
        }
        return idx -> {
            long k = 0;
            for (int i : idx) {
                for (int j = 0; j < f; j++) {
                    if (predicted[i][j] == truth[i][j]) {
                        k++;
                    }
                }
            }
            return (double) k / ((long) idx.length * f);
        };
    }

    /** The mean AP over labels of the chosen examples (labels without a positive drawn are left out). */
    public static ToDoubleFunction<int[]> meanAveragePrecision(double[][] scores, int[][] labels) {
        Metrics.meanAveragePrecision(scores, labels); // validates the shapes once
        return idx -> {
            double[][] s = new double[idx.length][];
            int[][] y = new int[idx.length][];
            for (int r = 0; r < idx.length; r++) {
                s[r] = scores[idx[r]];
                y[r] = labels[idx[r]];
            }
            return Metrics.meanAveragePrecision(s, y).mean();
        };
    }

    /** The mean one-vs-rest AP over classes of the chosen examples. */
    public static ToDoubleFunction<int[]> meanOneVsRestAveragePrecision(double[][] scores, int[] labels,
                                                                         int classes) {
        Metrics.oneVsRestAveragePrecision(scores, labels, classes);
        return idx -> {
            double[][] s = new double[idx.length][];
            int[] y = new int[idx.length];
            for (int r = 0; r < idx.length; r++) {
                s[r] = scores[idx[r]];
                y[r] = labels[idx[r]];
            }
            return Metrics.oneVsRestAveragePrecision(s, y, classes).mean();
        };
    }

    /**
     * The mean over targets of Pearson's r between predictions and targets on the chosen examples
     * (targets constant on a resample are left out of the mean).
     *
     * @param predicted n × T
     * @param truth     n × T
     */
    public static ToDoubleFunction<int[]> meanPearson(double[][] predicted, double[][] truth) {
        Checks.notNull("predictions", predicted);
        Checks.notNull("truth", truth);
        Checks.sameRows("predictions", predicted.length, "the truth", truth.length);
        if (truth.length < 2) {
            throw new IllegalArgumentException("Pearson's r needs at least 2 examples, got " + truth.length);
        }
        int t = truth[0].length;
        return idx -> {
            double[] a = new double[idx.length];
            double[] b = new double[idx.length];
            double[] r = new double[t];
            for (int k = 0; k < t; k++) {
                for (int q = 0; q < idx.length; q++) {
                    a[q] = predicted[idx[q]][k];
                    b[q] = truth[idx[q]][k];
                }
                r[k] = Metrics.pearson(a, b);
            }
            return Metrics.nanMean(r)[0];
        };
    }
}

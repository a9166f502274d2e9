package dev.diti4j.diti.eval;

import dev.diti4j.core.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * What the factor classifier says about a set of images (see docs/usage/train-dm.md):
 *
 * <ul>
 *   <li><b>confident fraction</b>: the share of images for which, for every one of the seven
 *       factors, the classifier's largest class probability is at least the threshold (0.9): the
 *       image shows one clear value of each factor;</li>
 *   <li>per factor: the share of images whose largest probability for that factor reaches the
 *       threshold (and their mean over factors), the histogram of predicted values (arg max, over all images), and its
 *       normalised entropy H/log K (1 = every value equally often, 0 = always the same value). The
 *       training data draws every factor uniformly, so a model that covers the data scores near 1.</li>
 * </ul>
 */
public final class SampleQuality {
    /** The confidence threshold of the headline number. */
    public static final double THRESHOLD = 0.9;
    /** Factor stream of the real images shown and scored (neither the DM's nor the classifier's). */
    public static final long REAL_DATA_SEED = 303L;

    /** One factor's numbers. */
    public record FactorStats(String name, List<String> values, int[] histogram, double confidentFraction,
            double normalisedEntropy, double meanMaxProbability) {
    }

    /** One image set's numbers. */
    public record SetStats(String name, int count, double confidentFraction, List<FactorStats> factors) {
        /**
         * The mean over factors of the per-factor confident fraction: the share of (image, factor)
         * pairs read with confidence, a gentler number than {@link #confidentFraction()} for models
         * that get some factors right before others.
         */
        public double meanFactorConfidentFraction() {
            return factors.stream().mapToDouble(FactorStats::confidentFraction).average().orElse(0);
        }

        /** The mean of the factors' normalised entropies. */
        public double meanNormalisedEntropy() {
            return factors.stream().mapToDouble(FactorStats::normalisedEntropy).average().orElse(0);
        }
    }

    private SampleQuality() {
    }

    /** Classifies {@code images} (N, 3, S, S) in [−1, 1] and summarises. */
    public static SetStats measure(String name, FactorClassifier classifier, Tensor images, double threshold) {
        return summarise(name, classifier.probabilities(images), threshold);
    }

    /** Summarises class probabilities {@code p[f][i][k]}. */
    public static SetStats summarise(String name, float[][][] p, double threshold) {
        int factors = p.length;
        int n = p[0].length;
        boolean[] allConfident = new boolean[n];
        java.util.Arrays.fill(allConfident, true);
        List<FactorStats> stats = new ArrayList<>();
        for (int f = 0; f < factors; f++) {
            var spec = FactorClassifier.FACTORS[f].spec();
            int[] hist = new int[spec.cardinality()];
            int confident = 0;
            double maxSum = 0;
            for (int i = 0; i < n; i++) {
                int k = argmax(p[f][i]);
                hist[k]++;
                float max = p[f][i][k];
                maxSum += max;
                if (max >= threshold) {
                    confident++;
                } else {
                    allConfident[i] = false;
                }
            }
            stats.add(new FactorStats(spec.name(), spec.values(), hist, confident / (double) n,
                    normalisedEntropy(hist), maxSum / n));
        }
        int all = 0;
        for (boolean b : allConfident) {
            all += b ? 1 : 0;
        }
        return new SetStats(name, n, all / (double) n, stats);
    }

    /** H(h / Σh) / log K for a histogram of K bins: 1 for a flat histogram, 0 for a single bin. */
    public static double normalisedEntropy(int[] hist) {
        long total = 0;
        for (int c : hist) {
            total += c;
        }
        if (total == 0 || hist.length < 2) {
            return 0;
        }
        double h = 0;
        for (int c : hist) {
            if (c > 0) {
                double q = c / (double) total;
                h -= q * StrictMath.log(q);
            }
        }
        return h / StrictMath.log(hist.length);
    }

    /** The index of the largest value (the first on ties). */
    public static int argmax(float[] v) {
        int best = 0;
        for (int i = 1; i < v.length; i++) {
            if (v[i] > v[best]) {
                best = i;
            }
        }
        return best;
    }
}

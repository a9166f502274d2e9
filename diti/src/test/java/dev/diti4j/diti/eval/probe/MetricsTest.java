package dev.diti4j.diti.eval.probe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * Average precision as scikit-learn's {@code average_precision_score}, accuracy, Pearson r, MSE
 * and chance levels (METHOD 7.1, 7.2). The reference numbers were computed by hand from the
 * definition AP = Σ_n (R_n − R_{n−1}) P_n over the distinct scores, highest first (and checked
 * with a numpy transcription of scikit-learn's precision_recall_curve).
 */
class MetricsTest {
    private static final double EXACT = 1e-15;

    @Test
    void scikitLearnDocumentationExample() {
        // scores 0.8 (+), 0.4 (−), 0.35 (+), 0.1 (−); P = 2
        // cut 0.8: P=1/1 R=1/2; cut 0.4: no new positive; cut 0.35: P=2/3 R=1
        // AP = 1/2·1 + 1/2·2/3 = 0.8333…
        double ap = Metrics.averagePrecision(new double[] {0.1, 0.4, 0.35, 0.8}, new int[] {0, 0, 1, 1});
        assertEquals(5.0 / 6.0, ap, EXACT);
    }

    @Test
    void equalScoresEnterTogether() {
        // three examples tied at 0.5 (one positive), a positive at 0.2; P = 2
        // cut 0.5: tp=1 fp=2 → P=1/3, R=1/2; cut 0.2: tp=2 fp=2 → P=1/2, R=1
        // AP = 1/2·1/3 + 1/2·1/2 = 0.41666…  (ranking the tied positive first would give 0.75)
        double ap = Metrics.averagePrecision(new double[] {0.5, 0.5, 0.5, 0.2}, new int[] {1, 0, 0, 1});
        assertEquals(5.0 / 12.0, ap, EXACT);
        // the order of the tied examples in the input does not matter
        double swapped = Metrics.averagePrecision(new double[] {0.5, 0.2, 0.5, 0.5}, new int[] {0, 1, 0, 1});
        assertEquals(5.0 / 12.0, swapped, EXACT);
    }

    @Test
    void referenceValueWithSeveralTieGroups() {
        double[] s = {0.3, 0.7, 0.7, 0.1, 0.9, 0.3, 0.5, 0.7, 0.2, 0.5, 0.9, 0.1};
        int[] y = {1, 0, 1, 0, 1, 0, 1, 1, 0, 0, 0, 1};
        // P = 6. Cuts: 0.9 tp1 fp1 (P 1/2, R 1/6); 0.7 tp3 fp2 (3/5, 3/6); 0.5 tp4 fp3 (4/7, 4/6);
        // 0.3 tp5 fp4 (5/9, 5/6); 0.2 no positive; 0.1 tp6 fp6 (6/12, 1).
        // AP = 1/6·(1/2 + 2·3/5 + 4/7 + 5/9 + 1/2) = 0.5544973544973545
        assertEquals(0.5544973544973545, Metrics.averagePrecision(s, y), EXACT);
    }

    @Test
    void referenceValueWithIntegerScores() {
        double[] s = {2, -1, 0, 0, 3, 1, -1, 2, 0, 1};
        int[] y = {0, 0, 1, 0, 1, 1, 0, 1, 0, 0};
        // P = 4. Cuts: 3 tp1 fp0 (1, 1/4); 2 tp2 fp1 (2/3, 2/4); 1 tp3 fp2 (3/5, 3/4); 0 tp4 fp4 (1/2, 1).
        // AP = 1/4·(1 + 2/3 + 3/5 + 1/2) = 0.6916666666666667
        assertEquals(0.6916666666666667, Metrics.averagePrecision(s, y), EXACT);
    }

    @Test
    void perfectRankingAndAllPositiveGiveOne() {
        assertEquals(1.0, Metrics.averagePrecision(new double[] {3, 2, 1, 0}, new int[] {1, 1, 0, 0}), EXACT);
        assertEquals(1.0, Metrics.averagePrecision(new double[] {0, 5, 5}, new int[] {1, 1, 1}), EXACT);
        // worst ranking: positives last. cut 1: P 1/3 R 1/2 ... AP = 1/2·1/3 + 1/2·2/4 = 5/12
        assertEquals(5.0 / 12, Metrics.averagePrecision(new double[] {3, 2, 1, 0}, new int[] {0, 0, 1, 1}), EXACT);
    }

    @Test
    void apOnlyDependsOnTheRanking() {
        double[] s = {0.3, -1.2, 2.5, 0.0, 0.7, -0.1};
        int[] y = {1, 0, 1, 0, 0, 1};
        double[] sig = new double[s.length];
        for (int i = 0; i < s.length; i++) {
            sig[i] = 1 / (1 + Math.exp(-s[i]));
        }
        assertEquals(Metrics.averagePrecision(s, y), Metrics.averagePrecision(sig, y), EXACT);
    }

    @Test
    void noPositiveIsNaNAndLeftOutOfTheMean() {
        assertTrue(Double.isNaN(Metrics.averagePrecision(new double[] {1, 2}, new int[] {0, 0})));
        double[][] scores = {{0.9, 0.1, 0.3}, {0.2, 0.8, 0.6}, {0.4, 0.5, 0.7}};
        int[][] labels = {{1, 0, 0}, {0, 0, 1}, {0, 0, 0}};
        Metrics.MeanAp m = Metrics.meanAveragePrecision(scores, labels);
        // label 0: positive ranked first → 1; label 1: no positive → NaN;
        // label 2: scores 0.7 (−), 0.6 (+), 0.3 (−) → P 1/2 at R 1 → 0.5
        assertEquals(1.0, m.perColumn()[0], EXACT);
        assertTrue(Double.isNaN(m.perColumn()[1]));
        assertEquals(0.5, m.perColumn()[2], EXACT);
        assertEquals(0.75, m.mean(), EXACT);
        assertEquals(2, m.defined());
        assertEquals(1, m.undefined());
    }

    @Test
    void oneVsRestApScoresEachClassColumn() {
        double[][] p = {{0.7, 0.2, 0.1}, {0.1, 0.6, 0.3}, {0.5, 0.1, 0.4}, {0.2, 0.3, 0.5}};
        int[] y = {0, 1, 2, 2};
        Metrics.MeanAp m = Metrics.oneVsRestAveragePrecision(p, y, 3);
        // class 0: 0.7 (+) first → 1; class 1: 0.6 (+) first → 1;
        // class 2: 0.5 (+), 0.4 (+) → 1
        assertEquals(1.0, m.mean(), EXACT);
        int[] y2 = {1, 1, 2, 2};
        // class 0 now has no positive → NaN; class 1: 0.6 (+), 0.3 (−), 0.2 (+) → 1/2·1 + 1/2·2/3 = 5/6
        Metrics.MeanAp m2 = Metrics.oneVsRestAveragePrecision(p, y2, 3);
        assertTrue(Double.isNaN(m2.perColumn()[0]));
        assertEquals(5.0 / 6, m2.perColumn()[1], EXACT);
        assertEquals((5.0 / 6 + 1) / 2, m2.mean(), EXACT);
    }

    @Test
    void accuracyPearsonAndMseOnSmallCases() {
        assertEquals(0.75, Metrics.accuracy(new int[] {0, 1, 2, 2}, new int[] {0, 1, 2, 0}), EXACT);
        // deviations from 2.5: a = (−1.5, −.5, .5, 1.5), b = (−.5, −1.5, 1.5, .5)
        // Σab = .75 + .75 + .75 + .75 = 3, Σa² = Σb² = 5 → r = 3/5
        double[] a = {1, 2, 3, 4};
        double[] b = {2, 1, 4, 3};
        assertEquals(0.6, Metrics.pearson(a, b), 1e-15);
        assertEquals(-1.0, Metrics.pearson(a, new double[] {8, 6, 4, 2}), 1e-15);
        assertTrue(Double.isNaN(Metrics.pearson(a, new double[] {1, 1, 1, 1})));
        // squared errors 1, 1, 1, 1
        assertEquals(1.0, Metrics.mse(a, b), EXACT);
        assertEquals(2.25, Metrics.mse(new double[] {0, 0}, new double[] {1.5, -1.5}), EXACT);
    }

    @Test
    void chanceIsTheMajorityTrainingClassOnTheTestSplit() {
        int[] train = {0, 1, 1, 2, 1};
        int[] test = {1, 0, 1, 2};
        assertEquals(0.5, Metrics.chanceAccuracy(train, test, 3), EXACT);
        assertEquals(0.0, Metrics.aboveChance(0.5, 0.5), EXACT);
        assertEquals(1.0, Metrics.aboveChance(1.0, 0.25), EXACT);
        assertEquals(0.5, Metrics.aboveChance(0.625, 0.25), EXACT);
        assertTrue(Double.isNaN(Metrics.aboveChance(1.0, 1.0)));
    }

    @Test
    void softmaxIsStableForLargeLogits() {
        double[] p = Metrics.softmax(new double[] {1000, 1000, 0});
        assertEquals(0.5, p[0], 1e-15);
        assertEquals(0.5, p[1], 1e-15);
        assertEquals(0.0, p[2], 1e-15);
    }
}

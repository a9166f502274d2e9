package dev.diti4j.diti.eval.probe;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.concurrent.ForkJoinPool;
import org.junit.jupiter.api.Test;

/**
 * The three linear probes (METHOD 7.1, 7.2, 9 "Evaluation"): they learn separable data, stay at
 * chance on random labels, select the best validation epoch, and repeat bit for bit.
 */
class LinearProbesTest {
    private static final int D = 16;
    private static final int C = 4;

    // ---- softmax -----------------------------------------------------------------------

    @Test
    void softmaxLearnsSeparableClasses() {
        int[] yTr = ProbeData.uniformLabels(2000, C, 1);
        int[] yVa = ProbeData.uniformLabels(500, C, 2);
        int[] yTe = ProbeData.uniformLabels(1000, C, 3);
        float[][] xTr = ProbeData.classClusters(yTr, D, 4f, 11);
        float[][] xVa = ProbeData.classClusters(yVa, D, 4f, 12);
        float[][] xTe = ProbeData.classClusters(yTe, D, 4f, 13);
        ProbeFit fit = SoftmaxProbe.fit(xTr, yTr, C, xVa, yVa, ProbeConfig.reference());
        SoftmaxProbe.Score s = SoftmaxProbe.evaluate(fit.model(), xTe, yTe);
        assertTrue(s.accuracy() >= 0.95, "accuracy " + s.accuracy());
        assertTrue(s.oneVsRest().mean() >= 0.95, "mean one-vs-rest AP " + s.oneVsRest().mean());
        assertEquals(C, s.oneVsRest().defined());
        assertTrue(s.wilson().contains(s.accuracy()));
        assertEquals(C, fit.model().outputs());
        assertEquals(D, fit.model().inputs());
        // class 0 sits at +4·e_0 and class 1 at −4·e_0: their weight rows point that way
        assertTrue(fit.model().weightRow(0)[0] > 0 && fit.model().weightRow(1)[0] < 0);
    }

    @Test
    void softmaxOnRandomLabelsStaysAtChance() {
        int d = 32;
        float[][] xTr = ProbeData.gaussian(4000, d, 21);
        float[][] xTe = ProbeData.gaussian(2000, d, 22);
        int[] yTr = ProbeData.uniformLabels(4000, C, 23);
        int[] yTe = ProbeData.uniformLabels(2000, C, 24);
        ProbeFit fit = SoftmaxProbe.fit(xTr, yTr, C, null, null, ProbeConfig.reference());
        SoftmaxProbe.Score s = SoftmaxProbe.evaluate(fit.model(), xTe, yTe);
        double chance = Metrics.chanceAccuracy(yTr, yTe, C);
        assertTrue(Math.abs(s.accuracy() - chance) < 0.1, "accuracy " + s.accuracy() + " vs chance " + chance);
        assertTrue(s.accuracy() < 0.25 + 0.1);
        // on the training split itself the probe may fit a little noise, but not much with n ≫ d
        double train = SoftmaxProbe.evaluate(fit.model(), xTr, yTr).accuracy();
        assertTrue(train < 0.4, "training accuracy " + train);
    }

    @Test
    void theSelectedEpochIsTheFirstBestValidationScore() {
        int[] yTr = ProbeData.uniformLabels(600, C, 31);
        int[] yVa = ProbeData.uniformLabels(300, C, 32);
        float[][] xTr = ProbeData.classClusters(yTr, D, 1f, 33);
        float[][] xVa = ProbeData.classClusters(yVa, D, 1f, 34);
        ProbeFit fit = SoftmaxProbe.fit(xTr, yTr, C, xVa, yVa, ProbeConfig.reference().withEpochs(12));
        double[] curve = fit.validationCurve();
        assertEquals(12, curve.length);
        double best = Arrays.stream(curve).max().orElseThrow();
        int first = 0;
        while (curve[first] != best) {
            first++;
        }
        assertEquals(first + 1, fit.bestEpoch());
        assertEquals(best, SoftmaxProbe.evaluate(fit.model(), xVa, yVa).accuracy(), 0);
        // without a validation split the last epoch is kept
        ProbeFit last = SoftmaxProbe.fit(xTr, yTr, C, null, null, ProbeConfig.reference().withEpochs(12));
        assertEquals(12, last.bestEpoch());
        assertEquals(0, last.validationCurve().length);
    }

    @Test
    void standardisedProbeHandlesBadlyScaledFeaturesAndFoldsBack() {
        int[] yTr = ProbeData.uniformLabels(1000, C, 41);
        int[] yTe = ProbeData.uniformLabels(500, C, 42);
        float[][] xTr = scaled(ProbeData.classClusters(yTr, D, 4f, 43));
        float[][] xTe = scaled(ProbeData.classClusters(yTe, D, 4f, 44));
        ProbeFit fit = SoftmaxProbe.fit(xTr, yTr, C, null, null, ProbeConfig.fullBatch().withStandardize(true));
        assertTrue(fit.model().standardizer().isPresent());
        assertTrue(SoftmaxProbe.evaluate(fit.model(), xTe, yTe).accuracy() >= 0.95);
        LinearModel raw = fit.model().foldedIntoRawFeatures();
        double[][] a = fit.model().scores(xTe);
        double[][] b = raw.scores(xTe);
        for (int i = 0; i < a.length; i++) {
            assertArrayEquals(a[i], b[i], 1e-6 * (1 + Math.abs(a[i][0])));
        }
    }

    /** Dimension j multiplied by 10^(j mod 4 − 1) and shifted by 100. */
    private static float[][] scaled(float[][] x) {
        for (float[] row : x) {
            for (int j = 0; j < row.length; j++) {
                row[j] = (float) (row[j] * Math.pow(10, j % 4 - 1) + 100);
            }
        }
        return x;
    }

    // ---- multi-label -------------------------------------------------------------------

    @Test
    void multiLabelLearnsSeparableLabels() {
        int labels = 5;
        float[][] xTr = ProbeData.gaussian(2000, D, 51);
        float[][] xVa = ProbeData.gaussian(500, D, 52);
        float[][] xTe = ProbeData.gaussian(1000, D, 53);
        ProbeFit fit = MultiLabelProbe.fit(xTr, thresholdLabels(xTr, labels), xVa, thresholdLabels(xVa, labels),
                ProbeConfig.reference());
        Metrics.MeanAp ap = MultiLabelProbe.evaluate(fit.model(), xTe, thresholdLabels(xTe, labels));
        assertTrue(ap.mean() >= 0.95, "mAP " + ap.mean());
        assertEquals(labels, ap.defined());
        for (double v : ap.perColumn()) {
            assertTrue(v >= 0.9, Arrays.toString(ap.perColumn()));
        }
    }

    @Test
    void multiLabelOnRandomLabelsStaysAtTheBaseRate() {
        int labels = 4;
        float[][] xTr = ProbeData.gaussian(4000, 32, 61);
        float[][] xTe = ProbeData.gaussian(2000, 32, 62);
        int[][] yTr = randomBinary(4000, labels, 63);
        int[][] yTe = randomBinary(2000, labels, 64);
        ProbeFit fit = MultiLabelProbe.fit(xTr, yTr, null, null, ProbeConfig.reference());
        Metrics.MeanAp ap = MultiLabelProbe.evaluate(fit.model(), xTe, yTe);
        // a ranking unrelated to the labels has AP ≈ the positive rate, 0.5
        assertTrue(ap.mean() < 0.5 + 0.1 && ap.mean() > 0.5 - 0.1, "mAP " + ap.mean());
    }

    /** Label l = [x_l + x_{l+1} > 0]: a half-space per label. */
    private static int[][] thresholdLabels(float[][] x, int labels) {
        int[][] y = new int[x.length][labels];
        for (int i = 0; i < x.length; i++) {
            for (int l = 0; l < labels; l++) {
                y[i][l] = x[i][l] + x[i][l + 1] > 0 ? 1 : 0;
            }
        }
        return y;
    }

    private static int[][] randomBinary(int n, int labels, long seed) {
        int[] flat = ProbeData.uniformLabels(n * labels, 2, seed);
        int[][] y = new int[n][labels];
        for (int i = 0; i < n; i++) {
            System.arraycopy(flat, i * labels, y[i], 0, labels);
        }
        return y;
    }

    // ---- regression --------------------------------------------------------------------

    @Test
    void ridgeRecoversKnownCoefficients() {
        int n = 500;
        int d = 6;
        double[][] w = {{1.5, -2, 0, 0.5, 0, 3}, {0, 0, 1, 0, -1, 0}};
        double[] b = {0.25, -4};
        float[][] x = ProbeData.gaussian(n, d, 71);
        float[][] noise = ProbeData.gaussian(n, 2, 72);
        float[][] exact = new float[n][2];
        float[][] noisy = new float[n][2];
        for (int i = 0; i < n; i++) {
            for (int k = 0; k < 2; k++) {
                double v = b[k];
                for (int j = 0; j < d; j++) {
                    v += w[k][j] * x[i][j];
                }
                exact[i][k] = (float) v;
                noisy[i][k] = (float) (v + 0.01 * noise[i][k]);
            }
        }
        RegressionProbe.RidgeFit fit = RegressionProbe.fit(x, exact, 0.0);
        for (int k = 0; k < 2; k++) {
            assertArrayEquals(w[k], fit.model().weightRow(k), 1e-5);
            assertEquals(b[k], fit.model().bias()[k], 1e-5);
        }
        RegressionProbe.RidgeFit ridge = RegressionProbe.fit(x, noisy, 1e-4);
        for (int k = 0; k < 2; k++) {
            assertArrayEquals(w[k], ridge.model().weightRow(k), 5e-3);
        }
        RegressionProbe.Score s = RegressionProbe.evaluate(ridge.model(), x, noisy);
        assertEquals(2, s.definedPearson());
        assertTrue(s.meanPearson() > 0.9999, "r " + s.meanPearson());
        assertTrue(s.meanMse() < 2e-4, "MSE " + s.meanMse());
    }

    @Test
    void ridgePicksThePenaltyByValidationPearson() {
        // few examples, many noise features: a strong penalty generalises better than none
        int d = 40;
        float[][] xTr = ProbeData.gaussian(60, d, 81);
        float[][] xVa = ProbeData.gaussian(400, d, 82);
        float[][] yTr = firstDimPlusNoise(xTr, 83);
        float[][] yVa = firstDimPlusNoise(xVa, 84);
        double[] lambdas = {0.0, 0.1, 1.0};
        RegressionProbe.RidgeFit fit = RegressionProbe.fit(xTr, yTr, xVa, yVa, lambdas, false);
        double[] curve = fit.validationMeanPearson();
        assertEquals(3, curve.length);
        assertTrue(curve[0] < Math.max(curve[1], curve[2]), Arrays.toString(curve));
        assertFalse(fit.lambda() == 0.0);
    }

    private static float[][] firstDimPlusNoise(float[][] x, long seed) {
        float[][] e = ProbeData.gaussian(x.length, 1, seed);
        float[][] y = new float[x.length][1];
        for (int i = 0; i < x.length; i++) {
            y[i][0] = x[i][0] + e[i][0];
        }
        return y;
    }

    // ---- determinism -------------------------------------------------------------------

    @Test
    void sameSeedSameBitsDifferentSeedDifferentWeights() {
        int[] y = ProbeData.uniformLabels(700, C, 91);
        float[][] x = ProbeData.classClusters(y, D, 1f, 92);
        ProbeConfig cfg = ProbeConfig.reference().withShuffle(true).withEpochs(4).withSeed(7);
        LinearModel a = SoftmaxProbe.fit(x, y, C, null, null, cfg).model();
        LinearModel b = SoftmaxProbe.fit(x, y, C, null, null, cfg).model();
        LinearModel c = SoftmaxProbe.fit(x, y, C, null, null, cfg.withSeed(8)).model();
        assertTrue(Arrays.deepEquals(a.weights(), b.weights()));
        assertArrayEquals(a.bias(), b.bias());
        assertFalse(Arrays.deepEquals(a.weights(), c.weights()));
    }

    @Test
    void parallelTrainingGivesTheSameBitsForAnyPoolSize() throws Exception {
        int[] y = ProbeData.uniformLabels(700, C, 101);
        float[][] x = ProbeData.classClusters(y, D, 1f, 102);
        int[][] yMulti = thresholdLabels(x, 3);
        ProbeConfig serial = ProbeConfig.reference().withEpochs(3).withShuffle(true);
        ProbeConfig parallel = serial.withParallel(true);
        LinearModel ref = SoftmaxProbe.fit(x, y, C, null, null, serial).model();
        LinearModel refMulti = MultiLabelProbe.fit(x, yMulti, null, null, serial).model();
        for (int threads : new int[] {1, 2, 3}) {
            ForkJoinPool pool = new ForkJoinPool(threads);
            try {
                LinearModel m = pool.submit(() -> SoftmaxProbe.fit(x, y, C, x, y, parallel).model()).get();
                LinearModel mm = pool.submit(() -> MultiLabelProbe.fit(x, yMulti, null, null, parallel).model()).get();
                // with a validation split the best epoch may differ from the last; compare the last-epoch fits too
                LinearModel last = pool.submit(() -> SoftmaxProbe.fit(x, y, C, null, null, parallel).model()).get();
                assertTrue(Arrays.deepEquals(ref.weights(), last.weights()), threads + " threads");
                assertArrayEquals(ref.bias(), last.bias());
                assertTrue(Arrays.deepEquals(refMulti.weights(), mm.weights()), threads + " threads");
                LinearModel serialSelected = SoftmaxProbe.fit(x, y, C, x, y, serial).model();
                assertTrue(Arrays.deepEquals(serialSelected.weights(), m.weights()), threads + " threads");
            } finally {
                pool.shutdown();
            }
        }
    }
}

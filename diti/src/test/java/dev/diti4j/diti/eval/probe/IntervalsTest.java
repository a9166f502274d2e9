package dev.diti4j.diti.eval.probe;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.function.ToDoubleFunction;
import org.junit.jupiter.api.Test;

/** Wilson score intervals and the seeded bootstrap percentile interval. */
class IntervalsTest {
    @Test
    void wilsonMatchesKnownValues() {
        // 8/10: centre (0.8 + 0.19208)/1.38416 = 0.71675, half 1.41602·√(0.016 + 0.009604) = 0.22658
        Intervals.Interval i = Intervals.wilson(8, 10);
        assertEquals(0.4902, i.lower(), 1e-4);
        assertEquals(0.9433, i.upper(), 1e-4);
        // 0/10: [0, z²/(n + z²)] = [0, 3.8416/13.8416]
        Intervals.Interval zero = Intervals.wilson(0, 10);
        assertEquals(0.0, zero.lower(), 1e-12);
        assertEquals(3.8416 / 13.8416, zero.upper(), 1e-12);
        // n/n mirrors 0/n
        Intervals.Interval all = Intervals.wilson(10, 10);
        assertEquals(1 - 3.8416 / 13.8416, all.lower(), 1e-12);
        assertEquals(1.0, all.upper(), 1e-12);
        // 50/100: centre 0.5, half 1.96/1.038416·√(0.0025 + 0.00009604) = 0.096170
        Intervals.Interval half = Intervals.wilson(50, 100);
        assertEquals(0.5 - 0.096170, half.lower(), 1e-5);
        assertEquals(0.5 + 0.096170, half.upper(), 1e-5);
    }

    @Test
    void resamplesAreInRangeAndAFunctionOfSeedAndIndex() {
        int[] a = Bootstrap.resample(37, 5L, 3);
        assertArrayEquals(a, Bootstrap.resample(37, 5L, 3));
        assertFalse(java.util.Arrays.equals(a, Bootstrap.resample(37, 5L, 4)));
        assertFalse(java.util.Arrays.equals(a, Bootstrap.resample(37, 6L, 3)));
        for (int v : a) {
            assertTrue(v >= 0 && v < 37);
        }
    }

    @Test
    void bootstrapContainsTheEstimateShrinksWithNAndRepeatsForASeed() {
        Bootstrap.Result small = Bootstrap.percentile(100, accuracyOf(100, 70), 11L);
        Bootstrap.Result large = Bootstrap.percentile(1600, accuracyOf(1600, 1120), 11L);
        assertEquals(0.7, small.estimate(), 1e-12);
        assertTrue(small.contains(small.estimate()), small.toString());
        assertTrue(large.contains(large.estimate()), large.toString());
        // the width goes as 1/√n: 16× the examples, about a quarter of the width
        double ratio = large.width() / small.width();
        assertTrue(ratio > 0.15 && ratio < 0.4, "width ratio " + ratio);
        // the 95% percentile interval of an accuracy of 0.7 on 100 examples is close to ±1.96·√(0.21/100)
        assertEquals(2 * 1.96 * Math.sqrt(0.21 / 100), small.width(), 0.03);
        assertEquals(small, Bootstrap.percentile(100, accuracyOf(100, 70), 11L));
        assertNotEquals(small, Bootstrap.percentile(100, accuracyOf(100, 70), 12L));
        assertEquals(0, small.undefined());
        assertEquals(Bootstrap.DEFAULT_RESAMPLES, small.resamples());
    }

    @Test
    void undefinedResamplesAreCountedAndLeftOut() {
        // one positive among 50 examples: about (49/50)^50 ≈ 36% of the resamples draw none
        double[][] scores = new double[50][1];
        int[][] labels = new int[50][1];
        for (int i = 0; i < 50; i++) {
            scores[i][0] = i;
        }
        labels[49][0] = 1;
        Bootstrap.Result r = Bootstrap.percentile(50, Bootstrap.meanAveragePrecision(scores, labels), 200, 0.9, 3L);
        assertEquals(1.0, r.estimate(), 0);
        assertTrue(r.undefined() > 40 && r.undefined() < 110, "undefined resamples " + r.undefined());
        assertEquals(1.0, r.lower(), 0);
        assertEquals(1.0, r.upper(), 0);
    }

    @Test
    void meanAccuracyAndPearsonMetricsOnTheIdentityResampleEqualTheDirectValues() {
        int[][] pred = {{0, 1}, {1, 1}, {2, 0}, {0, 0}};
        int[][] truth = {{0, 1}, {1, 0}, {2, 0}, {1, 0}};
        assertEquals(6.0 / 8, Bootstrap.meanAccuracy(pred, truth).applyAsDouble(new int[] {0, 1, 2, 3}), 1e-15);
        assertEquals(1.0, Bootstrap.meanAccuracy(pred, truth).applyAsDouble(new int[] {0, 0, 2}), 1e-15);
        double[][] p = {{1, 2}, {2, 1}, {3, 4}, {4, 3}};
        double[][] t = {{2, 1}, {1, 2}, {4, 3}, {3, 4}};
        // target 0: r of (1,2,3,4) and (2,1,4,3) = 0.6; target 1: r of (2,1,4,3) and (1,2,3,4) = 0.6
        ToDoubleFunction<int[]> m = Bootstrap.meanPearson(p, t);
        assertEquals(0.6, m.applyAsDouble(new int[] {0, 1, 2, 3}), 1e-15);
    }

    private static ToDoubleFunction<int[]> accuracyOf(int n, int correct) {
        int[] truth = new int[n];
        int[] pred = new int[n];
        for (int i = 0; i < n; i++) {
            // spread the correct ones evenly so no resample structure lines up with them
            pred[i] = (long) i * correct / n != (long) (i + 1) * correct / n ? 0 : 1;
        }
        return Bootstrap.accuracy(pred, truth);
    }
}

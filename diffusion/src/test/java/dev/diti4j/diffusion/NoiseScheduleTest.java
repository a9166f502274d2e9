package dev.diti4j.diffusion;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class NoiseScheduleTest {
    private final NoiseSchedule lin = NoiseSchedule.linear();

    /** Relative closeness: |a - e| <= rel * |e|. */
    static void assertRel(double expected, double actual, double rel, String what) {
        assertTrue(Math.abs(actual - expected) <= rel * Math.abs(expected),
                what + ": expected " + expected + " within " + (rel * 100) + "%, got " + actual);
    }

    @Test
    void linearBetasSpanTheMethodRange() {
        assertEquals(1000, lin.steps());
        assertEquals(1e-4, lin.beta(0), 0);
        assertEquals(0.02, lin.beta(999), 0);
        assertEquals(1e-4 + 500 * (0.02 - 1e-4) / 999, lin.beta(500), 1e-15);
        assertEquals(1 - lin.beta(7), lin.alpha(7), 0);
    }

    @Test
    void abarMatchesTheMethodAppendix() {
        // METHOD appendix (linear beta, T = 1000), three significant figures.
        assertEquals(0.9999, lin.abar(0), 1e-12);
        assertRel(0.970, lin.abar(50), 0.001, "abar_50");
        assertRel(0.895, lin.abar(100), 0.001, "abar_100");
        assertRel(0.394, lin.abar(300), 0.002, "abar_300");
        assertRel(0.0778, lin.abar(500), 0.002, "abar_500");
        assertTrue(lin.abar(999) > 3e-5 && lin.abar(999) < 5e-5, "abar_999 ~ 4e-5, got " + lin.abar(999));
        assertEquals(1.0, lin.abarPrev(0), 0);
        assertEquals(lin.abar(41), lin.abarPrev(42), 0);
        assertEquals(lin.abar(41) * lin.alpha(42), lin.abar(42), 1e-15);
    }

    @Test
    void samplingShiftCoefficientMatchesAppendix() {
        assertRel(0.0100, lin.sqrtOneMinusAbar(0), 1e-3, "sqrt(1-abar_0)");
        assertRel(0.01483, lin.sqrtOneMinusAbar(1), 1e-3, "sqrt(1-abar_1)");
        assertRel(0.0468, lin.sqrtOneMinusAbar(10), 2e-3, "sqrt(1-abar_10)");
        assertRel(0.1734, lin.sqrtOneMinusAbar(50), 1e-3, "sqrt(1-abar_50)");
        assertRel(0.3238, lin.sqrtOneMinusAbar(100), 1e-3, "sqrt(1-abar_100)");
        assertRel(0.7785, lin.sqrtOneMinusAbar(300), 1e-3, "sqrt(1-abar_300)");
        assertRel(1.0000, lin.sqrtOneMinusAbar(999), 1e-4, "sqrt(1-abar_999)");
    }

    @Test
    void trainingShiftCoefficientMatchesAppendix() {
        assertEquals(0.0, lin.shiftCoefficient(0), 0);
        assertRel(0.00674, lin.shiftCoefficient(1), 2e-3, "c_1");
        assertRel(0.0405, lin.shiftCoefficient(10), 2e-3, "c_10");
        assertRel(0.1671, lin.shiftCoefficient(50), 1e-3, "c_50");
        assertRel(0.3177, lin.shiftCoefficient(100), 1e-3, "c_100");
        assertRel(0.7730, lin.shiftCoefficient(300), 1e-3, "c_300");
        assertRel(0.9899, lin.shiftCoefficient(999), 1e-3, "c_999");
        // METHOD 6.1: c_t / sqrt(1 - abar_t) is 0.86 at 10, 0.96 at 50, >= 0.98 from 100. At t = 1 it
        // quotes 0.46, but its own appendix gives 0.00674 / 0.01483 = 0.4545, which is what we get.
        assertEquals(0.00674 / 0.01483, lin.shiftCoefficient(1) / lin.sqrtOneMinusAbar(1), 0.001);
        assertEquals(0.86, lin.shiftCoefficient(10) / lin.sqrtOneMinusAbar(10), 0.005);
        assertEquals(0.96, lin.shiftCoefficient(50) / lin.sqrtOneMinusAbar(50), 0.005);
        for (int t = 100; t < 1000; t++) {
            assertTrue(lin.shiftCoefficient(t) / lin.sqrtOneMinusAbar(t) >= 0.98, "ratio at t=" + t);
        }
    }

    @Test
    void posteriorVarianceAndMeanCoefficients() {
        assertEquals(0.0, lin.posteriorVariance(0), 0);
        assertEquals(Math.log(lin.posteriorVariance(1)), lin.posteriorLogVarianceClipped(0), 0);
        assertEquals(Math.log(lin.posteriorVariance(500)), lin.posteriorLogVarianceClipped(500), 1e-15);
        for (int t = 1; t < 1000; t += 37) {
            double bt = lin.beta(t) * (1 - lin.abar(t - 1)) / (1 - lin.abar(t));
            assertEquals(bt, lin.posteriorVariance(t), 1e-15, "beta~_" + t);
            assertTrue(lin.posteriorVariance(t) < lin.beta(t), "beta~ < beta at t=" + t);
            // mu~(x_t, x_0) with x_0 = (x_t - sqrt(1-abar) eps)/sqrt(abar) equals the eps form of the mean.
            double xt = 0.7;
            double eps = -1.3;
            double x0 = (xt - Math.sqrt(1 - lin.abar(t)) * eps) / Math.sqrt(lin.abar(t));
            double viaX0 = lin.posteriorMeanCoefX0(t) * x0 + lin.posteriorMeanCoefXt(t) * xt;
            double viaEps = (xt - lin.beta(t) / Math.sqrt(1 - lin.abar(t)) * eps) / Math.sqrt(lin.alpha(t));
            assertEquals(viaEps, viaX0, 1e-12, "posterior mean forms at t=" + t);
        }
        // At t = 0 the posterior mean is x_0 itself.
        assertEquals(1.0, lin.posteriorMeanCoefX0(0), 1e-12);
        assertEquals(0.0, lin.posteriorMeanCoefXt(0), 0);
    }

    @Test
    void snrAndSqrtTables() {
        for (int t : new int[] {0, 1, 250, 999}) {
            double a = lin.abar(t);
            assertEquals(a / (1 - a), lin.snr(t), 1e-9 * lin.snr(t));
            assertEquals(Math.sqrt(a), lin.sqrtAbar(t), 1e-15);
            assertEquals(Math.sqrt(1 / a), lin.sqrtRecipAbar(t), 1e-12 * lin.sqrtRecipAbar(t));
            assertEquals(Math.sqrt(1 / a - 1), lin.sqrtRecipAbarMinusOne(t), 1e-12 * lin.sqrtRecipAbarMinusOne(t));
        }
    }

    @Test
    void cosineScheduleFollowsTheSquaredCosine() {
        NoiseSchedule cos = NoiseSchedule.cosine();
        assertEquals(NoiseSchedule.Kind.COSINE, cos.kind());
        double f0 = Math.pow(Math.cos(0.008 / 1.008 * Math.PI / 2), 2);
        for (int t : new int[] {0, 10, 500, 900}) {
            double expected = Math.pow(Math.cos(((t + 1) / 1000.0 + 0.008) / 1.008 * Math.PI / 2), 2) / f0;
            assertEquals(expected, cos.abar(t), 1e-9, "cosine abar_" + t);
        }
        assertEquals(0.5, cos.abar(499), 0.02);
        double prev = 1;
        for (int t = 0; t < 1000; t++) {
            assertTrue(cos.beta(t) <= 0.999, "beta clipped at t=" + t);
            assertTrue(cos.abar(t) < prev, "abar decreasing at t=" + t);
            prev = cos.abar(t);
        }
        assertEquals(0.999, cos.beta(999), 0, "the last beta hits the clip");
    }

    @Test
    void ofRescalesLinearAndRejectsBadInput() {
        NoiseSchedule s = NoiseSchedule.of(NoiseSchedule.Kind.LINEAR, 1000);
        assertEquals(lin, s);
        NoiseSchedule half = NoiseSchedule.of(NoiseSchedule.Kind.LINEAR, 500);
        assertEquals(2e-4, half.beta(0), 1e-15);
        assertThrows(IllegalArgumentException.class, () -> lin.abar(1000));
        assertThrows(IllegalArgumentException.class, () -> lin.beta(-1));
        assertThrows(IllegalArgumentException.class, () -> NoiseSchedule.linear(1, 1e-4, 0.02));
        assertThrows(IllegalArgumentException.class, () -> NoiseSchedule.linear(10, 0.02, 1e-4));
        assertThrows(IllegalArgumentException.class, () -> NoiseSchedule.fromBetas(new double[] {0.1, 1.0}));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> lin.snr(1234));
        assertEquals("time step 1234 is outside [0, 1000)", e.getMessage());
    }
}

package dev.diti4j.diffusion;

import static dev.diti4j.diffusion.NoiseScheduleTest.assertRel;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.diti4j.core.Tensor;
import dev.diti4j.core.backend.Backends;
import org.junit.jupiter.api.Test;

class TimestepWeightsTest {
    private final NoiseSchedule lin = NoiseSchedule.linear();
    private final TimestepWeights pdae = TimestepWeights.pdae(lin);

    @Test
    void pdaeWeightsMatchTheMethodValues() {
        // METHOD 2.3 and its appendix.
        assertRel(2.51e-4, pdae.weight(0), 2e-3, "lambda_0");
        assertRel(5.11e-4, pdae.weight(1), 2e-3, "lambda_1");
        assertRel(4.05e-3, pdae.weight(10), 2e-3, "lambda_10");
        assertRel(0.0425, pdae.weight(50), 2e-3, "lambda_50");
        assertRel(0.130, pdae.weight(100), 3e-3, "lambda_100");
        assertRel(0.580, pdae.weight(300), 3e-3, "lambda_300");
        assertRel(0.720, pdae.weight(500), 3e-3, "lambda_500");
        assertRel(0.364, pdae.weight(999), 3e-3, "lambda_999");
        assertEquals(475, pdae.argmax());
        assertRel(0.722, pdae.weight(475), 2e-3, "max lambda");
    }

    @Test
    void effectiveWeightOnTheShiftPeaksAt541() {
        // METHOD 2.3: lambda_t c_t^2 peaks at t = 541 (0.664).
        int best = 0;
        double bestV = -1;
        for (int t = 0; t < 1000; t++) {
            double v = pdae.weight(t) * Math.pow(lin.shiftCoefficient(t), 2);
            if (v > bestV) {
                bestV = v;
                best = t;
            }
        }
        assertEquals(541, best);
        assertRel(0.664, bestV, 2e-3, "max lambda c^2");
    }

    @Test
    void pdaeFormEqualsThePapersForm() {
        for (int t = 0; t < 1000; t += 99) {
            double snr = lin.snr(t);
            double paper = Math.pow(1 / (1 + snr), 0.9) * Math.pow(snr / (1 + snr), 0.1);
            assertEquals(paper, pdae.weight(t), 1e-12 * paper);
        }
    }

    @Test
    void uniformAndPerSampleTensor() {
        TimestepWeights u = TimestepWeights.of(TimestepWeights.Kind.UNIFORM, lin);
        assertEquals(1.0, u.weight(0), 0);
        assertEquals(1.0, u.weight(999), 0);
        Tensor w = pdae.perSample(new int[] {0, 475, 999}, Backends.cpu());
        assertArrayEquals(new int[] {3}, w.shape().dims());
        assertArrayEquals(new float[] {(float) pdae.weight(0), (float) pdae.weight(475), (float) pdae.weight(999)},
                w.toArray());
        assertThrows(IllegalArgumentException.class, () -> pdae.weight(1000));
        assertThrows(IllegalArgumentException.class, () -> TimestepWeights.pdae(lin, 1.5));
    }
}

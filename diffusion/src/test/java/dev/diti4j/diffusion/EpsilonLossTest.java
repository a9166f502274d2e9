package dev.diti4j.diffusion;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.diti4j.core.Device;
import dev.diti4j.core.Tensor;
import dev.diti4j.core.TensorException;
import dev.diti4j.core.random.Philox;
import org.junit.jupiter.api.Test;

class EpsilonLossTest {
    private final NoiseSchedule lin = NoiseSchedule.linear();

    @Test
    void weightedLossEqualsAHandComputation() {
        float[] eps = {1, 2, 3, 4, -1, 0, 0.5f, 2};
        float[] pred = {0, 2, 1, 5, 1, 1, 0.5f, 0};
        int[] t = {100, 475};
        Tensor e = Tensor.of(eps, 2, 1, 2, 2);
        Tensor p = Tensor.of(pred, 2, 1, 2, 2);
        TimestepWeights w = TimestepWeights.pdae(lin);
        // sample 0: squared errors 1,0,4,1 = 6; sample 1: 4,1,0,4 = 9; mean over 8 elements.
        double expected = (w.weight(100) * 6 + w.weight(475) * 9) / 8;
        assertEquals(expected, new EpsilonLoss(lin, w).loss(e, p, t).item(), 1e-6);
        double uniform = (6 + 9) / 8.0;
        assertEquals(uniform, new EpsilonLoss(lin, TimestepWeights.uniform(1000)).loss(e, p, t).item(), 1e-6);
    }

    @Test
    void gradientOfTheLossIsTheWeightedResidual() {
        Tensor e = Tensor.of(new float[] {1, -1}, 2, 1, 1, 1);
        Tensor p = Tensor.of(new float[] {0, 0}, 2, 1, 1, 1).requiresGrad(true);
        int[] t = {50, 300};
        TimestepWeights w = TimestepWeights.pdae(lin);
        Tensor loss = new EpsilonLoss(lin, w).loss(e, p, t);
        float[] g = loss.backward().get(p).toArray();
        // d/dp mean(w (e - p)^2) = -2 w (e - p) / N
        assertEquals(-2 * w.weight(50) * 1 / 2, g[0], 1e-6);
        assertEquals(-2 * w.weight(300) * -1 / 2, g[1], 1e-6);
    }

    @Test
    void sampledLossUsesTheDrawnStepsAndNoise() {
        EpsilonLoss loss = new EpsilonLoss(lin, TimestepWeights.pdae(lin));
        Tensor x0 = Tensor.full(Device.CPU, 0.25f, 4, 1, 3, 3);
        // A model that returns zeros: the loss is mean(lambda_t eps^2) for the drawn eps.
        EpsilonModel zero = (xt, t) -> Tensor.zeros(xt.shape().dims());
        EpsilonLoss.Sampled s = loss.sample(zero, x0, new Philox(5));
        Philox replay = new Philox(5);
        int[] t = new TimestepSampler(1000).sample(4, replay);
        assertArrayEquals(t, s.t());
        float[] eps = Tensor.randn(replay, Device.CPU, 4, 1, 3, 3).toArray();
        double expected = 0;
        for (int i = 0; i < eps.length; i++) {
            expected += loss.weights().weight(t[i / 9]) * eps[i] * eps[i];
        }
        assertEquals(expected / eps.length, s.loss().item(), 1e-6);
    }

    @Test
    void timestepSamplerIsUniformAndDeterministic() {
        TimestepSampler ts = new TimestepSampler(1000);
        int[] a = ts.sample(20000, new Philox(11));
        assertArrayEquals(a, ts.sample(20000, new Philox(11)));
        assertNotEquals(java.util.Arrays.toString(a), java.util.Arrays.toString(ts.sample(20000, new Philox(12))));
        int[] quarters = new int[4];
        for (int v : a) {
            assertTrue(v >= 0 && v < 1000, "t in range: " + v);
            quarters[v / 250]++;
        }
        for (int q : quarters) {
            assertEquals(5000, q, 5 * Math.sqrt(20000 * 0.25 * 0.75), "per-quarter count");
        }
    }

    @Test
    void mismatchedShapesAreRejected() {
        EpsilonLoss loss = new EpsilonLoss(lin, TimestepWeights.uniform(1000));
        assertThrows(TensorException.ShapeMismatch.class,
                () -> loss.loss(Tensor.zeros(2, 1, 2, 2), Tensor.zeros(2, 1, 2, 3), new int[] {0, 1}));
        assertThrows(TensorException.ShapeMismatch.class,
                () -> loss.loss(Tensor.zeros(2, 1, 2, 2), Tensor.zeros(2, 1, 2, 2), new int[] {0}));
        assertThrows(IllegalArgumentException.class, () -> new EpsilonLoss(lin, TimestepWeights.uniform(10)));
    }
}

package dev.diti4j.diffusion;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.diti4j.core.Device;
import dev.diti4j.core.Tensor;
import dev.diti4j.core.TensorException;
import dev.diti4j.core.random.Philox;
import org.junit.jupiter.api.Test;

class ForwardProcessTest {
    private final NoiseSchedule lin = NoiseSchedule.linear();
    private final ForwardProcess q = new ForwardProcess(lin);

    @Test
    void qSampleIsTheElementwiseFormulaWithPerSampleT() {
        Philox rng = new Philox(3);
        Tensor x0 = Tensor.rand(rng, Device.CPU, 3, 2, 4, 4).mul(2f).sub(1f);
        Tensor eps = Tensor.randn(rng, Device.CPU, 3, 2, 4, 4);
        int[] t = {0, 500, 999};
        float[] xt = q.qSample(x0, t, eps).toArray();
        float[] a = x0.toArray();
        float[] e = eps.toArray();
        for (int i = 0; i < xt.length; i++) {
            int b = i / 32;
            double expected = lin.sqrtAbar(t[b]) * a[i] + lin.sqrtOneMinusAbar(t[b]) * e[i];
            assertEquals(expected, xt[i], 1e-6, "element " + i + " (sample " + b + ")");
        }
    }

    @Test
    void qSampleStatisticsMatchTheMarginal() {
        // x_0 fixed at 0.6 everywhere: x_t ~ N(sqrt(abar) 0.6, 1 - abar), checked per time step.
        int[] steps = {10, 300, 700};
        int n = 20000;
        for (int t : steps) {
            Philox rng = new Philox(100 + t);
            Tensor x0 = Tensor.full(Device.CPU, 0.6f, 4, 1, 50, 100);
            Tensor eps = Tensor.randn(rng, Device.CPU, 4, 1, 50, 100);
            int[] tv = {t, t, t, t};
            float[] xt = q.qSample(x0, tv, eps).toArray();
            double mean = 0;
            for (float v : xt) {
                mean += v;
            }
            mean /= xt.length;
            double var = 0;
            for (float v : xt) {
                var += (v - mean) * (v - mean);
            }
            var /= xt.length - 1;
            double m = lin.sqrtAbar(t) * 0.6;
            double s2 = 1 - lin.abar(t);
            // standard errors: sqrt(s2/N) for the mean, s2*sqrt(2/N) for the variance; 5 sigma.
            int total = 4 * n;
            assertEquals(m, mean, 5 * Math.sqrt(s2 / total), "mean of x_t at t=" + t);
            assertEquals(s2, var, 5 * s2 * Math.sqrt(2.0 / total), "variance of x_t at t=" + t);
        }
    }

    @Test
    void predictX0AndPredictEpsInvertQSample() {
        Philox rng = new Philox(9);
        Tensor x0 = Tensor.rand(rng, Device.CPU, 2, 3, 2, 2).mul(2f).sub(1f);
        Tensor eps = Tensor.randn(rng, Device.CPU, 2, 3, 2, 2);
        int[] t = {20, 400};
        Tensor xt = q.qSample(x0, t, eps);
        assertArrayEquals(x0.toArray(), q.predictX0(xt, t, eps).toArray(), 2e-5f);
        assertArrayEquals(eps.toArray(), q.predictEps(xt, t, x0).toArray(), 2e-4f);
    }

    @Test
    void gradientFlowsToX0() {
        Tensor x0 = Tensor.full(Device.CPU, 0.5f, 2, 1, 2, 2).requiresGrad(true);
        Tensor eps = Tensor.zeros(2, 1, 2, 2);
        int[] t = {0, 999};
        Tensor loss = q.qSample(x0, t, eps).sum();
        float[] g = loss.backward().get(x0).toArray();
        assertEquals(lin.sqrtAbar(0), g[0], 1e-6);
        assertEquals(lin.sqrtAbar(999), g[7], 1e-6);
    }

    @Test
    void badArgumentsAreNamed() {
        Tensor x0 = Tensor.zeros(2, 1, 2, 2);
        TensorException.ShapeMismatch e1 = assertThrows(TensorException.ShapeMismatch.class,
                () -> q.qSample(x0, new int[] {1, 2, 3}, x0));
        assertTrue(e1.getMessage().contains("3 time steps for a batch of shape"), e1.getMessage());
        assertThrows(TensorException.ShapeMismatch.class, () -> q.qSample(x0, new int[] {1, 2}, Tensor.zeros(2, 1, 2, 3)));
        TensorException.BadArgument e2 = assertThrows(TensorException.BadArgument.class,
                () -> q.qSample(x0, new int[] {1, 1000}, x0));
        assertTrue(e2.getMessage().contains("time step 1000 is outside [0, 1000)"), e2.getMessage());
    }
}

package dev.diti4j.diffusion;

import static dev.diti4j.diffusion.DdimSamplerTest.maxAbsDiff;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.diti4j.core.Device;
import dev.diti4j.core.Tensor;
import dev.diti4j.core.backend.Backends;
import dev.diti4j.core.random.Philox;
import org.junit.jupiter.api.Test;

class DdpmSamplerTest {
    private final NoiseSchedule lin = NoiseSchedule.linear();

    @Test
    void singlePointDataIsRecoveredWithEveryMeanForm() {
        Philox rng = new Philox(1);
        Tensor target = Tensor.rand(rng, Device.CPU, 1, 3, 4, 4).mul(1.6f).sub(0.8f);
        EpsilonModel model = AnalyticModels.singlePoint(lin, target);
        Tensor xT = Tensor.randn(rng, Device.CPU, 2, 3, 4, 4);
        DdpmSampler[] samplers = {
            new DdpmSampler(lin),
            new DdpmSampler(lin, DdpmSampler.Mean.FROM_X0, false),
            new DdpmSampler(lin, DdpmSampler.Mean.FROM_X0, true),
        };
        for (DdpmSampler s : samplers) {
            Tensor x0 = s.sample(model, xT, new Philox(7));
            double err = maxAbsDiff(target.expand(x0.shape()), x0);
            assertTrue(err < 1e-3, "DDPM reconstruction error " + err);
        }
    }

    @Test
    void samplingIsDeterministicGivenTheSeedAndAddsTheClippedVariance() {
        // Gaussian data N(0, 0.5^2): the DDPM chain with the exact model must produce that distribution.
        double sigma = 0.5;
        Tensor mu = Tensor.zeros(1, 1, 1, 1);
        EpsilonModel model = AnalyticModels.gaussian(lin, mu, sigma);
        DdpmSampler s = new DdpmSampler(lin);
        Tensor xT = Tensor.randn(new Philox(2), Device.CPU, 4000, 1, 1, 1);
        float[] a = s.sample(model, xT, new Philox(9)).toArray();
        float[] b = s.sample(model, xT, new Philox(9)).toArray();
        assertArrayEquals(a, b, "same seed, same samples");
        double mean = 0;
        double var = 0;
        for (float v : a) {
            mean += v;
        }
        mean /= a.length;
        for (float v : a) {
            var += (v - mean) * (v - mean);
        }
        var /= a.length - 1;
        assertEquals(0, mean, 5 * sigma / Math.sqrt(a.length), "sample mean");
        assertEquals(sigma * sigma, var, 5 * sigma * sigma * Math.sqrt(2.0 / a.length), "sample variance");
    }

    @Test
    void lastStepAddsNoNoiseAndOtherStepsDo() {
        DdpmSampler s = new DdpmSampler(lin);
        Tensor xt = Tensor.of(new float[] {0.3f, -0.2f}, 2, 1, 1, 1);
        Tensor eps = Tensor.of(new float[] {0.1f, 0.4f}, 2, 1, 1, 1);
        Tensor mu0 = s.posteriorMean(xt, eps, 0);
        assertArrayEquals(mu0.toArray(), s.step(xt, eps, 0, new Philox(1)).toArray());
        Philox rng = new Philox(1);
        float[] stepped = s.step(xt, eps, 500, rng).toArray();
        float[] z = Tensor.randn(new Philox(1), Device.CPU, 2, 1, 1, 1).toArray();
        float[] mu = s.posteriorMean(xt, eps, 500).toArray();
        double sigma = Math.sqrt(lin.posteriorVariance(500));
        for (int i = 0; i < 2; i++) {
            assertEquals(mu[i] + sigma * z[i], stepped[i], 1e-6);
        }
    }

    @Test
    void memoryStaysFlatOverAllSteps() {
        EpsilonModel model = AnalyticModels.singlePoint(lin, Tensor.zeros(1, 1, 4, 4));
        Tensor xT = Tensor.randn(new Philox(3), Device.CPU, 2, 1, 4, 4);
        long before = Backends.cpu().memoryStats().liveBytes();
        int[] steps = {0};
        Tensor out = new DdpmSampler(lin).sample(model, xT, new Philox(4), (done, total, t) -> steps[0] = done);
        assertEquals(1000, steps[0]);
        // At most the output stays live. The pool is shared by the whole JVM, and the cleaner may
        // return tensors that earlier tests dropped while this runs, so the change can be below that.
        long grown = Backends.cpu().memoryStats().liveBytes() - before;
        assertTrue(grown <= 2 * 16 * 4, "live bytes grew by " + grown + " over 1000 steps, more than the output");
        out.release();
    }

    @Test
    void clampingNeedsTheX0Mean() {
        assertThrows(IllegalArgumentException.class, () -> new DdpmSampler(lin, DdpmSampler.Mean.FROM_EPS, true));
    }
}

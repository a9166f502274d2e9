package dev.diti4j.diffusion;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.diti4j.core.Device;
import dev.diti4j.core.GradMode;
import dev.diti4j.core.Tensor;
import dev.diti4j.core.backend.Backends;
import dev.diti4j.core.random.Philox;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class DdimSamplerTest {
    private final NoiseSchedule lin = NoiseSchedule.linear();

    static double maxAbsDiff(Tensor a, Tensor b) {
        float[] x = a.toArray();
        float[] y = b.toArray();
        double m = 0;
        for (int i = 0; i < x.length; i++) {
            m = Math.max(m, Math.abs(x[i] - y[i]));
        }
        return m;
    }

    @Test
    void singlePointDataIsRecoveredOnBothGrids() {
        Philox rng = new Philox(1);
        Tensor target = Tensor.rand(rng, Device.CPU, 1, 3, 4, 4).mul(1.6f).sub(0.8f);   // (1,3,4,4)
        EpsilonModel model = AnalyticModels.singlePoint(lin, target);
        Tensor xT = Tensor.randn(rng, Device.CPU, 3, 3, 4, 4);
        for (DdimGrid.Kind kind : DdimGrid.Kind.values()) {
            for (boolean clamp : new boolean[] {true, false}) {
                DdimSampler ddim = new DdimSampler(lin, DdimGrid.of(kind, lin, 20), clamp);
                Tensor x0 = ddim.sample(model, xT);
                assertArrayEquals(new int[] {3, 3, 4, 4}, x0.shape().dims());
                // The respaced grid ends at the state at t = 0: sqrt(abar_0) x0* + sqrt(1-abar_0) eps~.
                double tol = kind == DdimGrid.Kind.RESPACED ? 0.03 : 1e-4;
                Tensor expected = target.expand(x0.shape());
                assertTrue(maxAbsDiff(expected, x0) < tol, kind + " clamp=" + clamp + ": max error "
                        + maxAbsDiff(expected, x0));
            }
        }
    }

    @Test
    void inversionThenSamplingReconstructsWithAnExactModel() {
        Philox rng = new Philox(2);
        Tensor target = Tensor.rand(rng, Device.CPU, 2, 1, 4, 4).mul(1.6f).sub(0.8f);   // (2,1,4,4)
        EpsilonModel model = AnalyticModels.singlePoint(lin, target);
        for (DdimGrid.Kind kind : DdimGrid.Kind.values()) {
            DdimSampler ddim = new DdimSampler(lin, DdimGrid.of(kind, lin, 25), true);
            Tensor xT = ddim.invert(model, target);
            Tensor back = ddim.sample(model, xT);
            double err = maxAbsDiff(target, back);
            assertTrue(err < 1e-4, kind + ": reconstruction error " + err);
        }
    }

    @Test
    void inversionThenSamplingReconstructsGaussianData() {
        // Data N(mu, 0.3^2 I): the exact eps model is smooth and non-trivial, so the DDIM ODE really
        // moves the point; inversion followed by sampling must come back up to the discretisation
        // error of the two Euler-like loops, which shrinks as 1/S.
        Philox rng = new Philox(3);
        double sigma = 0.3;
        Tensor mu = Tensor.rand(rng, Device.CPU, 1, 2, 3, 3).mul(0.6f).sub(0.3f);
        Tensor x0 = mu.add(Tensor.randn(rng, Device.CPU, 4, 2, 3, 3).mul((float) sigma)).clamp(-0.95f, 0.95f);
        EpsilonModel model = AnalyticModels.gaussian(lin, mu, sigma);
        for (DdimGrid.Kind kind : DdimGrid.Kind.values()) {
            for (boolean clamp : new boolean[] {false, true}) {
                double err = roundTripError(model, x0, kind, 500, clamp);
                assertTrue(err < 0.02, kind + " clamp=" + clamp + ": reconstruction error " + err + " with 500 steps");
            }
            double e100 = roundTripError(model, x0, kind, 100, false);
            double e200 = roundTripError(model, x0, kind, 200, false);
            assertTrue(e100 / e200 > 1.7 && e100 / e200 < 2.3, kind + ": first-order convergence, errors " + e100
                    + " (100 steps) and " + e200 + " (200 steps)");
        }
    }

    private double roundTripError(EpsilonModel model, Tensor x0, DdimGrid.Kind kind, int steps, boolean clamp) {
        DdimSampler ddim = new DdimSampler(lin, DdimGrid.of(kind, lin, steps), clamp);
        Tensor xT = ddim.invert(model, x0);
        double moved = maxAbsDiff(x0, xT);
        assertTrue(moved > 0.5, "the inversion must move the point: " + moved);
        return maxAbsDiff(x0, ddim.sample(model, xT));
    }

    @Test
    void inversionFollowsTheExactFlowOfGaussianData() {
        // For Gaussian data the probability-flow ODE keeps (x_t - sqrt(abar) mu)/sqrt(abar s^2 + 1 - abar)
        // constant, so the inverted x_T is known in closed form.
        Philox rng = new Philox(4);
        double sigma = 0.4;
        Tensor mu = Tensor.full(Device.CPU, 0.2f, 1, 1, 2, 2);
        Tensor x0 = mu.add(Tensor.randn(rng, Device.CPU, 3, 1, 2, 2).mul((float) sigma));
        EpsilonModel model = AnalyticModels.gaussian(lin, mu, sigma);
        DdimSampler ddim = new DdimSampler(lin, DdimGrid.respaced(lin, 500), false);
        Tensor xT = ddim.invert(model, x0);
        double a0 = lin.abar(0);
        double aT = lin.abar(999);
        float[] in = x0.toArray();
        float[] out = xT.toArray();
        for (int i = 0; i < in.length; i++) {
            double z = (in[i] - Math.sqrt(a0) * 0.2) / Math.sqrt(a0 * sigma * sigma + 1 - a0);
            double expected = Math.sqrt(aT) * 0.2 + Math.sqrt(aT * sigma * sigma + 1 - aT) * z;
            assertEquals(expected, out[i], 0.02, "x_T element " + i);
        }
    }

    @Test
    void updateMatchesTheMethodFormulaAndClamps() {
        Tensor xt = Tensor.of(new float[] {0.5f, 3f}, 2, 1, 1, 1);
        Tensor eps = Tensor.of(new float[] {0.2f, -0.4f}, 2, 1, 1, 1);
        double a = lin.abar(300);
        double an = lin.abar(200);
        float[] out = DdimSampler.update(xt, eps, a, an, true).toArray();
        double[] x = {0.5, 3};
        double[] e = {0.2, -0.4};
        for (int i = 0; i < 2; i++) {
            double x0 = Math.max(-1, Math.min(1, (x[i] - Math.sqrt(1 - a) * e[i]) / Math.sqrt(a)));
            double et = (x[i] / Math.sqrt(a) - x0) / Math.sqrt(1 / a - 1);
            double expected = Math.sqrt(an) * x0 + Math.sqrt(1 - an) * et;
            assertEquals(expected, out[i], 1e-5, "element " + i);
        }
        // Sample 1's x0 estimate is (3 + 0.78*0.4)/0.63 > 1, so clamping changed it.
        float[] free = DdimSampler.update(xt, eps, a, an, false).toArray();
        assertTrue(Math.abs(free[1] - out[1]) > 0.1, "clamping must change the clamped sample");
        assertEquals(free[0], out[0], 1e-5, "clamping leaves the in-range sample alone");
    }

    @Test
    void loopsReportProgressRunWithoutGraphAndKeepMemoryFlat() {
        Philox rng = new Philox(5);
        Tensor target = Tensor.zeros(1, 1, 8, 8);
        List<Boolean> gradModes = new ArrayList<>();
        EpsilonModel inner = AnalyticModels.singlePoint(lin, target);
        EpsilonModel model = (xt, t) -> {
            gradModes.add(GradMode.isEnabled());
            return inner.predictEps(xt, t);
        };
        DdimSampler ddim = DdimSampler.of(lin, DdimGrid.Kind.STRIDED, 10);
        Tensor xT = Tensor.randn(rng, Device.CPU, 2, 1, 8, 8);
        List<int[]> calls = new ArrayList<>();
        ddim.sample(model, xT, (done, total, t) -> calls.add(new int[] {done, total, t})).release();
        assertEquals(10, calls.size());
        assertArrayEquals(new int[] {1, 10, 900}, calls.get(0));
        assertArrayEquals(new int[] {10, 10, 0}, calls.get(9));
        assertFalse(gradModes.contains(true), "the model must run with autograd off");

        long before = Backends.cpu().memoryStats().liveBytes();
        Tensor out = DdimSampler.of(lin, DdimGrid.Kind.RESPACED, 200).sample(model, xT);
        long after = Backends.cpu().memoryStats().liveBytes();
        // Only the output survives: 2*1*8*8 floats.
        assertEquals(2 * 64 * 4, after - before, "live bytes after 200 steps");
        out.release();
        assertFalse(xT.isReleased(), "the caller's input stays alive");
    }
}

package dev.diti4j.nn.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.diti4j.core.Scope;
import dev.diti4j.core.Tensor;
import dev.diti4j.nn.Module;
import dev.diti4j.nn.Parameter;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AdamWTest {
    /** Loss = sum(a * p1) + sum(p2^2): gradients a (constant) and 2 p2 (changing); p3 unused. */
    static final class Quad extends Module {
        final Parameter p1 = addParameter("p1", Tensor.of(new float[] {1f, -2f, 0.5f}, 3));
        final Parameter p2 = addParameter("p2", Tensor.of(new float[] {0.3f, -1.5f}, 2, 1));
        final Parameter p3 = addParameter("p3", Tensor.of(new float[] {7f}, 1));
        static final float[] A = {0.5f, -3f, 2f};

        Tensor loss() {
            return p1.tensor().mul(Tensor.of(A, 3)).sum().add(p2.tensor().square().sum());
        }
    }

    /** The same update in double precision on the host. */
    private static double[][] reference(int steps, double lr, double b1, double b2, double eps, double wd,
            double maxNorm, double[] normsOut) {
        double[] p1 = {1, -2, 0.5};
        double[] p2 = {0.3, -1.5};
        double[][] m = {new double[3], new double[2]};
        double[][] v = {new double[3], new double[2]};
        for (int n = 1; n <= steps; n++) {
            double[][] g = {{Quad.A[0], Quad.A[1], Quad.A[2]}, {2 * p2[0], 2 * p2[1]}};
            double sq = 0;
            for (double[] gi : g) {
                for (double x : gi) {
                    sq += x * x;
                }
            }
            double norm = Math.sqrt(sq);
            normsOut[n - 1] = norm;
            double clip = maxNorm > 0 ? Math.min(1, maxNorm / (norm + 1e-6)) : 1;
            double[][] p = {p1, p2};
            for (int k = 0; k < 2; k++) {
                for (int i = 0; i < p[k].length; i++) {
                    double gi = g[k][i] * clip;
                    p[k][i] *= 1 - lr * wd;
                    m[k][i] = b1 * m[k][i] + (1 - b1) * gi;
                    v[k][i] = b2 * v[k][i] + (1 - b2) * gi * gi;
                    double denom = Math.sqrt(v[k][i]) / Math.sqrt(1 - Math.pow(b2, n)) + eps;
                    p[k][i] -= lr / (1 - Math.pow(b1, n)) * m[k][i] / denom;
                }
            }
        }
        return new double[][] {p1, p2};
    }

    private static void run(Quad q, AdamW opt, int steps, float[] norms) {
        for (int s = 0; s < steps; s++) {
            try (Scope scope = Scope.open()) {
                float n = opt.step(q.loss().backward());
                if (norms != null) {
                    norms[s] = n;
                }
            }
        }
    }

    private static void assertClose(double[] expected, float[] actual, String what) {
        assertEquals(expected.length, actual.length);
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], actual[i], 2e-6, what + "[" + i + "]");
        }
    }

    @Test
    void matchesAHandComputedUpdateWithWeightDecay() {
        Quad q = new Quad();
        AdamW opt = new AdamW(q, new AdamW.Settings(0.1f, 0.9f, 0.999f, 1e-8f, 0.1f, 0f));
        float[] norms = new float[3];
        run(q, opt, 3, norms);
        double[] refNorms = new double[3];
        double[][] ref = reference(3, 0.1, 0.9, 0.999, 1e-8, 0.1, 0, refNorms);
        assertClose(ref[0], q.p1.tensor().toArray(), "p1");
        assertClose(ref[1], q.p2.tensor().toArray(), "p2");
        for (int i = 0; i < 3; i++) {
            assertEquals(refNorms[i], norms[i], 1e-5, "gradient norm of step " + i);
        }
        assertArrayEquals(new float[] {7f}, q.p3.tensor().toArray(), "a parameter without gradient is untouched");
        assertEquals(3, opt.steps("p1"));
        assertEquals(0, opt.steps("p3"));
        // the first step of Adam moves every coordinate by lr (times 1 - lr wd on p): check one by hand
        Quad fresh = new Quad();
        run(fresh, new AdamW(fresh, AdamW.Settings.adam(0.01f)), 1, null);
        assertEquals(1f - 0.01f, fresh.p1.tensor().toArray()[0], 1e-6f, "1 - lr * sign(g)");
        assertEquals(-2f + 0.01f, fresh.p1.tensor().toArray()[1], 1e-6f, "-2 + lr");
    }

    @Test
    void clipsTheGlobalGradientNorm() {
        Quad q = new Quad();
        AdamW opt = new AdamW(q, AdamW.Settings.adam(0.05f).withMaxGradNorm(0.5f));
        float[] norms = new float[4];
        run(q, opt, 4, norms);
        double[] refNorms = new double[4];
        double[][] ref = reference(4, 0.05, 0.9, 0.999, 1e-8, 0, 0.5, refNorms);
        assertClose(ref[0], q.p1.tensor().toArray(), "clipped p1");
        assertClose(ref[1], q.p2.tensor().toArray(), "clipped p2");
        // clipping changes the trajectory: without it the result differs
        double[][] unclipped = reference(4, 0.05, 0.9, 0.999, 1e-8, 0, 0, new double[4]);
        assertTrue(Math.abs(unclipped[1][1] - ref[1][1]) > 1e-4, "clipping must matter in this test");
        assertEquals(refNorms[0], norms[0], 1e-5, "step returns the norm before clipping");
        assertTrue(norms[0] > 0.5f);
    }

    @Test
    void exportedStateResumesBitIdentically() {
        Quad a = new Quad();
        AdamW optA = new AdamW(a, AdamW.Settings.adam(0.02f).withWeightDecay(0.01f));
        run(a, optA, 2, null);

        Quad b = new Quad();
        for (int i = 0; i < 3; i++) {
            b.parameters().get(i).tensor().assign(a.parameters().get(i).tensor());
        }
        AdamW optB = new AdamW(b, AdamW.Settings.adam(0.02f).withWeightDecay(0.01f));
        Map<String, Tensor> src = optA.stateTensors();
        assertEquals(java.util.List.of("m.p1", "m.p2", "m.p3", "v.p1", "v.p2", "v.p3"), java.util.List.copyOf(src.keySet()));
        for (var e : optB.stateTensors().entrySet()) {
            e.getValue().assign(src.get(e.getKey()));
        }
        optB.restoreMetadata(optA.stateMetadata());
        assertEquals(2, optB.steps("p2"));

        run(a, optA, 3, null);
        run(b, optB, 3, null);
        for (int i = 0; i < 3; i++) {
            assertArrayEquals(a.parameters().get(i).tensor().toArray(), b.parameters().get(i).tensor().toArray(), 0f);
        }
    }

    @Test
    void rejectsBadSettingsAndState() {
        assertEquals("AdamW: betas must be in [0, 1), got (1.0, 0.999)",
                assertThrows(IllegalArgumentException.class, () -> AdamW.Settings.adam(1e-3f).withBetas(1f, 0.999f))
                        .getMessage());
        AdamW opt = new AdamW(new Quad(), AdamW.Settings.adam(1e-3f));
        assertEquals("AdamW state has no step count for parameter 'p2' (and 1 more)",
                assertThrows(IllegalArgumentException.class,
                        () -> opt.restoreMetadata("{\"type\":\"AdamW\",\"steps\":{\"p1\":3}}")).getMessage());
    }

    @Test
    void frozenParametersAreNotOptimised() {
        Quad q = new Quad();
        q.p2.setFrozen(true);
        AdamW opt = new AdamW(q, AdamW.Settings.adam(0.1f));
        assertEquals(java.util.List.of("p1", "p3"), opt.parameters().stream().map(Parameter::name).toList());
        try (Scope s = Scope.open()) {
            opt.step(q.loss().backward());
        }
        assertArrayEquals(new float[] {0.3f, -1.5f}, q.p2.tensor().toArray(), 0f);
    }

    @Test
    void stepsReachASteadyMemoryState() {
        Quad q = new Quad();
        AdamW opt = new AdamW(q, AdamW.Settings.adam(0.1f).withMaxGradNorm(1f));
        var backend = q.p1.tensor().backend();
        run(q, opt, 2, null);
        long live = backend.memoryStats().liveBytes();
        run(q, opt, 5, null);
        assertEquals(live, backend.memoryStats().liveBytes(), "live bytes after 5 more steps");
        assertTrue(!q.p1.tensor().isReleased() && !opt.stateTensors().get("m.p1").isReleased(),
                "parameters and moments survive the scopes");
    }
}

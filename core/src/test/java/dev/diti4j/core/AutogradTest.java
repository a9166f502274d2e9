package dev.diti4j.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The define-by-run graph: what is recorded, how gradients fan in, and deep graphs. */
class AutogradTest {

    private static Tensor leaf(float... v) {
        return Tensor.of(v, v.length).requiresGrad(true);
    }

    @Test
    void linearLayerGradientMatchesHandDerivation() {
        // L = sum((x W^T + b)^2): dL/dh = 2h, dW = (2h)^T x, db = column sums of 2h
        Tensor x = Tensor.of(new float[] {1, 2, 3, 4}, 2, 2);
        Tensor w = Tensor.of(new float[] {0.5f, -1, 2, 0}, 2, 2).requiresGrad(true);
        Tensor b = Tensor.of(new float[] {1, -1}, 2).requiresGrad(true);
        Tensor h = x.linear(w, b);
        assertArrayEquals(new float[] {-0.5f, 1, -1.5f, 5}, h.toArray(), 1e-6f);
        Gradients g = h.square().sum().backward();
        assertArrayEquals(new float[] {-10, -14, 32, 44}, g.get(w).toArray(), 1e-5f);
        assertArrayEquals(new float[] {-4f, 12f}, g.get(b).toArray(), 1e-5f);
        assertNull(g.get(x), "x does not require a gradient");
        assertEquals(2, g.size());
    }

    @Test
    void noGradScopeBuildsNoGraph() {
        Tensor x = leaf(1, 2, 3);
        Tensor y;
        try (GradMode ng = GradMode.off()) {
            assertFalse(GradMode.isEnabled());
            try (GradMode inner = GradMode.off()) {
                assertFalse(GradMode.isEnabled());
            }
            assertFalse(GradMode.isEnabled(), "closing a nested no-grad scope keeps the outer one");
            y = x.mul(x).exp().sum();
        }
        assertTrue(GradMode.isEnabled());
        assertFalse(y.requiresGrad());
        assertNull(y.producer());
        assertEquals("exp", x.mul(x).exp().producer(), "recording resumes after the scope");
    }

    @Test
    void leavesAndConstants() {
        Tensor c = Tensor.of(new float[] {1, 2}, 2);
        assertFalse(c.exp().requiresGrad(), "ops on constants record nothing");
        assertNull(c.exp().producer());
        Tensor x = leaf(1, 2);
        assertNull(x.producer(), "a leaf has no producer");
        assertEquals("mul", x.mul(c).producer());
        Tensor d = x.exp().detach();
        assertFalse(d.requiresGrad());
        assertNull(d.producer());
    }

    @Test
    void tensorUsedTwiceAccumulates() {
        // d/dx (x*x + x) = 2x + 1
        Tensor x = leaf(3, -2);
        Gradients g = x.mul(x).add(x).sum().backward();
        assertArrayEquals(new float[] {7, -3}, g.get(x).toArray(), 1e-6f);
    }

    @Test
    void diamondsAccumulate() {
        // a = exp(x); L = sum(2a + a^2): dL/dx = (2 + 2a) a
        Tensor x = leaf(0.5f, -1f, 0f);
        Tensor a = x.exp();
        Gradients g = a.mul(2f).add(a.square()).sum().backward();
        float[] xs = {0.5f, -1f, 0f};
        float[] want = new float[3];
        for (int i = 0; i < 3; i++) {
            double e = Math.exp(xs[i]);
            want[i] = (float) ((2 + 2 * e) * e);
        }
        assertArrayEquals(want, g.get(x).toArray(), 1e-5f);
    }

    @Test
    void wideFanOutAccumulatesEveryBranch() {
        // L = sum_k (k+1) * sum(h) with h = x^2: dL/dx = 2x * sum_k (k+1) = 2x * 55
        Tensor x = leaf(1, 2);
        Tensor h = x.square();
        Tensor total = null;
        for (int k = 0; k < 10; k++) {
            Tensor branch = h.mul(k + 1f).sum();
            total = total == null ? branch : total.add(branch);
        }
        assertArrayEquals(new float[] {110, 220}, total.backward().get(x).toArray(), 1e-4f);
    }

    @Test
    void aLongChainDoesNotOverflowTheStack() {
        Tensor x = leaf(2f);
        try (Scope s = Scope.open()) {
            Tensor y = x;
            for (int i = 0; i < 100_000; i++) {
                y = (i % 2 == 0) ? y.add(1f) : y.mul(1f);
            }
            Gradients g = y.sum().backward();
            assertEquals(1f, g.get(x).item());
            assertEquals(50_002f, y.sum().item());
        }
    }

    @Test
    void backwardCanRunTwiceAndLeavesNothingOnTheTensors() {
        Tensor x = leaf(1, 2, 3);
        Tensor loss = x.square().sum();
        float[] first = loss.backward().get(x).toArray();
        float[] second = loss.backward().get(x).toArray();
        assertArrayEquals(first, second);
        assertArrayEquals(new float[] {2, 4, 6}, second, 1e-6f);
    }

    @Test
    void unusedLeavesGetNoGradientOrZeros() {
        Tensor x = leaf(1, 2);
        Tensor unused = leaf(5, 6, 7);
        Gradients g = x.sum().backward();
        assertNull(g.get(unused));
        assertFalse(g.contains(unused));
        assertArrayEquals(new float[3], g.getOrZeros(unused).toArray());
        assertTrue(g.contains(x));
        assertEquals(1, g.leaves().size());
        assertSame(x, g.leaves().get(0));
    }

    @Test
    void kinksAndTiesFollowTheDocumentedConvention() {
        // the catalogue keeps away from these points; here is what happens on them
        Tensor x = leaf(0f, -1f, 2f);
        assertArrayEquals(new float[] {0, 0, 1}, x.relu().sum().backward().get(x).toArray(), "relu'(0) = 0");
        assertArrayEquals(new float[] {0, -1, 1}, x.abs().sum().backward().get(x).toArray(), "abs'(0) = 0");
        Tensor c = leaf(-1f, -0.5f, 0.5f, 1f);
        assertArrayEquals(new float[] {0, 1, 1, 0}, c.clamp(-0.5f, 0.5f).sum().backward().get(c).toArray(),
                "the gradient passes where lo <= x <= hi, bounds included");
        Tensor m = Tensor.of(new float[] {1, 3, 3, 2, 2, 2}, 2, 3).requiresGrad(true);
        assertArrayEquals(new float[] {0, 0.5f, 0.5f, 1 / 3f, 1 / 3f, 1 / 3f},
                m.max(false, 1).sum().backward().get(m).toArray(), 1e-7f, "tied maxima share the gradient");
    }

    @Test
    void seededBackwardIsAVectorJacobianProduct() {
        // y = 3x, seed s: dL/dx = 3s
        Tensor x = leaf(1, 2);
        Gradients g = x.mul(3f).backward(Tensor.of(new float[] {10, -1}, 2));
        assertArrayEquals(new float[] {30, -3}, g.get(x).toArray());
    }
}

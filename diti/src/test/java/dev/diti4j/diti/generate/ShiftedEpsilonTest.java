package dev.diti4j.diti.generate;

import static dev.diti4j.diti.generate.TinyDiti.CPU;
import static dev.diti4j.diti.generate.TinyDiti.D;
import static dev.diti4j.diti.generate.TinyDiti.assertMessage;
import static dev.diti4j.diti.generate.TinyDiti.assertSameBits;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.diti4j.core.GradMode;
import dev.diti4j.core.Tensor;
import dev.diti4j.core.random.Philox;
import dev.diti4j.diffusion.NoiseSchedule;
import dev.diti4j.diti.model.DitiModel;
import dev.diti4j.diti.model.FrozenDm;
import dev.diti4j.diti.model.Partition;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** METHOD 6.1 and 8 items 8, 11: ε̂ = ε_θ − √(1 − ᾱ_t) G(x_t, z ⊙ M[i(t)], t). */
class ShiftedEpsilonTest {
    private static final NoiseSchedule LINEAR = NoiseSchedule.linear();

    @Test
    void withGZeroTheShiftedPredictionIsTheFrozenOneExactly() {
        DitiModel m = TinyDiti.fresh(Partition.uniform(4, D), 1);
        Tensor xt = Tensor.randn(new Philox(2), CPU, 3, 3, 8, 8);
        Tensor z = TinyDiti.features(3, 3).mul(5f);
        int[] t = {0, 480, 999};
        Tensor frozen = m.frozen().predictEps(xt, t);
        for (Conditioning c : new Conditioning[] {Conditioning.MASKED, Conditioning.UNMASKED}) {
            assertSameBits(frozen, new ShiftedEpsilon(m, LINEAR, z, c).predictEps(xt, t), c.toString());
        }
        assertSameBits(frozen, ShiftedEpsilon.guidanceOff(m, LINEAR).predictEps(xt, t), "guidance off");
    }

    @Test
    void theShiftIsMinusSqrtOneMinusAbarTimesGEvenAtStepZero() {
        Partition p = Partition.uniform(4, D);
        DitiModel m = TinyDiti.shifted(p, 4);
        Tensor xt = Tensor.randn(new Philox(5), CPU, 4, 3, 8, 8);
        Tensor z = TinyDiti.features(6, 4);
        int[] t = {0, 1, 300, 999};
        Tensor got = new ShiftedEpsilon(m, LINEAR, z, Conditioning.MASKED).predictEps(xt, t);
        assertNull(got.producer(), "no graph");

        // by hand: the condition keeps dims [0, e_i) with i = floor(t k / T) = 0, 0, 1, 3
        int[] ends = {2, 2, 4, 8};
        float[] zv = z.toArray();
        float[] cond = new float[zv.length];
        for (int b = 0; b < 4; b++) {
            for (int j = 0; j < ends[b]; j++) {
                cond[b * D + j] = zv[b * D + j];
            }
        }
        float[] eps;
        float[] g;
        try (GradMode _ = GradMode.off()) {
            FrozenDm.Pass pass = m.frozen().run(xt, t);
            eps = pass.eps().toArray();
            g = m.shift(pass.features(), Tensor.of(cond, 4, D)).toArray();
        }
        float[] e = got.toArray();
        int per = 3 * 8 * 8;
        double[] coef = {Math.sqrt(1 - LINEAR.abar(0)), Math.sqrt(1 - LINEAR.abar(1)), Math.sqrt(1 - LINEAR.abar(300)),
            Math.sqrt(1 - LINEAR.abar(999))};
        assertEquals(0.0100, coef[0], 5e-5, "sqrt(1 - abar_0) for the linear schedule");
        assertEquals(0.0, LINEAR.shiftCoefficient(0), "the training coefficient c_0 is 0");
        for (int i = 0; i < e.length; i++) {
            double expected = eps[i] - coef[i / per] * g[i];
            assertEquals(expected, e[i], 1e-6 * Math.max(1, Math.abs(expected)), "element " + i);
        }
        // at t = 0 the shift is there and its size is sqrt(1 - abar_0) |G|, not c_0 |G| = 0
        double ratioSum = 0;
        int n = 0;
        for (int i = 0; i < per; i++) {
            if (Math.abs(g[i]) > 1e-2) {
                ratioSum += (eps[i] - e[i]) / g[i];
                n++;
            }
        }
        assertTrue(n > 20, "G is not zero at t = 0 (" + n + " large elements)");
        assertEquals(coef[0], ratioSum / n, 2e-4, "(eps_theta - eps_hat) / G at t = 0");
    }

    @Test
    void theConditionIsTheCumulativePrefixOfTheStepsSubset() {
        // uniform(4, 8): subset i holds dims [2i, 2i+2) and serves t in [250 i, 250 (i+1))
        Partition p = Partition.uniform(4, D);
        DitiModel m = TinyDiti.shifted(p, 7);
        Tensor z = TinyDiti.features(8, 2);
        float[] late = z.toArray();
        for (int b = 0; b < 2; b++) {
            for (int j = 6; j < 8; j++) {
                late[b * D + j] += 3f;                       // change subset 3 only
            }
        }
        Tensor z3 = Tensor.of(late, 2, D);
        Tensor xt = Tensor.randn(new Philox(9), CPU, 2, 3, 8, 8);
        ShiftedEpsilon a = new ShiftedEpsilon(m, LINEAR, z, Conditioning.MASKED);
        ShiftedEpsilon b = new ShiftedEpsilon(m, LINEAR, z3, Conditioning.MASKED);
        int[][] early = {{0, 100}, {400, 749}};             // subsets 0 .. 2: subset 3 is masked out
        for (int[] t : early) {
            assertSameBits(a.predictEps(xt, t), b.predictEps(xt, t), "t = " + Arrays.toString(t));
        }
        int[][] lateSteps = {{750, 750}, {999, 999}};       // subset 3: the change is seen
        for (int[] t : lateSteps) {
            assertTrue(TinyDiti.maxAbsDiff(a.predictEps(xt, t), b.predictEps(xt, t)) > 1e-4, "t = "
                    + Arrays.toString(t));
        }
        // unmasked, the change is seen at every step
        ShiftedEpsilon ua = new ShiftedEpsilon(m, LINEAR, z, Conditioning.UNMASKED);
        ShiftedEpsilon ub = new ShiftedEpsilon(m, LINEAR, z3, Conditioning.UNMASKED);
        assertTrue(TinyDiti.maxAbsDiff(ua.predictEps(xt, early[0]), ub.predictEps(xt, early[0])) > 1e-6);
        // the condition itself
        float[] c = a.condition(new int[] {249, 250}).toArray();
        float[] zv = z.toArray();
        for (int j = 0; j < D; j++) {
            assertEquals(j < 2 ? zv[j] : 0f, c[j], 0f, "t = 249, dim " + j);
            assertEquals(j < 4 ? zv[D + j] : 0f, c[D + j], 0f, "t = 250, dim " + j);
        }
        assertSameBits(z, ua.condition(new int[] {0, 0}), "unmasked condition");
    }

    @Test
    void guidanceOffIsThePlainModelAndNotGOfAZeroFeature() {
        DitiModel m = TinyDiti.shifted(Partition.uniform(2, D), 10);
        Tensor xt = Tensor.randn(new Philox(11), CPU, 2, 3, 8, 8);
        int[] t = {200, 800};
        Tensor off = ShiftedEpsilon.guidanceOff(m, LINEAR).predictEps(xt, t);
        assertSameBits(m.frozen().predictEps(xt, t), off, "guidance off");
        // METHOD 8 item 11: a zero z still shifts the prediction, by the decoder's biases
        Tensor zeroZ = new ShiftedEpsilon(m, LINEAR, Tensor.zeros(2, D), Conditioning.UNMASKED).predictEps(xt, t);
        assertTrue(TinyDiti.maxAbsDiff(off, zeroZ) > 1e-4, "G(x_t, 0, t) is not zero");
        assertMessage(() -> ShiftedEpsilon.guidanceOff(m, LINEAR).condition(t),
                "with guidance off G is not evaluated, so there is no condition");
    }

    @Test
    void refusesBadInputs() {
        DitiModel m = TinyDiti.fresh(Partition.uniform(4, D), 12);
        Tensor xt = Tensor.zeros(2, 3, 8, 8);
        assertMessage(() -> new ShiftedEpsilon(m, LINEAR, Tensor.zeros(2, 6), Conditioning.MASKED),
                "z must have shape (B, 8) for the partition's d = 8, got (2,6)");
        assertMessage(() -> new ShiftedEpsilon(m, LINEAR, Tensor.zeros(2, D), Conditioning.OFF),
                "a shifted prediction needs MASKED or UNMASKED conditioning, got OFF; use ShiftedEpsilon.guidanceOff for"
                        + " the plain frozen model");
        assertMessage(() -> new ShiftedEpsilon(m, NoiseSchedule.linear(500, 1e-4, 0.02), Tensor.zeros(2, D),
                Conditioning.MASKED), "the partition maps T = 1000 time steps to subsets but the noise schedule has 500");
        ShiftedEpsilon e = new ShiftedEpsilon(m, LINEAR, Tensor.zeros(3, D), Conditioning.MASKED);
        assertMessage(() -> e.predictEps(xt, new int[] {1, 2}), "x_t has a batch of 2 but z has 3 rows");
        ShiftedEpsilon e2 = new ShiftedEpsilon(m, LINEAR, Tensor.zeros(2, D), Conditioning.MASKED);
        assertMessage(() -> e2.predictEps(xt, new int[] {1}), "x_t has a batch of 2 but 1 time steps were given");
        assertMessage(() -> e2.predictEps(xt, new int[] {1, 1000}), "time step 1000 is outside [0, 1000)");
        m.train();
        IllegalStateException s = assertThrows(IllegalStateException.class, () -> e2.predictEps(xt, new int[] {1, 2}));
        assertEquals("the DiTi model is in training mode; call eval() on it before sampling so the shift decoder runs"
                + " without dropout", s.getMessage());
        assertFalse(ShiftedEpsilon.guidanceOff(m, LINEAR).predictEps(xt, new int[] {1, 2}).isReleased(),
                "guidance off does not use the shift decoder, so its mode does not matter");
    }
}

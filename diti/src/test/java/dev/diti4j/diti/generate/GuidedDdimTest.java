package dev.diti4j.diti.generate;

import static dev.diti4j.diti.generate.TinyDiti.CPU;
import static dev.diti4j.diti.generate.TinyDiti.D;
import static dev.diti4j.diti.generate.TinyDiti.assertMessage;
import static dev.diti4j.diti.generate.TinyDiti.assertSameBits;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.diti4j.core.GradMode;
import dev.diti4j.core.Tensor;
import dev.diti4j.core.backend.Backends;
import dev.diti4j.core.random.Philox;
import dev.diti4j.diffusion.DdimGrid;
import dev.diti4j.diffusion.DdimSampler;
import dev.diti4j.diffusion.EpsilonModel;
import dev.diti4j.diffusion.NoiseSchedule;
import dev.diti4j.diffusion.PerSample;
import dev.diti4j.diti.model.DitiModel;
import dev.diti4j.diti.model.FrozenDm;
import dev.diti4j.diti.model.Partition;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** METHOD 6.2: masked DDIM (strided grid, z ⊙ M[i(t)]) and PDAE's DDIM (respaced grid, whole z). */
class GuidedDdimTest {
    private static final NoiseSchedule LINEAR = NoiseSchedule.linear();

    @Test
    void withGZeroBothLoopsAreThePlainSamplersBitForBit() {
        DitiModel m = TinyDiti.fresh(Partition.uniform(4, D), 1);
        Tensor x0 = TinyDiti.images(2, 2);
        Tensor z = TinyDiti.features(3, 2).mul(4f);
        Tensor xT = Tensor.randn(new Philox(4), CPU, 2, 3, 8, 8);
        DdimSampler strided = DdimSampler.of(LINEAR, DdimGrid.Kind.STRIDED, 8);
        DdimSampler respaced = DdimSampler.of(LINEAR, DdimGrid.Kind.RESPACED, 8);
        GuidedDdim masked = GuidedDdim.masked(m, LINEAR, 8);
        GuidedDdim pdae = GuidedDdim.pdae(m, LINEAR, 8);
        assertEquals(DdimGrid.Kind.STRIDED, masked.grid().kind());
        assertEquals(DdimGrid.Kind.RESPACED, pdae.grid().kind());
        assertSameBits(strided.sample(m.frozen(), xT), masked.sample(xT, z), "masked sampling");
        assertSameBits(strided.invert(m.frozen(), x0), masked.invert(x0, z), "masked inversion");
        assertSameBits(respaced.sample(m.frozen(), xT), pdae.sample(xT, z), "PDAE sampling");
        assertSameBits(respaced.invert(m.frozen(), x0), pdae.invert(x0, z), "PDAE inversion");
    }

    /** ε_θ − √(1 − ᾱ_t) G(x_t, z ⊙ M[⌊t k/T⌋], t), with the mask built from the partition by hand. */
    private static EpsilonModel byHand(DitiModel m, Tensor z, boolean masked, List<Integer> seen) {
        Partition p = m.partition();
        return (xt, t) -> {
            seen.add(t[0]);
            float[] zv = z.toArray();
            float[] cond = new float[zv.length];
            for (int b = 0; b < t.length; b++) {
                int end = masked ? p.end(t[b] * p.subsets() / p.steps()) : D;
                System.arraycopy(zv, b * D, cond, b * D, end);
            }
            try (GradMode _ = GradMode.off()) {
                FrozenDm.Pass pass = m.frozen().run(xt, t);
                Tensor g = m.shift(pass.features(), Tensor.of(cond, t.length, D));
                return pass.eps().sub(PerSample.at(LINEAR::sqrtOneMinusAbar, t, xt).mul(g));
            }
        };
    }

    @Test
    void everyStepIsConditionedOnItsOwnSubsetPrefix() {
        DitiModel m = TinyDiti.shifted(Partition.uniform(4, D), 5);
        Tensor x0 = TinyDiti.images(6, 2);
        Tensor z = TinyDiti.features(7, 2);
        Tensor xT = Tensor.randn(new Philox(8), CPU, 2, 3, 8, 8);
        List<Integer> seen = new ArrayList<>();
        DdimSampler strided = DdimSampler.of(LINEAR, DdimGrid.Kind.STRIDED, 10);
        assertSameBits(strided.sample(byHand(m, z, true, seen), xT), GuidedDdim.masked(m, LINEAR, 10).sample(xT, z),
                "masked sampling");
        assertEquals(List.of(900, 800, 700, 600, 500, 400, 300, 200, 100, 0), seen);
        assertSameBits(strided.invert(byHand(m, z, true, seen), x0), GuidedDdim.masked(m, LINEAR, 10).invert(x0, z),
                "masked inversion");
        DdimSampler respaced = DdimSampler.of(LINEAR, DdimGrid.Kind.RESPACED, 10);
        assertSameBits(respaced.sample(byHand(m, z, false, seen), xT), GuidedDdim.pdae(m, LINEAR, 10).sample(xT, z),
                "PDAE sampling");
        assertSameBits(respaced.invert(byHand(m, z, false, seen), x0), GuidedDdim.pdae(m, LINEAR, 10).invert(x0, z),
                "PDAE inversion");
        // the two conditionings do differ for this model
        assertTrue(TinyDiti.maxAbsDiff(GuidedDdim.masked(m, LINEAR, 10).sample(xT, z),
                GuidedDdim.of(m, LINEAR, DdimGrid.Kind.STRIDED, 10, Conditioning.UNMASKED).sample(xT, z)) > 1e-4);
        // guidance off runs the frozen model alone, whatever G is
        assertSameBits(strided.sample(m.frozen(), xT),
                GuidedDdim.of(m, LINEAR, DdimGrid.Kind.STRIDED, 10, Conditioning.OFF).sample(xT, null), "guidance off");
    }

    @Test
    void inversionThenSamplingComesBackForASmoothModel() {
        // The respaced grid keeps √ᾱ x̂_0 in its last state, so any smooth ε̂ round-trips up to the
        // first-order error of the two loops. (On the strided grid x_T = ε̃ alone, and sampling
        // starts by reading it as the state at the last grid step: that only comes back for a
        // trained model, whose ε̂ there is ≈ x_T. DdimSamplerTest checks it with exact models.)
        DitiModel m = TinyDiti.smooth(Partition.uniform(4, D), 9);
        Tensor x0 = TinyDiti.images(10, 2);
        Tensor z = TinyDiti.features(11, 2);
        float[] changedLate = z.toArray();
        for (int b = 0; b < 2; b++) {
            for (int j = 4; j < 8; j++) {
                changedLate[b * D + j] *= -3f;                    // subsets 2 and 3 (t ≥ 500)
            }
        }
        Tensor zLate = Tensor.of(changedLate, 2, D);
        for (Conditioning c : new Conditioning[] {Conditioning.MASKED, Conditioning.UNMASKED}) {
            GuidedDdim coarse = GuidedDdim.of(m, LINEAR, DdimGrid.Kind.RESPACED, 25, c);
            GuidedDdim fine = GuidedDdim.of(m, LINEAR, DdimGrid.Kind.RESPACED, 50, c);
            Tensor xT = fine.invert(x0, z);
            assertTrue(TinyDiti.maxAbsDiff(x0, xT) > 0.5, c + ": the inversion moves the images");
            double err50 = TinyDiti.maxAbsDiff(x0, fine.sample(xT, z));
            double err25 = TinyDiti.maxAbsDiff(x0, coarse.sample(coarse.invert(x0, z), z));
            assertTrue(err50 < 0.03, c + ": round trip error " + err50 + " with 50 steps");
            assertTrue(err25 / err50 > 1.5 && err25 / err50 < 2.6, c + ": first-order convergence, errors " + err25
                    + " (25 steps) and " + err50 + " (50 steps)");
            double wrong = TinyDiti.maxAbsDiff(x0, fine.sample(xT, zLate));
            assertTrue(wrong > 10 * err50, c + ": sampling with other late subsets does not come back (" + wrong + ")");
        }
    }

    @Test
    void loopsRunWithoutGraphAndKeepMemoryFlat() {
        DitiModel m = TinyDiti.shifted(Partition.uniform(4, D), 12);
        Tensor x0 = TinyDiti.images(13, 2);
        Tensor z = TinyDiti.features(14, 2).requiresGrad(true);
        GuidedDdim g = GuidedDdim.masked(m, LINEAR, 20);
        g.sample(x0, z).release();                                   // warm-up
        long before = Backends.cpu().memoryStats().liveBytes();
        List<Integer> steps = new ArrayList<>();
        Tensor xT = g.invert(x0, z, (done, total, t) -> steps.add(done));
        Tensor back = g.sample(xT, z);
        long grown = Backends.cpu().memoryStats().liveBytes() - before;
        assertEquals(20, steps.size());
        assertFalse(back.requiresGrad(), "no graph, even for a z that requires a gradient");
        // Only the two outputs stay live. The pool is shared by the whole JVM and its cleaner may
        // return tensors other tests dropped meanwhile, so the change can be below that.
        assertTrue(grown <= 2 * (2 * 3 * 8 * 8 * 4), "live bytes grew by " + grown + " over 40 steps");
        Tensor eps;
        before = Backends.cpu().memoryStats().liveBytes();
        eps = new ShiftedEpsilon(m, LINEAR, z, Conditioning.MASKED).predictEps(x0, new int[] {100, 900});
        grown = Backends.cpu().memoryStats().liveBytes() - before;
        assertTrue(grown <= 2 * 3 * 8 * 8 * 4, "one prediction keeps only its output, grew by " + grown);
        assertFalse(x0.isReleased() || z.isReleased(), "the caller's tensors stay alive");
        eps.release();
        xT.release();
        back.release();
    }

    @Test
    void refusesBadInputs() {
        DitiModel m = TinyDiti.fresh(Partition.uniform(4, D), 15);
        GuidedDdim g = GuidedDdim.masked(m, LINEAR, 5);
        Tensor z = Tensor.zeros(2, D);
        assertMessage(() -> g.sample(Tensor.zeros(2, 1, 8, 8), z), "x_T must be images (B, 3, 8, 8), got (2,1,8,8)");
        assertMessage(() -> g.sample(Tensor.zeros(2, 3, 16, 16), z), "x_T must be images (B, 3, 8, 8), got (2,3,16,16)");
        assertMessage(() -> g.invert(Tensor.zeros(3, 8, 8), z), "x_0 must be images (B, 3, 8, 8), got (3,8,8)");
        assertMessage(() -> g.sample(Tensor.zeros(2, 3, 8, 8), Tensor.zeros(3, D)),
                "z must have shape (2, 8) for 2 image(s) and the partition's d = 8, got (3,8)");
        assertMessage(() -> g.sample(Tensor.zeros(2, 3, 8, 8), Tensor.zeros(2, 4)),
                "z must have shape (2, 8) for 2 image(s) and the partition's d = 8, got (2,4)");
        assertMessage(() -> g.sample(Tensor.zeros(2, 3, 8, 8), null),
                "z is missing; expected features (2, 8)");
        assertMessage(() -> GuidedDdim.masked(m, LINEAR, 0), "DDIM steps must be in [1, 1000], got 0");
        assertMessage(() -> GuidedDdim.pdae(m, LINEAR, 1001), "DDIM steps must be in [1, 1000], got 1001");
    }
}

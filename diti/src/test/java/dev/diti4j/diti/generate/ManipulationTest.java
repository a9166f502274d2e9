package dev.diti4j.diti.generate;

import static dev.diti4j.diti.generate.TinyDiti.CPU;
import static dev.diti4j.diti.generate.TinyDiti.D;
import static dev.diti4j.diti.generate.TinyDiti.assertMessage;
import static dev.diti4j.diti.generate.TinyDiti.assertSameBits;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.diti4j.core.Tensor;
import dev.diti4j.core.random.Philox;
import dev.diti4j.diffusion.DdimGrid;
import dev.diti4j.diffusion.NoiseSchedule;
import dev.diti4j.diti.model.DitiModel;
import dev.diti4j.diti.model.Partition;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** METHOD 6.5 steps 4–5 and 8 item 13: ẑ′ = ẑ + s √d w/‖w‖, PDAE-style inversion, unmasked z′. */
class ManipulationTest {
    private static final NoiseSchedule LINEAR = NoiseSchedule.linear();
    private static final float[] W = {0.5f, -1f, 0f, 2f, 0.25f, 0f, -0.75f, 1f};

    private static FeatureStats stats() {
        return FeatureStats.of(Tensor.randn(new Philox(100), CPU, 40, D).mul(2f).add(0.5f));
    }

    @Test
    void theEditMovesTheStandardisedFeatureByExactlySRootDAlongW() {
        DitiModel m = TinyDiti.fresh(Partition.uniform(4, D), 1);
        FeatureStats st = stats();
        Manipulation man = new Manipulation(m, LINEAR, st, 3, 3);
        Tensor z = TinyDiti.features(2, 2);
        double[] scales = {0, 0.3, -1};
        Tensor edited = man.edit(z, W, scales);
        assertArrayEquals(new int[] {6, D}, edited.shape().dims());
        float[] zv = z.toArray();
        float[] e = edited.toArray();
        double[] mu = st.mean();
        double[] sigma = st.std();
        double norm = 0;
        for (float w : W) {
            norm += w * w;
        }
        norm = Math.sqrt(norm);
        for (int b = 0; b < 2; b++) {
            assertArrayEquals(Arrays.copyOfRange(zv, b * D, b * D + D), Arrays.copyOfRange(e, (b * 3) * D,
                    (b * 3) * D + D), 1e-6f, "s = 0 leaves z as it was");
            for (int c = 1; c < 3; c++) {
                double moved = 0;
                for (int j = 0; j < D; j++) {
                    double before = (zv[b * D + j] - mu[j]) / sigma[j];
                    double after = (e[(b * 3 + c) * D + j] - mu[j]) / sigma[j];
                    double step = after - before;
                    assertEquals(scales[c] * Math.sqrt(D) * W[j] / norm, step, 2e-5, "image " + b + ", scale "
                            + scales[c] + ", dim " + j);
                    moved += step * step;
                }
                assertEquals(Math.abs(scales[c]) * Math.sqrt(D), Math.sqrt(moved), 1e-4, "the length of the move");
            }
        }
        // a mask restricts the direction
        float[] mask = {1, 1, 0, 0, 0, 0, 0, 0};
        assertArrayEquals(new float[] {0.5f, -1f, 0, 0, 0, 0, 0, 0}, Manipulation.direction(W, mask), 0f);
        float[] onlyTwo = man.edit(z, Manipulation.direction(W, mask), 1).toArray();
        for (int j = 2; j < D; j++) {
            assertEquals(zv[j], onlyTwo[j], 1e-6, "dim " + j + " outside the mask does not move");
        }
    }

    @Test
    void imagesComeFromPdaeInversionAndUnmaskedGenerationByDefault() {
        DitiModel m = TinyDiti.shifted(Partition.uniform(4, D), 3);
        FeatureStats st = stats();
        Tensor x0 = TinyDiti.images(4, 2);
        double[] scales = {-0.5, 0, 0.5};
        Manipulation man = new Manipulation(m, LINEAR, st, 6, 4);
        assertEquals(DdimGrid.Kind.RESPACED, man.inversion().grid().kind());
        assertEquals(Conditioning.UNMASKED, man.inversion().conditioning());
        assertEquals(DdimGrid.Kind.STRIDED, man.generation().grid().kind());
        assertEquals(Conditioning.UNMASKED, man.generation().conditioning());
        Manipulation.Result r = man.manipulate(x0, W, scales);
        assertEquals(2, r.rows());
        assertEquals(3, r.columns());
        Tensor z = new Reconstruction(m, LINEAR, 1, 1).encode(x0);
        assertSameBits(z, r.z(), "z = E(x_0)");
        assertSameBits(GuidedDdim.pdae(m, LINEAR, 6).invert(x0, z), r.xT(), "x_T by PDAE-style inversion");
        assertSameBits(man.edit(z, W, scales), r.edited(), "z'");
        // every image's noise is its own x_T; z' is given unmasked on the strided grid
        float[] xT = r.xT().toArray();
        int per = 3 * 8 * 8;
        float[] noise = new float[6 * per];
        for (int i = 0; i < 6; i++) {
            System.arraycopy(xT, (i / 3) * per, noise, i * per, per);
        }
        Tensor n = Tensor.of(noise, 6, 3, 8, 8);
        GuidedDdim unmasked = GuidedDdim.of(m, LINEAR, DdimGrid.Kind.STRIDED, 4, Conditioning.UNMASKED);
        assertSameBits(unmasked.sample(n, r.edited()), r.images(), "images");
        // the masked variant is a different procedure for this model
        Manipulation masked = new Manipulation(m, LINEAR, st, 6, 4, Conditioning.MASKED);
        Tensor maskedImages = masked.manipulate(x0, W, scales).images();
        assertSameBits(GuidedDdim.masked(m, LINEAR, 4).sample(n, r.edited()), maskedImages, "masked images");
        assertTrue(TinyDiti.maxAbsDiff(r.images(), maskedImages) > 1e-4);
    }

    @Test
    void refusesBadInputs() {
        DitiModel m = TinyDiti.fresh(Partition.uniform(4, D), 5);
        FeatureStats st = stats();
        assertMessage(() -> new Manipulation(m, LINEAR, FeatureStats.of(Tensor.randn(new Philox(1), CPU, 3, 4)), 2, 2),
                "the feature statistics must have the partition's d = 8 dimensions, got 4");
        assertMessage(() -> new Manipulation(m, LINEAR, st, 1001, 2), "inversion steps must be in [1, 1000], got 1001");
        Manipulation man = new Manipulation(m, LINEAR, st, 2, 2);
        Tensor z = Tensor.zeros(1, D);
        assertMessage(() -> man.edit(z, new float[7], 1), "the direction w has length 7, not the feature length d = 8");
        assertMessage(() -> man.edit(z, new float[D], 1), "the direction w has zero norm");
        assertMessage(() -> man.edit(z, W, new double[0]), "the edit needs at least one scale");
        assertMessage(() -> man.edit(z, W, Double.POSITIVE_INFINITY), "edit scales must be finite, got Infinity");
        assertMessage(() -> man.edit(Tensor.zeros(1, 5), W, 1), "z must have shape (B, 8) for the partition's d = 8, got"
                + " (1,5)");
        assertMessage(() -> man.manipulate(Tensor.zeros(1, 3, 7, 7), W, new double[] {1}),
                "x_0 must be images (B, 3, 8, 8), got (1,3,7,7)");
        assertMessage(() -> Manipulation.direction(W, new float[3]),
                "the weight row and the mask must have the same length, got 8 and 3");
    }
}

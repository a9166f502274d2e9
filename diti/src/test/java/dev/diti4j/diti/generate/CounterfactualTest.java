package dev.diti4j.diti.generate;

import static dev.diti4j.diti.generate.TinyDiti.D;
import static dev.diti4j.diti.generate.TinyDiti.assertMessage;
import static dev.diti4j.diti.generate.TinyDiti.assertSameBits;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.diti4j.core.Tensor;
import dev.diti4j.diffusion.NoiseSchedule;
import dev.diti4j.diti.model.DitiModel;
import dev.diti4j.diti.model.Partition;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** METHOD 6.4: moving the dimensions of a range of subsets from one image's feature to another's. */
class CounterfactualTest {
    private static final NoiseSchedule LINEAR = NoiseSchedule.linear();
    private static final int IMAGE = 3 * 8 * 8;

    @Test
    void theUnionMaskCoversTheRangesSubsets() {
        Partition p = Partition.explicit(D, new int[] {1, 3, 2, 2});
        assertArrayEquals(new float[] {0, 1, 1, 1, 1, 1, 0, 0}, Counterfactual.unionMask(p, 1, 3), 0f);
        assertArrayEquals(new float[] {1, 0, 0, 0, 0, 0, 0, 0}, Counterfactual.unionMask(p, 0, 1), 0f);
        assertArrayEquals(new float[] {1, 1, 1, 1, 1, 1, 1, 1}, Counterfactual.unionMask(p, 0, 4), 0f);
        assertMessage(() -> Counterfactual.unionMask(p, 2, 2), "the block range [2, 2) must satisfy 0 <= a < b <= k = 4");
        assertMessage(() -> Counterfactual.unionMask(p, 3, 5), "the block range [3, 5) must satisfy 0 <= a < b <= k = 4");
        assertMessage(() -> Counterfactual.unionMask(p, -1, 2), "the block range [-1, 2) must satisfy 0 <= a < b <= k = 4");
        assertEquals(4, Counterfactual.referenceRanges().length);
        assertArrayEquals(new int[] {32, 64}, Counterfactual.referenceRanges()[3]);
    }

    @Test
    void alphaZeroKeepsTheSourceAndAlphaOneTakesTheRangeFromTheOther() {
        Tensor z1 = TinyDiti.features(1, 2).mul(3f);
        Tensor z2 = TinyDiti.features(2, 2).mul(3f);
        float[] u = Counterfactual.unionMask(Partition.uniform(4, D), 1, 3);        // dims 2 .. 5
        Tensor mixed = Counterfactual.mixSubsets(z1, z2, u, new double[] {0, 0.5, 1});
        assertArrayEquals(new int[] {6, D}, mixed.shape().dims());
        float[] m = mixed.toArray();
        float[] a = z1.toArray();
        float[] b = z2.toArray();
        for (int i = 0; i < 2; i++) {
            for (int j = 0; j < D; j++) {
                boolean inU = j >= 2 && j < 6;
                float src = a[i * D + j];
                float oth = b[i * D + j];
                assertEquals(src, m[(i * 3) * D + j], 0f, "alpha 0, pair " + i + ", dim " + j);
                assertEquals(inU ? oth : src, m[(i * 3 + 2) * D + j], 0f, "alpha 1, pair " + i + ", dim " + j);
                assertEquals(inU ? (src + oth) / 2 : src, m[(i * 3 + 1) * D + j], 1e-6, "alpha 0.5, dim " + j);
            }
        }
    }

    @Test
    void swappingARangeWithTheSourcesNoiseIsolatesTheFeature() {
        Partition p = Partition.uniform(4, D);
        DitiModel m = TinyDiti.shifted(p, 3);
        Counterfactual cf = new Counterfactual(m, LINEAR, 5, 5);
        Tensor x1 = TinyDiti.images(4, 2);
        Tensor x2 = TinyDiti.images(5, 2);
        Counterfactual.Pair pair = cf.prepare(x1, x2);
        Reconstruction rec = new Reconstruction(m, LINEAR, 5, 5);
        assertSameBits(rec.encode(x1), pair.z1(), "z_1");
        assertEquals(0, TinyDiti.maxAbsDiff(rec.invert(x2, pair.z2()), pair.xT2()), 1e-5, "x_T^2");

        double[] alphas = {0, 0.5, 1};
        Counterfactual.Result r = cf.swapRange(pair, 2, 4, alphas, Counterfactual.Noise.SOURCE);
        assertEquals(3, r.columns());
        assertEquals(4, r.rows(), "a z_12 row and a z_21 row per pair");
        assertArrayEquals(new int[] {12, 3, 8, 8}, r.images().shape().dims());
        float[] z = r.z().toArray();
        float[] z1 = pair.z1().toArray();
        float[] z2 = pair.z2().toArray();
        float[] n = r.xT().toArray();
        float[] n1 = pair.xT1().toArray();
        float[] n2 = pair.xT2().toArray();
        for (int i = 0; i < 2; i++) {
            int row12 = 2 * i;
            int row21 = 2 * i + 1;
            assertArrayEquals(Arrays.copyOfRange(z1, i * D, i * D + D), slice(z, row12 * 3, D), 0f, "z_12(0) = z_1");
            assertArrayEquals(Arrays.copyOfRange(z2, i * D, i * D + D), slice(z, row21 * 3, D), 0f, "z_21(0) = z_2");
            float[] z12One = slice(z, row12 * 3 + 2, D);
            for (int j = 0; j < D; j++) {
                assertEquals(j >= 4 ? z2[i * D + j] : z1[i * D + j], z12One[j], 0f, "z_12(1), dim " + j);
            }
            for (int c = 0; c < 3; c++) {
                assertArrayEquals(Arrays.copyOfRange(n1, i * IMAGE, (i + 1) * IMAGE), slice(n, row12 * 3 + c, IMAGE), 0f,
                        "x_T of z_12 stays the source's");
                assertArrayEquals(Arrays.copyOfRange(n2, i * IMAGE, (i + 1) * IMAGE), slice(n, row21 * 3 + c, IMAGE), 0f,
                        "x_T of z_21 stays the source's");
            }
        }
        // α = 0 with fixed noise is the source's reconstruction (one batch of 12 vs one of 2)
        float[] img = r.images().toArray();
        float[] recon1 = rec.decode(pair.xT1(), pair.z1()).toArray();
        for (int i = 0; i < 2; i++) {
            assertEquals(0, TinyDiti.maxAbsDiff(Arrays.copyOfRange(recon1, i * IMAGE, (i + 1) * IMAGE),
                    slice(img, 2 * i * 3, IMAGE)), 1e-5, "pair " + i + ": alpha 0 reproduces the reconstruction");
        }
        // α = 1 changes the image: G sees the swapped subsets at t >= 500
        assertTrue(TinyDiti.maxAbsDiff(slice(img, 0, IMAGE), slice(img, 2, IMAGE)) > 1e-4);
    }

    @Test
    void slerpedNoiseAndFullInterpolationFollowTheirEndpoints() {
        DitiModel m = TinyDiti.shifted(Partition.uniform(4, D), 6);
        Counterfactual cf = new Counterfactual(m, LINEAR, 4, 4);
        Counterfactual.Pair pair = cf.prepare(TinyDiti.images(7, 1), TinyDiti.images(8, 1));
        Counterfactual.Result r = cf.swapRange(pair, 0, 2, Counterfactual.Noise.SLERP);
        assertEquals(5, r.columns());
        float[] n = r.xT().toArray();
        assertArrayEquals(pair.xT1().toArray(), slice(n, 0, IMAGE), 0f, "z_12 row starts at x_T^1");
        assertArrayEquals(pair.xT2().toArray(), slice(n, 4, IMAGE), 0f, "... and ends at x_T^2");
        assertArrayEquals(pair.xT2().toArray(), slice(n, 5, IMAGE), 0f, "z_21 row starts at x_T^2");
        assertArrayEquals(pair.xT1().toArray(), slice(n, 9, IMAGE), 0f, "... and ends at x_T^1");
        assertArrayEquals(Interpolation.slerp(pair.xT1(), pair.xT2(), 0.25).toArray(), slice(n, 1, IMAGE), 0f);

        Counterfactual.Result full = cf.interpolate(pair, new double[] {0, 0.3, 1});
        assertEquals(1, full.rows());
        float[] z = full.z().toArray();
        assertArrayEquals(pair.z1().toArray(), slice(z, 0, D), 0f);
        assertArrayEquals(Interpolation.lerp(pair.z1(), pair.z2(), 0.3).toArray(), slice(z, 1, D), 0f);
        assertArrayEquals(pair.z2().toArray(), slice(z, 2, D), 0f);
        assertArrayEquals(Interpolation.slerp(pair.xT1(), pair.xT2(), 0.3).toArray(), slice(full.xT().toArray(), 1,
                IMAGE), 0f);
        assertSameBits(cf.generation().sample(full.xT(), full.z()), full.images(), "images of the full interpolation");
    }

    @Test
    void refusesBadInputs() {
        DitiModel m = TinyDiti.fresh(Partition.uniform(4, D), 9);
        assertMessage(() -> new Counterfactual(m, LINEAR, 5, 0), "generation steps must be in [1, 1000], got 0");
        Counterfactual cf = new Counterfactual(m, LINEAR, 2, 2);
        Tensor x = TinyDiti.images(10, 1);
        assertMessage(() -> cf.prepare(x, TinyDiti.images(11, 2)), "the two image batches must pair up, got 1 and 2 images");
        assertMessage(() -> cf.prepare(x, Tensor.zeros(1, 1, 8, 8)),
                "the second images must be images (B, 3, 8, 8), got (1,1,8,8)");
        Counterfactual.Pair pair = new Counterfactual.Pair(Tensor.zeros(1, D), Tensor.zeros(1, D), Tensor.zeros(1, 3, 8, 8),
                Tensor.zeros(1, 3, 8, 8));
        assertMessage(() -> cf.swapRange(pair, 0, 1, new double[0], Counterfactual.Noise.SOURCE),
                "the interpolation needs at least one alpha");
        assertMessage(() -> cf.swapRange(pair, 0, 1, new double[] {0, 1.25}, Counterfactual.Noise.SOURCE),
                "alpha must be in [0, 1], got 1.25");
        assertMessage(() -> cf.swapRange(pair, 1, 5, Counterfactual.Noise.SOURCE),
                "the block range [1, 5) must satisfy 0 <= a < b <= k = 4");
        Counterfactual.Pair bad = new Counterfactual.Pair(Tensor.zeros(1, D), Tensor.zeros(2, D), Tensor.zeros(1, 3, 8, 8),
                Tensor.zeros(1, 3, 8, 8));
        assertMessage(() -> cf.interpolate(bad), "z2 must have shape (1, 8) for 1 image(s) and the partition's d = 8,"
                + " got (2,8)");
        assertMessage(() -> Counterfactual.mixSubsets(Tensor.zeros(1, D), Tensor.zeros(1, D), new float[3],
                new double[] {0}), "the subset mask has length 3, not the feature length 8");
    }

    /** Row {@code row} of a row-major array of rows of length {@code len}. */
    private static float[] slice(float[] v, int row, int len) {
        return Arrays.copyOfRange(v, row * len, (row + 1) * len);
    }
}

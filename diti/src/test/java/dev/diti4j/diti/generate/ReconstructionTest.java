package dev.diti4j.diti.generate;

import static dev.diti4j.diti.generate.TinyDiti.CPU;
import static dev.diti4j.diti.generate.TinyDiti.D;
import static dev.diti4j.diti.generate.TinyDiti.assertMessage;
import static dev.diti4j.diti.generate.TinyDiti.assertSameBits;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.diti4j.core.GradMode;
import dev.diti4j.core.Tensor;
import dev.diti4j.core.random.Philox;
import dev.diti4j.diffusion.NoiseSchedule;
import dev.diti4j.diti.model.DitiModel;
import dev.diti4j.diti.model.Partition;
import org.junit.jupiter.api.Test;

/** METHOD 6.3: z = E(x_0), x_T by masked inversion, x̂ by masked sampling; stochastic decodes. */
class ReconstructionTest {
    private static final NoiseSchedule LINEAR = NoiseSchedule.linear();

    @Test
    void reconstructionIsEncodeThenInvertThenDecodeWithTheirOwnStepCounts() {
        DitiModel m = TinyDiti.shifted(Partition.uniform(4, D), 1);
        Tensor x0 = TinyDiti.images(2, 2);
        Reconstruction r = new Reconstruction(m, LINEAR, 10, 4);
        assertEquals(10, r.inversion().grid().size());
        assertEquals(4, r.generation().grid().size());
        Reconstruction.Result out = r.reconstruct(x0);
        Tensor z;
        try (GradMode _ = GradMode.off()) {
            z = m.encode(x0);
        }
        assertSameBits(z, out.z(), "z = E(x_0)");
        Tensor xT = GuidedDdim.masked(m, LINEAR, 10).invert(x0, z);
        assertSameBits(xT, out.xT(), "x_T");
        assertSameBits(GuidedDdim.masked(m, LINEAR, 4).sample(xT, z), out.images(), "x-hat");
        assertArrayEquals(new int[] {2, 3, 8, 8}, out.images().shape().dims());
    }

    @Test
    void stochasticDecodesDrawTheirNoiseFromTheGeneratorRowByRow() {
        DitiModel m = TinyDiti.shifted(Partition.uniform(4, D), 3);
        Reconstruction r = new Reconstruction(m, LINEAR, 5, 5);
        Tensor z = TinyDiti.features(4, 2);
        Tensor images = r.decodeFromNoise(z, 3, new Philox(5));
        assertArrayEquals(new int[] {6, 3, 8, 8}, images.shape().dims());
        // the same as decoding x_T ~ N(0, I) from the same generator with z's rows repeated 3 times
        Tensor xT = Tensor.randn(new Philox(5), CPU, 6, 3, 8, 8);
        float[] zv = z.toArray();
        float[] rep = new float[6 * D];
        for (int i = 0; i < 6; i++) {
            System.arraycopy(zv, (i / 3) * D, rep, i * D, D);
        }
        assertSameBits(r.decode(xT, Tensor.of(rep, 6, D)), images, "layout: row b holds z_b's decodes");
        assertSameBits(images, r.decodeFromNoise(z, 3, new Philox(5)), "same generator, same images");
        float[] v = images.toArray();
        int per = 3 * 8 * 8;
        assertTrue(TinyDiti.maxAbsDiff(java.util.Arrays.copyOfRange(v, 0, per),
                java.util.Arrays.copyOfRange(v, per, 2 * per)) > 1e-3, "independent noise per decode");
        assertSameBits(r.decode(xT.slice(0, 0, 2), z), r.decodeFromNoise(z, 1, new Philox(5)), "one decode per feature");
    }

    @Test
    void refusesBadInputs() {
        DitiModel m = TinyDiti.fresh(Partition.uniform(4, D), 6);
        assertMessage(() -> new Reconstruction(m, LINEAR, 0, 5), "inversion steps must be in [1, 1000], got 0");
        assertMessage(() -> new Reconstruction(m, LINEAR, 5, 1001), "generation steps must be in [1, 1000], got 1001");
        Reconstruction r = new Reconstruction(m, LINEAR, 2, 2);
        assertMessage(() -> r.reconstruct(Tensor.zeros(1, 3, 4, 4)), "x_0 must be images (B, 3, 8, 8), got (1,3,4,4)");
        assertMessage(() -> r.decodeFromNoise(Tensor.zeros(2, 5), 1, new Philox(1)),
                "z must have shape (B, 8) for the partition's d = 8, got (2,5)");
        assertMessage(() -> r.decodeFromNoise(Tensor.zeros(2, D), 0, new Philox(1)),
                "decodes per feature must be at least 1, got 0");
        assertMessage(() -> r.decode(Tensor.zeros(1, 3, 8, 8), Tensor.zeros(2, D)),
                "z must have shape (1, 8) for 1 image(s) and the partition's d = 8, got (2,8)");
    }
}

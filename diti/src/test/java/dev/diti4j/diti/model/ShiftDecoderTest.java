package dev.diti4j.diti.model;

import static dev.diti4j.diti.model.PartitionTest.assertMessage;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.diti4j.core.Device;
import dev.diti4j.core.GradMode;
import dev.diti4j.core.Tensor;
import dev.diti4j.core.random.Philox;
import dev.diti4j.nn.GradCheck;
import dev.diti4j.nn.Module;
import dev.diti4j.nn.layers.Conv2d;
import dev.diti4j.nn.layers.GroupNorm;
import dev.diti4j.nn.layers.Linear;
import dev.diti4j.nn.layers.ResBlock;
import dev.diti4j.nn.layers.Resample;
import dev.diti4j.core.testing.ReferenceBackend;
import dev.diti4j.nn.unet.Features;
import dev.diti4j.nn.unet.UNet;
import dev.diti4j.nn.unet.UNetConfig;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** The shift decoder G of METHOD 2.2: structure, parameter counts (METHOD 1.4), G = 0 at step 0. */
class ShiftDecoderTest {
    private static final Device CPU = Device.CPU;

    @Test
    void countWithoutBuildingMatchesBuiltDecoders() {
        UNetConfig[] cfgs = {UNetConfig.tinyTest(), UNetConfig.fashionMnist(), UNetConfig.shapes32(),
            // two res blocks, three levels, attention at two factors, cin != cout everywhere in the decoder
            new UNetConfig(2, 2, 8, new int[] {1, 2, 3}, 2, new int[] {1, 4}, 2, 0.1f, 4)};
        for (UNetConfig cfg : cfgs) {
            for (int d : new int[] {5, 64}) {
                ShiftDecoder s = new ShiftDecoder(cfg, d, CPU, new Philox(1));
                assertEquals(s.parameterCount(), ShiftDecoder.countParameters(cfg, d), cfg + ", d = " + d);
            }
        }
    }

    @Test
    void trainableBranchSizesAreMethod14sAndIncludeLabelEmb() {
        // METHOD 1.4's "trainable shift branch (label_emb + shift decoder)": the figures include
        // label_emb; without it they would read 1.17 M, 51.88 M and 78.26 M
        UNetConfig fm = UNetConfig.fashionMnist();
        ShiftDecoder small = new ShiftDecoder(fm, 64, CPU, new Philox(2));
        assertEquals(1_179_809L, small.parameterCount());
        assertEquals(8_320L, small.labelEmbedding().parameterCount());          // Linear(64 -> 128)
        assertEquals(1.18, millions(small.parameterCount()));
        assertEquals(1.17, millions(small.parameterCount() - small.labelEmbedding().parameterCount()));
        long celeba = ShiftDecoder.countParameters(UNetConfig.celeba64(), 512);
        long ffhq = ShiftDecoder.countParameters(UNetConfig.ffhq128(), 512);
        assertEquals(52_007_811L, celeba);
        assertEquals(78_522_371L, ffhq);
        assertEquals(52.01, millions(celeba));
        assertEquals(78.52, millions(ffhq));
        assertEquals(51.88, millions(celeba - (512L * 256 + 256)));
        assertEquals(78.26, millions(ffhq - (512L * 512 + 512)));
    }

    private static double millions(long n) {
        return Math.round(n / 1e4) / 100.0;
    }

    @Test
    void gIsZeroAtStepZeroAndHasTheImagesShape() {
        UNetConfig cfg = UNetConfig.tinyTest();
        UNet dm = new UNet(cfg, new Philox(3));
        GradCheck.randomize(dm, new Philox(4));
        FrozenDm frozen = new FrozenDm(dm);
        ShiftDecoder s = new ShiftDecoder(cfg, 6, CPU, new Philox(5));
        Tensor x = Tensor.randn(new Philox(6), CPU, 2, 3, 8, 8);
        Features f = frozen.run(x, new int[] {0, 999}).features();
        Tensor z = Tensor.randn(new Philox(7), CPU, 2, 6).mul(10f);
        Tensor g = s.forward(f, z);
        assertArrayEquals(new int[] {2, 3, 8, 8}, g.shape().dims());
        for (float v : g.toArray()) {
            assertEquals(0f, v, "the zero-initialised output conv makes G = 0 at step 0");
        }
        // ... but the gradient reaches the output conv, so training moves G off zero
        Tensor w = s.outputHead().children().get("conv").namedParameters().get("weight").tensor();
        assertTrue(Arrays.stream(toDouble(g.square().sum().add(g.sum()).backward().get(w).toArray()))
                .anyMatch(v -> v != 0), "d(sum G)/d(out conv) is not zero");
        assertMessage(() -> s.forward(f, Tensor.zeros(2, 5)), "the shift decoder expects a condition (2, 6), got (2,5)");
        assertMessage(() -> s.forward(f, Tensor.zeros(3, 6)), "the shift decoder expects a condition (2, 6), got (3,6)");
    }

    @Test
    void gReadsTheFrozenEncoderHalfAndNeverTheFrozenMiddleOrDecoder() {
        // METHOD 8 item 2: changing the frozen middle block, decoder and head leaves G unchanged;
        // changing the frozen encoder half changes it
        UNetConfig cfg = UNetConfig.tinyTest();
        UNet dm = new UNet(cfg, new Philox(8));
        GradCheck.randomize(dm, new Philox(9));
        FrozenDm frozen = new FrozenDm(dm);
        ShiftDecoder s = new ShiftDecoder(cfg, 4, CPU, new Philox(10));
        GradCheck.randomize(s, new Philox(11));
        Tensor x = Tensor.randn(new Philox(12), CPU, 2, 3, 8, 8);
        Tensor z = Tensor.randn(new Philox(13), CPU, 2, 4);
        int[] t = {100, 700};
        float[] g0 = s.forward(frozen.run(x, t).features(), z).toArray();
        float[] eps0 = frozen.run(x, t).eps().toArray();
        for (Module m : new Module[] {dm.middle(), dm.decoder(), dm.outputHead()}) {
            GradCheck.randomize(m, new Philox(14));
        }
        FrozenDm.Pass p1 = frozen.run(x, t);
        assertFalse(Arrays.equals(eps0, p1.eps().toArray()), "the frozen prediction changed");
        assertArrayEquals(g0, s.forward(p1.features(), z).toArray(), 0f, "G did not");
        GradCheck.randomize(dm.encoder(), new Philox(15));
        assertFalse(Arrays.equals(g0, s.forward(frozen.run(x, t).features(), z).toArray()));
    }

    @Test
    void resBlockShiftModulatesByZAfterTheTimeModulation() {
        // (1 + z_s) * (GN(h) (1 + s) + b) + z_b, written out from the block's own layers, in double
        GradCheck.reference(() -> {
            Philox rng = new Philox(16);
            ResBlock r = new ResBlock(4, 6, 10, 0f, 2, Resample.UP, true, CPU, rng);
            GradCheck.randomize(r, rng);
            Tensor x = Tensor.randn(rng, CPU, 2, 4, 3, 3);
            Tensor et = Tensor.randn(rng, CPU, 2, 10);
            Tensor ez = Tensor.randn(rng, CPU, 2, 10);
            var c = r.children();
            Tensor h = ((GroupNorm) c.get("norm1")).forward(x).silu().upsampleNearest2x();
            h = ((Conv2d) c.get("conv1")).forward(h);
            Tensor ts = ((Linear) c.get("emb")).forward(et.silu()).reshape(2, 12, 1, 1);
            Tensor zs = ((Linear) c.get("emb_z")).forward(ez.silu()).reshape(2, 12, 1, 1);
            Tensor inner = ((GroupNorm) c.get("norm2")).forward(h).mul(ts.slice(1, 0, 6).add(1f)).add(ts.slice(1, 6, 12));
            Tensor mod = zs.slice(1, 0, 6).add(1f).mul(inner).add(zs.slice(1, 6, 12));
            Tensor expected = ((Conv2d) c.get("skip")).forward(x.upsampleNearest2x())
                    .add(((Conv2d) c.get("conv2")).forward(mod.silu()));
            double[] want = ReferenceBackend.values(expected);
            double[] got = ReferenceBackend.values(r.forward(x, et, ez));
            for (int i = 0; i < want.length; i++) {
                assertEquals(want[i], got[i], 1e-12 * Math.max(1, Math.abs(want[i])), "element " + i);
            }
            // the other order, (1 + s) ((1 + z_s) GN(h) + z_b) + b, is a different function
            Tensor swapped = ((GroupNorm) c.get("norm2")).forward(h).mul(zs.slice(1, 0, 6).add(1f))
                    .add(zs.slice(1, 6, 12)).mul(ts.slice(1, 0, 6).add(1f)).add(ts.slice(1, 6, 12));
            Tensor other = ((Conv2d) c.get("skip")).forward(x.upsampleNearest2x())
                    .add(((Conv2d) c.get("conv2")).forward(swapped.silu()));
            double[] o = ReferenceBackend.values(other);
            double maxDiff = 0;
            for (int i = 0; i < o.length; i++) {
                maxDiff = Math.max(maxDiff, Math.abs(o[i] - got[i]));
            }
            assertTrue(maxDiff > 1e-3, "the test tells the two orders apart (" + maxDiff + ")");
        });
    }

    @Test
    void everyBlockIsZModulatedAndTheBranchStartsFresh() {
        UNetConfig cfg = UNetConfig.tinyTest();
        ShiftDecoder s = new ShiftDecoder(cfg, 4, CPU, new Philox(17));
        long zLayers = s.namedParameters().keySet().stream().filter(n -> n.endsWith("emb_z.weight")).count();
        // tiny: middle 2, decoder 2 levels x 2 blocks + 1 up-sampling block
        assertEquals(7, zLayers);
        UNet dm = new UNet(cfg, new Philox(17));
        // not copied from the U-Net's decoder: another generator stream
        float[] ours = s.decoder().namedParameters().get("0.res.conv1.weight").tensor().toArray();
        float[] dms = dm.decoder().namedParameters().get("0.res.conv1.weight").tensor().toArray();
        assertFalse(Arrays.equals(ours, dms));
        try (GradMode ng = GradMode.off()) {
            for (String n : new String[] {"out.conv.weight", "out.conv.bias", "mid.res1.conv2.weight", "mid.attn.proj_out.weight"}) {
                for (float v : s.namedParameters().get(n).tensor().toArray()) {
                    assertEquals(0f, v, n + " starts at zero");
                }
            }
        }
    }

    private static double[] toDouble(float[] a) {
        double[] d = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            d[i] = a[i];
        }
        return d;
    }
}

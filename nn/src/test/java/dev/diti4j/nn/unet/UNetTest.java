package dev.diti4j.nn.unet;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.diti4j.core.Device;
import dev.diti4j.core.GradMode;
import dev.diti4j.core.Scope;
import dev.diti4j.core.Tensor;
import dev.diti4j.core.random.Philox;
import dev.diti4j.nn.GradCheck;
import dev.diti4j.nn.Parameter;
import dev.diti4j.nn.layers.Linear;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class UNetTest {
    @Test
    void smallRecipeHasTheParameterCountOfMethod14() {
        UNet net = new UNet(UNetConfig.fashionMnist(), new Philox(1));
        long n = net.parameterCount();
        assertEquals(1_369_953L, n);
        assertEquals(1.37, Math.round(n / 1e4) / 100.0, "METHOD.md 1.4 reports 1.37 M");
    }

    @Test
    void presetParameterCounts() {
        assertEquals(53_275L, new UNet(UNetConfig.tinyTest(), new Philox(1)).parameterCount());
        assertEquals(1_914_723L, new UNet(UNetConfig.shapes32(), new Philox(1)).parameterCount());
    }

    @Test
    void largePresetsMatchMethod14() {
        // METHOD.md 1.4 [run]: 63.96 M and 98.62 M
        assertEquals(63_958_019L, new UNet(UNetConfig.celeba64(), new Philox(1)).parameterCount());
        assertEquals(98_618_499L, new UNet(UNetConfig.ffhq128(), new Philox(1)).parameterCount());
    }

    @Test
    void shiftBranchBuiltFromTheSameBlocksMatchesMethod14() {
        // METHOD.md 1.4: the trainable shift branch of the small recipe (label_emb Linear(64 -> 128),
        // z-modulated middle block and decoder, output head to the input channels) has 1.18 M parameters
        UNetConfig cfg = UNetConfig.fashionMnist();
        Philox rng = new Philox(2);
        long n = new Linear(64, cfg.embDim(), Device.CPU, rng).parameterCount()
                + new MiddleBlock(cfg, true, Device.CPU, rng).parameterCount()
                + new Decoder(cfg, true, Device.CPU, rng).parameterCount()
                + new OutputHead(cfg.channels(0), cfg.inChannels(), cfg.groups(), Device.CPU, rng).parameterCount();
        assertEquals(1_179_809L, n);
    }

    @Test
    void outputIsExactlyZeroAtInit() {
        UNet net = new UNet(UNetConfig.fashionMnist(), new Philox(3));
        Tensor x = Tensor.randn(new Philox(4), Device.CPU, 2, 1, 28, 28);
        float[] eps = net.forward(x, new int[] {0, 999}).toArray();
        assertEquals(2 * 28 * 28, eps.length);
        for (float v : eps) {
            assertEquals(0f, v, "the output conv is zero-initialised");
        }
    }

    @Test
    void encodeExposesEverySkipAndForwardIsEncodeThenDecode() {
        UNetConfig cfg = UNetConfig.tinyTest();
        UNet net = new UNet(cfg, new Philox(5));
        GradCheck.randomize(net, new Philox(6));
        net.eval();
        Tensor x = Tensor.randn(new Philox(7), Device.CPU, 2, 3, 8, 8);
        int[] t = {10, 900};
        Features f = net.encode(x, t);
        // tiny: input conv (8 @ 8x8), level 0 block (8 @ 8x8), down (8 @ 4x4), level 1 block (16 @ 4x4)
        assertEquals(List.of("(2,8,8,8)", "(2,8,8,8)", "(2,8,4,4)", "(2,16,4,4)"),
                f.skips().stream().map(s -> s.shape().toString()).toList());
        assertArrayEquals(new int[] {8, 8, 8, 16}, cfg.skipChannels());
        assertSame(f.skips().get(3), f.bottleneck());
        assertArrayEquals(new int[] {2, 32}, f.emb().shape().dims());
        assertArrayEquals(net.forward(x, t).toArray(), net.decode(f).toArray(), 0f);
        assertArrayEquals(new int[] {2, 3, 8, 8}, net.forward(x, t).shape().dims());
    }

    @Test
    void sameSeedSameModelAndDropoutOnlyInTraining() {
        UNetConfig cfg = UNetConfig.tinyTest().withDropout(0.3f);
        UNet a = new UNet(cfg, new Philox(8));
        UNet b = new UNet(cfg, new Philox(8));
        for (int i = 0; i < a.parameters().size(); i++) {
            assertArrayEquals(a.parameters().get(i).tensor().toArray(), b.parameters().get(i).tensor().toArray(), 0f);
        }
        GradCheck.randomize(a, new Philox(9));
        Tensor x = Tensor.randn(new Philox(10), Device.CPU, 1, 3, 4, 4);
        int[] t = {5};
        a.eval();
        float[] e1 = a.forward(x, t).toArray();
        assertArrayEquals(e1, a.forward(x, t).toArray(), 0f, "evaluation is deterministic");
        a.train();
        assertNotEquals(Arrays.toString(e1), Arrays.toString(a.forward(x, t).toArray()), "dropout acts in training");
    }

    @Test
    void wholeNetworkGradient() {
        UNet net = new UNet(UNetConfig.tinyTest(), new Philox(11));
        GradCheck.randomize(net, new Philox(12));
        Tensor x = GradCheck.input(new Philox(13), 2, 3, 4, 4);
        int[] t = {3, 640};
        var leaves = new java.util.LinkedHashMap<String, Tensor>();
        leaves.put("x", x);
        leaves.putAll(GradCheck.leaves(net));
        GradCheck.check("tiny U-Net", () -> net.forward(x, t), leaves, 2, 14);
    }

    @Test
    void zModulatedBranchOnFrozenFeaturesIsZeroAtInitAndDifferentiable() {
        // the PDAE shift decoder of METHOD.md 2.2 assembled from the public blocks
        UNetConfig cfg = UNetConfig.tinyTest();
        UNet frozen = new UNet(cfg, new Philox(21));
        GradCheck.randomize(frozen, new Philox(22));
        frozen.freeze().eval();
        Philox rng = new Philox(23);
        Linear labelEmb = new Linear(5, cfg.embDim(), Device.CPU, rng);
        MiddleBlock mid = new MiddleBlock(cfg, true, Device.CPU, rng);
        Decoder dec = new Decoder(cfg, true, Device.CPU, rng);
        OutputHead head = new OutputHead(cfg.channels(0), cfg.inChannels(), cfg.groups(), Device.CPU, rng);
        Tensor x = Tensor.randn(new Philox(24), Device.CPU, 2, 3, 4, 4);
        Features f;
        try (GradMode ng = GradMode.off()) {
            f = frozen.encode(x, new int[] {100, 700});
        }
        Tensor z = GradCheck.input(new Philox(25), 2, 5);
        java.util.function.Supplier<Tensor> shift = () -> {
            Tensor ez = labelEmb.forward(z);
            return head.forward(dec.forward(mid.forward(f.bottleneck(), f.emb(), ez), f.skips(), f.emb(), ez));
        };
        for (float v : shift.get().toArray()) {
            assertEquals(0f, v, "G is identically 0 at step 0 (zero-initialised output conv)");
        }
        for (dev.diti4j.nn.Module m : List.of(labelEmb, mid, dec, head)) {
            GradCheck.randomize(m, new Philox(26));
        }
        var leaves = new java.util.LinkedHashMap<String, Tensor>();
        leaves.put("z", z);
        leaves.put("label_emb.weight", labelEmb.weight().tensor());
        leaves.put("mid.res1.emb_z.weight", mid.namedParameters().get("res1.emb_z.weight").tensor());
        leaves.put("up.0.res.emb_z.bias", dec.namedParameters().get("0.res.emb_z.bias").tensor());
        leaves.put("up.1.up.conv2.weight", dec.namedParameters().get("1.up.conv2.weight").tensor());
        leaves.put("out.conv.weight", head.namedParameters().get("conv.weight").tensor());
        GradCheck.check("shift branch", shift, leaves, 3, 27);
        assertThrows(IllegalArgumentException.class, () -> mid.forward(f.bottleneck(), f.emb(), null));
    }

    @Test
    void frozenNetworkBuildsNoGraph() {
        UNet net = new UNet(UNetConfig.tinyTest(), new Philox(15));
        net.freeze().eval();
        Tensor x = Tensor.randn(new Philox(16), Device.CPU, 1, 3, 4, 4);
        Features f = net.encode(x, new int[] {1});
        assertTrue(f.skips().stream().noneMatch(Tensor::requiresGrad));
        assertTrue(net.trainableParameters().isEmpty());
        for (Parameter p : net.parameters()) {
            assertTrue(p.frozen(), p.name());
        }
    }

    @Test
    void forwardInsideScopesLeavesParametersAlive() {
        UNet net = new UNet(UNetConfig.tinyTest(), new Philox(17));
        Tensor x = Tensor.randn(new Philox(18), Device.CPU, 1, 3, 4, 4);
        float[] first;
        try (GradMode ng = GradMode.off(); Scope s = Scope.open()) {
            first = net.forward(x, new int[] {2}).toArray();
        }
        try (Scope s = Scope.open()) {
            assertArrayEquals(first, net.forward(x, new int[] {2}).toArray(), 0f);
        }
    }

    @Test
    void parameterNamesFollowTheLayout() {
        UNet net = new UNet(UNetConfig.tinyTest(), new Philox(19));
        var names = net.namedParameters().keySet();
        for (String expected : List.of("time.linear1.weight", "down.0.weight", "down.1.res.conv1.weight",
                "down.2.res.norm1.weight", "down.3.res.skip.weight", "down.3.attn.qkv.weight", "mid.res1.emb.weight",
                "mid.attn.proj_out.weight", "up.0.res.skip.weight", "up.1.up.conv2.weight", "up.3.res.conv2.bias",
                "out.norm.weight", "out.conv.weight")) {
            assertTrue(names.contains(expected), expected + " in " + names);
        }
    }

    @Test
    void badInputsFailWithOneClearSentence() {
        UNet net = new UNet(UNetConfig.tinyTest(), new Philox(20));
        Tensor x = Tensor.zeros(1, 3, 5, 4);
        assertEquals("UNet with 2 levels needs a height and width that are positive multiples of 2, got 5x4",
                assertThrows(IllegalArgumentException.class, () -> net.forward(x, new int[] {1})).getMessage());
        assertEquals("UNet expects input (B, 3, H, W), got (1,1,4,4)",
                assertThrows(IllegalArgumentException.class, () -> net.forward(Tensor.zeros(1, 1, 4, 4),
                        new int[] {1})).getMessage());
        assertEquals("UNet needs one time step per image: batch 1 but 2 time steps",
                assertThrows(IllegalArgumentException.class, () -> net.forward(Tensor.zeros(1, 3, 4, 4),
                        new int[] {1, 2})).getMessage());
    }
}

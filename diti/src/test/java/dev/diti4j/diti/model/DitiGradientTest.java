package dev.diti4j.diti.model;

import static dev.diti4j.nn.GradCheck.check;
import static dev.diti4j.nn.GradCheck.input;
import static dev.diti4j.nn.GradCheck.leaves;
import static dev.diti4j.nn.GradCheck.randomize;
import static dev.diti4j.nn.GradCheck.reference;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.diti4j.core.Device;
import dev.diti4j.core.Tensor;
import dev.diti4j.core.random.Philox;
import dev.diti4j.core.testing.ReferenceBackend;
import dev.diti4j.diffusion.ForwardProcess;
import dev.diti4j.diffusion.NoiseSchedule;
import dev.diti4j.nn.layers.ResBlock;
import dev.diti4j.nn.layers.Resample;
import dev.diti4j.nn.unet.Features;
import dev.diti4j.nn.unet.UNet;
import dev.diti4j.nn.unet.UNetConfig;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * Finite-difference checks, in double precision on the reference backend (nn's {@code GradCheck}),
 * of the pieces this module assembles: ResBlockShift, the shift decoder with its label_emb path,
 * the encoder layouts, and the whole DiTi loss (METHOD 4.6) in base mode. stop_grad's gradient is
 * not the derivative of its loss value, so it is checked against the derivative of the same loss
 * with the older subsets read from a constant copy of z.
 */
class DitiGradientTest {
    private static final Device CPU = Device.CPU;
    private static final int COORDS = 4;

    @Test
    void resBlockShift() {
        reference(() -> {
            Philox rng = new Philox(1);
            ResBlock r = new ResBlock(4, 6, 8, 0f, 2, Resample.DOWN, true, CPU, rng);
            randomize(r, rng);
            Tensor x = input(rng, 2, 4, 4, 4);
            Tensor et = input(rng, 2, 8);
            Tensor ez = input(rng, 2, 8);
            check("ResBlockShift 4 -> 6, down", () -> r.forward(x, et, ez), leaves(r, "x", x, "e_t", et, "e_z", ez),
                    COORDS, 2);
        });
    }

    @Test
    void shiftDecoderWithRespectToTheConditionLabelEmbAndItsBlocks() {
        reference(() -> {
            UNetConfig cfg = UNetConfig.tinyTest();
            UNet dm = new UNet(cfg, new Philox(3));
            randomize(dm, new Philox(4));
            Features f = new FrozenDm(dm).run(Tensor.randn(new Philox(5), CPU, 2, 3, 4, 4), new int[] {50, 800})
                    .features();
            ShiftDecoder s = new ShiftDecoder(cfg, 5, CPU, new Philox(6));
            randomize(s, new Philox(7));
            Tensor cond = input(new Philox(8), 2, 5);
            Map<String, Tensor> l = new LinkedHashMap<>();
            l.put("condition", cond);
            Map<String, Tensor> all = leaves(s);
            for (Map.Entry<String, Tensor> e : all.entrySet()) {
                String n = e.getKey();
                if (n.startsWith("label_emb.") || n.startsWith("mid.res1.") || n.contains("emb_z") || n.startsWith("out.")) {
                    l.put(n, e.getValue());
                }
            }
            check("shift decoder (tiny): condition, label_emb, every emb_z, mid.res1, head", () -> s.forward(f, cond), l,
                    COORDS, 9);
        });
    }

    @Test
    void smallEncoder() {
        reference(() -> {
            FeatureEncoder e = new FeatureEncoder(EncoderConfig.small(3, 8, 4), CPU, new Philox(10));
            randomize(e, new Philox(11));
            Tensor x = input(new Philox(12), 2, 3, 8, 8);
            check("small encoder on 3x8x8, d = 4", () -> e.forward(x), leaves(e, "x", x), COORDS, 13);
        });
    }

    @Test
    void celebaEncoderLayoutWithAttention() {
        reference(() -> {
            // the CelebA 64 layout on 16 px images (16 -> 8 -> 4 -> 2 -> 1), d = 3
            FeatureEncoder e = new FeatureEncoder(new EncoderConfig(EncoderConfig.Layout.CELEBA64, 3, 16, 3, 32), CPU,
                    new Philox(14));
            randomize(e, new Philox(15));
            Tensor x = input(new Philox(16), 1, 3, 16, 16);
            check("CelebA-layout encoder on 3x16x16, d = 3", () -> e.forward(x), leaves(e, "x", x), 3, 17);
        });
    }

    /** A tiny DiTi model on the reference backend: the tiny U-Net, the small encoder on 4 px, k = 3 of d = 6. */
    private static DitiModel tinyModel(Partition p) {
        UNet dm = new UNet(UNetConfig.tinyTest(), new Philox(20));
        randomize(dm, new Philox(21));
        DitiModel m = new DitiModel(dm, EncoderConfig.small(3, 4, p.latentDim()), p, new Philox(22));
        randomize(m, new Philox(23));
        return m;
    }

    @Test
    void wholeBaseLossWithRespectToTheEncoderAndShiftBranch() {
        reference(() -> {
            Partition p = Partition.explicit(6, new int[] {1, 2, 3});
            DitiModel m = tinyModel(p);
            DitiLoss loss = new DitiLoss(NoiseSchedule.linear());
            Tensor x0 = Tensor.rand(new Philox(24), CPU, 2, 3, 4, 4).mul(2f).sub(1f);
            Tensor eps = Tensor.randn(new Philox(25), CPU, 2, 3, 4, 4);
            int[] t = {300, 480};                                     // subsets 0 and 1
            Map<String, Tensor> l = new LinkedHashMap<>();
            for (Map.Entry<String, Tensor> e : leaves(m).entrySet()) {
                String n = e.getKey();
                if (n.startsWith("encoder.") || n.startsWith("shift.label_emb.") || n.startsWith("shift.mid.res2.")) {
                    l.put(n, e.getValue());
                }
            }
            Supplier<Tensor> f = () -> loss.loss(m, x0, t, eps, LossMode.BASE).loss();
            check("DiTi loss (base) w.r.t. the encoder, label_emb and a shift block", f, l, 3, 26);
        });
    }

    @Test
    void stopGradIsTheDerivativeWithTheOlderSubsetsHeldFixed() {
        reference(() -> {
            Partition p = Partition.explicit(6, new int[] {1, 2, 3});
            DitiModel m = tinyModel(p);
            DitiLoss loss = new DitiLoss(NoiseSchedule.linear());
            Tensor x0 = Tensor.rand(new Philox(27), CPU, 2, 3, 4, 4).mul(2f).sub(1f);
            Tensor eps = Tensor.randn(new Philox(28), CPU, 2, 3, 4, 4);
            int[] t = {500, 900};                                     // subsets 1 and 2: both have older subsets
            Tensor xt = new ForwardProcess(loss.schedule()).qSample(x0, t, eps);
            FrozenDm.Pass pass = m.frozen().run(xt, t);
            Tensor z = input(new Philox(29), 2, 6);
            Tensor held = z.copy();                                   // its own storage: finite differences leave it alone
            Masks masks = m.masks();
            Supplier<Tensor> heldLoss = () -> loss.shiftedLoss(eps, pass.eps(), m.shift(pass.features(),
                    held.maskedMul(masks.older(t, z.backend())).add(z.maskedMul(masks.newest(t, z.backend())))), t);
            check("DiTi loss with sg(z) ⊙ R read from a constant copy, w.r.t. z", heldLoss, Map.of("z", z), 12, 30);
            double[] want = ReferenceBackend.values(heldLoss.get().backward().get(z));
            double[] got = ReferenceBackend.values(loss.loss(m, x0, z, t, eps, LossMode.STOP_GRAD).loss().backward().get(z));
            assertArrayEquals(want, got, 0.0, "stop_grad's gradient is that derivative");
        });
    }
}

package dev.diti4j.diti.model;

import static dev.diti4j.diti.model.PartitionTest.assertMessage;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.diti4j.core.Device;
import dev.diti4j.core.Gradients;
import dev.diti4j.core.Tensor;
import dev.diti4j.core.random.Philox;
import dev.diti4j.diffusion.EpsilonLoss;
import dev.diti4j.diffusion.ForwardProcess;
import dev.diti4j.diffusion.NoiseSchedule;
import dev.diti4j.diffusion.TimestepWeights;
import dev.diti4j.nn.GradCheck;
import dev.diti4j.nn.Parameter;
import dev.diti4j.nn.unet.UNet;
import dev.diti4j.nn.unet.UNetConfig;
import org.junit.jupiter.api.Test;

/** The DiTi loss of METHOD 4.6 and the checks of METHOD 9: step 0, k = 1 is PDAE, stop_grad's gradient. */
class DitiLossTest {
    private static final Device CPU = Device.CPU;
    private static final NoiseSchedule LINEAR = NoiseSchedule.linear();
    private static final int D = 8;

    /** The tiny U-Net (randomised, so ε_θ is not zero) under a small-layout encoder on 8×8 images. */
    private static DitiModel model(Partition p, long seed) {
        UNet dm = new UNet(UNetConfig.tinyTest(), new Philox(seed));
        GradCheck.randomize(dm, new Philox(seed + 1));
        return new DitiModel(dm, EncoderConfig.small(3, 8, p.latentDim()), p, new Philox(seed + 2));
    }

    private static Tensor images(long seed, int batch) {
        return Tensor.rand(new Philox(seed), CPU, batch, 3, 8, 8).mul(2f).sub(1f);
    }

    private static void assertSameBits(float expected, float actual, String what) {
        assertEquals(Float.floatToRawIntBits(expected), Float.floatToRawIntBits(actual), what + ": " + expected + " vs "
                + actual);
    }

    @Test
    void atStepZeroTheLossIsTheFrozenModelsWeightedLossExactly() {
        DitiModel m = model(Partition.uniform(4, D), 10);
        DitiLoss loss = new DitiLoss(LINEAR);
        Tensor x0 = images(11, 4);
        int[] t = {0, 120, 541, 999};
        Tensor eps = Tensor.randn(new Philox(12), CPU, 4, 3, 8, 8);
        Tensor xt = new ForwardProcess(LINEAR).qSample(x0, t, eps);
        float frozen = new EpsilonLoss(LINEAR, TimestepWeights.pdae(LINEAR)).loss(eps,
                m.frozen().unet().forward(xt, t), t).item();
        assertTrue(frozen > 0);
        for (LossMode mode : LossMode.values()) {
            DitiLoss.Result r = loss.loss(m, x0, t, eps, mode);
            float expected = mode == LossMode.DUAL ? 2 * frozen : frozen;
            assertSameBits(expected, r.loss().item(), mode.toString());
            assertTrue(r.loss().requiresGrad(), "the loss has a graph to the trained parts");
        }
        DitiLoss.Result r = loss.loss(m, x0, t, eps, LossMode.BASE);
        assertSameBits(frozen, loss.frozenLoss(eps, r.frozen().eps(), t).item(), "frozenLoss");
        assertArrayEquals(new int[] {4, D}, r.z().shape().dims());
    }

    @Test
    void oneSubsetIsPdaeToTheBit() {
        // METHOD 4.4 / 9: with k = 1, M = 1 and the DiTi loss is PDAE's, computed here without masks
        DitiModel m = model(Partition.uniform(1, D), 20);
        GradCheck.randomize(m.shiftDecoder(), new Philox(23)); // so that G is not zero
        DitiLoss loss = new DitiLoss(LINEAR);
        Tensor x0 = images(24, 3);
        int[] t = {5, 450, 990};
        Tensor eps = Tensor.randn(new Philox(25), CPU, 3, 3, 8, 8);

        Tensor z = m.encode(x0);
        FrozenDm.Pass p = m.frozen().run(new ForwardProcess(LINEAR).qSample(x0, t, eps), t);
        Tensor pdae = loss.shiftedLoss(eps, p.eps(), m.shift(p.features(), z), t);
        Gradients gp = pdae.backward();
        for (LossMode mode : new LossMode[] {LossMode.BASE, LossMode.STOP_GRAD}) {
            Tensor l = loss.loss(m, x0, t, eps, mode).loss();
            assertSameBits(pdae.item(), l.item(), mode + " loss");
            Gradients g = l.backward();
            for (Parameter par : m.parameters()) {
                Tensor want = gp.get(par.tensor());
                assertNotNull(want, par.name());
                assertArrayEquals(want.toArray(), g.get(par.tensor()).toArray(), 0f, mode + " gradient of " + par.name());
            }
        }
        assertNotEquals(loss.frozenLoss(eps, p.eps(), t).item(), pdae.item(), "G is not zero here");
    }

    @Test
    void stopGradSendsTheGradientOnlyToSubsetIOfT() {
        Partition part = Partition.explicit(D, new int[] {2, 1, 3, 2});   // k = 4: i(t) = floor(4 t / 1000)
        DitiModel m = model(part, 30);
        GradCheck.randomize(m.shiftDecoder(), new Philox(33));
        DitiLoss loss = new DitiLoss(LINEAR);
        Tensor x0 = images(34, 1);
        for (int t : new int[] {100, 300, 600, 900}) {
            int i = part.subsetOf(t);
            Tensor eps = Tensor.randn(new Philox(35 + t), CPU, 1, 3, 8, 8);
            Tensor z = Tensor.randn(new Philox(36 + t), CPU, 1, D).requiresGrad(true);
            float[] base = loss.loss(m, x0, z, new int[] {t}, eps, LossMode.BASE).loss().backward().get(z).toArray();
            Tensor stopLoss = loss.loss(m, x0, z, new int[] {t}, eps, LossMode.STOP_GRAD).loss();
            float[] stop = stopLoss.backward().get(z).toArray();
            float[] dual = loss.loss(m, x0, z, new int[] {t}, eps, LossMode.DUAL).loss().backward().get(z).toArray();
            for (int j = 0; j < D; j++) {
                String at = "t = " + t + " (subset " + i + "), dimension " + j;
                boolean newest = j >= part.start(i) && j < part.end(i);
                boolean active = j < part.end(i);
                assertEquals(active, base[j] != 0f, "base: " + at);
                assertEquals(newest, stop[j] != 0f, "stop_grad: " + at);
                if (newest) {
                    assertEquals(base[j], stop[j], 0f, "the newest subset's gradient is base's: " + at);
                }
                assertEquals(base[j] + stop[j], dual[j], 1e-6f * Math.abs(base[j] + stop[j]), "dual: " + at);
            }
        }
    }

    @Test
    void stopGradAndDualDifferFromBaseOnlyInTheGradientOrTheSum() {
        DitiModel m = model(Partition.uniform(4, D), 40);
        GradCheck.randomize(m.shiftDecoder(), new Philox(41));
        DitiLoss loss = new DitiLoss(LINEAR);
        Tensor x0 = images(42, 3);
        int[] t = {200, 600, 999};
        Tensor eps = Tensor.randn(new Philox(43), CPU, 3, 3, 8, 8);
        float base = loss.loss(m, x0, t, eps, LossMode.BASE).loss().item();
        assertSameBits(base, loss.loss(m, x0, t, eps, LossMode.STOP_GRAD).loss().item(), "stop_grad");
        assertSameBits(base + base, loss.loss(m, x0, t, eps, LossMode.DUAL).loss().item(), "dual");
        // the encoder is trained in every mode; stop_grad still reaches it through z ⊙ K
        Gradients g = loss.loss(m, x0, t, eps, LossMode.STOP_GRAD).loss().backward();
        for (Parameter p : m.parameters()) {
            assertNotNull(g.get(p.tensor()), p.name());
        }
        for (Parameter p : m.frozen().unet().parameters()) {
            assertNull(g.get(p.tensor()), p.name() + " is frozen");
        }
    }

    @Test
    void theLossIsTheLambdaAndCWeightedMeanOfMethod46() {
        // the formula element by element in double, with the schedule's λ_t and c_t
        DitiModel m = model(Partition.uniform(4, D), 50);
        GradCheck.randomize(m.shiftDecoder(), new Philox(51));
        DitiLoss loss = new DitiLoss(LINEAR);
        Tensor x0 = images(52, 2);
        int[] t = {475, 30};
        Tensor eps = Tensor.randn(new Philox(53), CPU, 2, 3, 8, 8);
        DitiLoss.Result r = loss.loss(m, x0, t, eps, LossMode.BASE);
        float[] e = eps.toArray();
        float[] et = r.frozen().eps().toArray();
        float[] g = m.shift(r.frozen().features(), m.masks().condition(r.z(), t, LossMode.BASE)).toArray();
        TimestepWeights lambda = TimestepWeights.pdae(LINEAR);
        double sum = 0;
        int per = 3 * 8 * 8;
        for (int b = 0; b < 2; b++) {
            double c = LINEAR.shiftCoefficient(t[b]);
            for (int j = 0; j < per; j++) {
                int k = b * per + j;
                double diff = e[k] - et[k] - c * g[k];
                sum += lambda.weight(t[b]) * diff * diff;
            }
        }
        assertEquals(sum / (2 * per), r.loss().item(), 1e-6 * sum / (2 * per));
        assertEquals(0.722, lambda.weight(475), 5e-4);
    }

    @Test
    void sampleDrawsTimeStepsThenNoiseFromTheGenerator() {
        DitiModel m = model(Partition.uniform(4, D), 60);
        DitiLoss loss = new DitiLoss(LINEAR);
        Tensor x0 = images(61, 3);
        DitiLoss.Result a = loss.sample(m, x0, new Philox(62), LossMode.BASE);
        Philox rng = new Philox(62);
        int[] t = new dev.diti4j.diffusion.TimestepSampler(1000).sample(3, rng);
        Tensor eps = Tensor.randn(rng, CPU, 3, 3, 8, 8);
        assertArrayEquals(t, a.t());
        assertSameBits(loss.loss(m, x0, t, eps, LossMode.BASE).loss().item(), a.loss().item(), "same draws");
    }

    @Test
    void badInputIsRefused() {
        DitiModel m = model(Partition.uniform(4, D), 70);
        DitiLoss loss = new DitiLoss(LINEAR);
        Tensor x0 = images(71, 2);
        Tensor eps = Tensor.randn(new Philox(72), CPU, 2, 3, 8, 8);
        assertMessage(() -> loss.loss(m, x0, new int[] {3, 1000}, eps, LossMode.BASE),
                "time step 1000 is outside [0, 1000)");
        assertMessage(() -> new DitiLoss(NoiseSchedule.linear(500, 1e-4, 0.02)).loss(m, x0, new int[] {3, 4}, eps,
                LossMode.BASE), "the partition divides 1000 time steps but the schedule has 500");
        assertMessage(() -> loss.shiftedLoss(eps, eps, Tensor.zeros(2, 3, 4, 4), new int[] {1, 2}),
                "the noise (2,3,8,8), the prediction (2,3,8,8) and G (2,3,4,4) must have the same shape");
        UNet dm = new UNet(UNetConfig.tinyTest(), new Philox(73));
        assertMessage(() -> new DitiModel(dm, EncoderConfig.small(3, 8, 6), Partition.uniform(4, 8), new Philox(1)),
                "the encoder's latent size 6 differs from the partition's d = 8");
        assertMessage(() -> new DitiModel(dm, EncoderConfig.small(1, 8, 8), Partition.uniform(4, 8), new Philox(1)),
                "the encoder reads 1-channel images but the diffusion model 3-channel ones");
        assertMessage(() -> new DitiModel(dm, EncoderConfig.small(3, 7, 8), Partition.uniform(4, 8), new Philox(1)),
                "the encoder's image size 7 is not a multiple of the diffusion model's 2 (2^(levels-1))");
    }
}

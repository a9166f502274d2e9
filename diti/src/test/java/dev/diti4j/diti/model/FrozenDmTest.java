package dev.diti4j.diti.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.diti4j.core.Device;
import dev.diti4j.core.Tensor;
import dev.diti4j.core.random.Philox;
import dev.diti4j.nn.GradCheck;
import dev.diti4j.nn.Parameter;
import dev.diti4j.nn.unet.UNet;
import dev.diti4j.nn.unet.UNetConfig;
import org.junit.jupiter.api.Test;

/** METHOD 2.2 and 8 items 1, 15: the frozen ε_θ runs without graph and without dropout, once per step. */
class FrozenDmTest {
    @Test
    void runsWithoutAGraphEvenWhenTheInputRequiresOne() {
        UNet dm = new UNet(UNetConfig.tinyTest(), new Philox(1));
        GradCheck.randomize(dm, new Philox(2));
        FrozenDm frozen = new FrozenDm(dm);
        assertTrue(dm.trainableParameters().isEmpty());
        for (Parameter p : dm.parameters()) {
            assertFalse(p.tensor().requiresGrad(), p.name());
        }
        // x_t requiring a gradient would make the U-Net record a graph; GradMode.off prevents it
        Tensor xt = Tensor.randn(new Philox(3), Device.CPU, 2, 3, 8, 8).requiresGrad(true);
        FrozenDm.Pass p = frozen.run(xt, new int[] {10, 900});
        assertNull(p.eps().producer());
        assertFalse(p.eps().requiresGrad());
        for (Tensor s : p.features().skips()) {
            assertNull(s.producer());
            assertFalse(s.requiresGrad());
        }
        assertNull(p.features().emb().producer());
        assertSame(p.features().skips().get(p.features().skips().size() - 1), p.features().bottleneck());
        assertArrayEquals(dm.forward(xt, new int[] {10, 900}).toArray(), p.eps().toArray(), 0f,
                "eps_theta is the U-Net's own prediction, from the same features");
        assertArrayEquals(p.eps().toArray(), frozen.predictEps(xt, new int[] {10, 900}).toArray(), 0f);
    }

    @Test
    void runsWithoutDropoutAndStaysInEvaluationMode() {
        UNet dm = new UNet(UNetConfig.tinyTest().withDropout(0.5f), new Philox(4));
        GradCheck.randomize(dm, new Philox(5));
        Tensor x = Tensor.randn(new Philox(6), Device.CPU, 1, 3, 4, 4);
        int[] t = {300};
        float[] training = dm.forward(x, t).toArray();
        FrozenDm frozen = new FrozenDm(dm);
        assertFalse(dm.isTraining());
        float[] a = frozen.run(x, t).eps().toArray();
        assertArrayEquals(a, frozen.run(x, t).eps().toArray(), 0f, "no dropout: the same output every time");
        assertFalse(java.util.Arrays.equals(a, training), "dropout 0.5 would have changed it");
        // a DiTi model's train() reaches its encoder and shift decoder, never the frozen U-Net
        DitiModel model = new DitiModel(dm, EncoderConfig.small(3, 4, 4), Partition.uniform(2, 4), new Philox(7));
        model.train();
        assertFalse(dm.isTraining());
        assertTrue(model.shiftDecoder().isTraining());
        assertEquals(0, model.parameters().stream().filter(Parameter::frozen).count());
        dm.train();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> frozen.run(x, t));
        assertEquals("the frozen diffusion model was switched to training mode; it must run without dropout (call"
                + " eval() on it)", e.getMessage());
    }
}

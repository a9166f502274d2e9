package dev.diti4j.nn.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.diti4j.core.Device;
import dev.diti4j.core.Scope;
import dev.diti4j.core.Tensor;
import dev.diti4j.core.random.Philox;
import dev.diti4j.nn.Parameter;
import dev.diti4j.nn.checkpoint.CheckpointException.Kind;
import dev.diti4j.nn.optim.AdamW;
import dev.diti4j.nn.optim.Ema;
import dev.diti4j.nn.unet.UNet;
import dev.diti4j.nn.unet.UNetConfig;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckpointTest {
    @TempDir
    Path dir;

    private static final UNetConfig CFG = UNetConfig.tinyTest().withDropout(0.1f);

    /** One training step on fixed data: MSE of the predicted noise; dropout draws from the model's generator. */
    private static void trainStep(UNet net, AdamW opt, Ema ema, int step) {
        try (Scope s = Scope.open()) {
            Philox data = new Philox(1000 + step);
            Tensor x = Tensor.randn(data, Device.CPU, 2, 3, 4, 4);
            Tensor noise = Tensor.randn(data, Device.CPU, 2, 3, 4, 4);
            Tensor loss = net.forward(x, new int[] {step * 7 % 1000, 500}).sub(noise).square().mean();
            opt.step(loss.backward());
            ema.update();
        }
    }

    private static void assertSameParameters(UNet a, UNet b) {
        for (int i = 0; i < a.parameters().size(); i++) {
            Parameter pa = a.parameters().get(i);
            assertArrayEquals(pa.tensor().toArray(), b.parameters().get(i).tensor().toArray(), 0f, pa.name());
        }
    }

    @Test
    void resumingFromACheckpointContinuesBitIdentically() {
        UNet net = new UNet(CFG, new Philox(1));
        Philox dropout = new Philox(77);
        net.setDropoutRng(dropout);
        AdamW opt = new AdamW(net, AdamW.Settings.adam(1e-2f).withMaxGradNorm(1f));
        Ema ema = new Ema(net, 0.9f);
        for (int s = 0; s < 2; s++) {
            trainStep(net, opt, ema, s);
        }
        Path p = dir.resolve("step2.safetensors");
        Checkpoint.writer().module("", net).state("optim", opt).state("ema", ema).config(CFG.toJson()).step(2)
                .rng("dropout", dropout).write(p);

        Checkpoint c = Checkpoint.read(p);
        UNetConfig cfg = UNetConfig.fromJson(c.config());
        assertEquals(CFG, cfg);
        assertEquals(2, c.step());
        assertEquals(Checkpoint.FORMAT, c.metadata("format"));
        UNet resumed = new UNet(cfg, new Philox(999)); // different init, overwritten by the load
        c.loadModule("", resumed);
        assertSameParameters(net, resumed);
        AdamW opt2 = new AdamW(resumed, AdamW.Settings.adam(1e-2f).withMaxGradNorm(1f));
        c.loadState("optim", opt2);
        Ema ema2 = new Ema(resumed, 0.9f);
        c.loadState("ema", ema2);
        assertEquals(2, ema2.updates());
        resumed.setDropoutRng(c.rng("dropout"));

        for (int s = 2; s < 4; s++) {
            trainStep(net, opt, ema, s);
            trainStep(resumed, opt2, ema2, s);
        }
        assertSameParameters(net, resumed);
        for (Parameter p2 : net.parameters()) {
            assertArrayEquals(ema.shadow(p2.name()).toArray(), ema2.shadow(p2.name()).toArray(), 0f);
        }
        assertTrue(c.file().names().contains("optim.m.down.1.res.conv1.weight"));
        assertTrue(c.file().names().contains("ema.out.conv.weight"));
    }

    @Test
    void missingTensorAndWrongShapeNameTheProblemAndChangeNothing() {
        UNet small = new UNet(UNetConfig.tinyTest(), new Philox(1));
        Path p = dir.resolve("tiny.safetensors");
        Checkpoint.writer().module("", small).write(p);
        Checkpoint c = Checkpoint.read(p);

        UNet other = new UNet(UNetConfig.tinyTest().withChannels(1, 1), new Philox(2));
        float[] before = other.parameters().get(0).tensor().toArray();
        CheckpointException shape = assertThrows(CheckpointException.class, () -> c.loadModule("", other));
        assertEquals(Kind.SHAPE_MISMATCH, shape.kind());
        assertEquals("checkpoint " + p + ": tensor 'down.0.weight' is (8,3,3,3) in the file but the UNet expects"
                + " (8,1,3,3)", shape.getMessage());
        assertArrayEquals(before, other.parameters().get(0).tensor().toArray(), 0f, "nothing was loaded");

        CheckpointException missing = assertThrows(CheckpointException.class, () -> c.loadModule("ema", small));
        assertEquals(Kind.MISSING_TENSOR, missing.kind());
        assertEquals("checkpoint " + p + ": there is no tensor 'ema.time.linear1.weight' for the UNet ("
                + (small.parameters().size() - 1) + " more missing)", missing.getMessage());

        CheckpointException noState = assertThrows(CheckpointException.class,
                () -> c.loadState("optim", new AdamW(small, AdamW.Settings.adam(1e-3f))));
        assertEquals(Kind.MISSING_METADATA, noState.kind());
        assertEquals(Kind.MISSING_METADATA, assertThrows(CheckpointException.class, c::step).kind());
    }
}

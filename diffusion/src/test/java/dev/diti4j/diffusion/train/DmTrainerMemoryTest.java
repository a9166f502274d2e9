package dev.diti4j.diffusion.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.diti4j.core.Device;
import dev.diti4j.core.Gradients;
import dev.diti4j.core.Scope;
import dev.diti4j.core.Tensor;
import dev.diti4j.core.backend.MemoryStats;
import dev.diti4j.core.cpu.CpuBackend;
import dev.diti4j.core.random.Philox;
import dev.diti4j.core.testing.OnBackend;
import dev.diti4j.diffusion.EpsilonLoss;
import dev.diti4j.nn.unet.UNet;
import dev.diti4j.nn.unet.UNetConfig;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Memory of DM training steps on a backend of their own (so no other test's garbage moves the
 * counters): flat from step to step, and a backward pass that adds only its gradient frontier to
 * what the forward pass saved (docs/internals/autograd.md, "Memory").
 */
class DmTrainerMemoryTest {
    /** The tiny U-Net with dropout and attention: every kind of layer of the real ones. */
    private static final UNetConfig CFG = UNetConfig.tinyTest().withDropout(0.1f);
    private static final DmSettings SETTINGS = DmSettings.recipe(3).withLr(1e-3f).withMaxGradNorm(1f);

    @Test
    void liveBytesReturnToTheSameLevelAfterEveryStep() {
        CpuBackend be = new CpuBackend();
        OnBackend.call(Device.CPU, be, () -> {
            UNet model = new UNet(CFG, Device.CPU, new Philox(1));
            long paramBytes = 4 * model.parameterCount();
            DmTrainer trainer = new DmTrainer(model, SETTINGS);
            Tensor x0 = Tensor.rand(new Philox(2), be, 4, 3, 16, 16);
            DmTrainerTest.settleGarbage(be); // the initialisers' temporaries, made outside any scope
            long setup = be.memoryStats().liveBytes();
            assertEquals(4 * paramBytes + 4 * x0.numel(), setup,
                    "parameters, both AdamW moments, the EMA shadows and the batch");
            List<MemoryStats> after = new ArrayList<>();
            List<Long> peaks = new ArrayList<>();
            for (int step = 0; step < 6; step++) {
                be.resetPeakLiveBytes();
                trainer.step(x0);
                MemoryStats m = be.memoryStats();
                after.add(m);
                peaks.add(m.peakLiveBytes());
            }
            for (int step = 0; step < after.size(); step++) {
                assertEquals(setup, after.get(step).liveBytes(), "live bytes after step " + (step + 1));
            }
            assertEquals(after.get(0).allocations(), after.get(after.size() - 1).allocations(),
                    "buffers taken from the system after the first step");
            for (int step = 2; step < peaks.size(); step++) {
                assertEquals(peaks.get(1), peaks.get(step), "peak live bytes of step " + (step + 1) + " vs step 2");
            }
            return null;
        });
    }

    @Test
    void theBackwardPassAddsOnlyItsGradientFrontierToTheForwardPass() {
        CpuBackend be = new CpuBackend();
        OnBackend.call(Device.CPU, be, () -> {
            UNet model = new UNet(CFG, Device.CPU, new Philox(1));
            DmTrainer trainer = new DmTrainer(model, SETTINGS);
            Tensor x0 = Tensor.rand(new Philox(2), be, 4, 3, 16, 16);
            EpsilonLoss loss = new EpsilonLoss(trainer.schedule(), SETTINGS.lossWeights());
            DmTrainerTest.settleGarbage(be);
            long before = be.memoryStats().liveBytes();
            try (Scope s = Scope.open()) {
                Tensor l = loss.sample(model::forward, x0, new Philox(4)).loss();
                long saved = be.memoryStats().liveBytes() - before;
                be.resetPeakLiveBytes();
                Gradients g = l.backward();
                long extra = be.memoryStats().peakLiveBytes() - before - saved;
                // Keeping every gradient until the scope closed made this about as large as the
                // forward pass itself (1.0x); released as consumed it is a few activations.
                assertTrue(extra < saved / 4, "the backward pass added " + extra + " bytes to the " + saved
                        + " the forward pass saved");
                assertEquals(model.parameters().size(), g.size(), "every parameter has a gradient");
            }
            assertEquals(before, be.memoryStats().liveBytes(), "the step's scope returns everything");
            return null;
        });
    }
}

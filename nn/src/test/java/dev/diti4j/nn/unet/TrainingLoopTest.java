package dev.diti4j.nn.unet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.diti4j.core.Device;
import dev.diti4j.core.Scope;
import dev.diti4j.core.Tensor;
import dev.diti4j.core.random.Philox;
import dev.diti4j.nn.optim.AdamW;
import dev.diti4j.nn.optim.Ema;
import org.junit.jupiter.api.Test;

/** The pieces together: U-Net, epsilon loss, AdamW and EMA in a scoped loop. */
class TrainingLoopTest {
    @Test
    void fittingOneBatchLowersTheLossWithoutGrowingMemory() {
        UNet net = new UNet(UNetConfig.tinyTest().withDropout(0.1f), new Philox(1));
        AdamW opt = new AdamW(net, AdamW.Settings.adam(3e-3f).withMaxGradNorm(1f));
        Ema ema = new Ema(net, 0.99f);
        Philox data = new Philox(2);
        Tensor x = Tensor.randn(data, Device.CPU, 4, 3, 8, 8);
        Tensor noise = Tensor.randn(data, Device.CPU, 4, 3, 8, 8);
        Tensor xt = x.mul(0.8f).add(noise.mul(0.6f)); // a fixed noisy batch
        int[] t = {100, 300, 500, 700};
        var backend = x.backend();
        float first = 0;
        float last = 0;
        long live = -1;
        for (int step = 0; step < 20; step++) {
            try (Scope s = Scope.open()) {
                Tensor loss = net.forward(xt, t).sub(noise).square().mean();
                opt.step(loss.backward());
                ema.update();
                last = loss.item();
            }
            if (step == 0) {
                first = last;
            }
            if (step == 2) {
                live = backend.memoryStats().liveBytes();
            }
        }
        assertEquals(live, backend.memoryStats().liveBytes(), "live bytes after 17 more steps");
        // the output conv starts at zero, so the first loss is mean(noise^2)
        assertEquals(mean(noise.square().toArray()), first, 1e-5);
        assertTrue(last < 0.7f * first, "20 steps on one batch lower the loss: " + first + " -> " + last);
    }

    private static float mean(float[] v) {
        double s = 0;
        for (float f : v) {
            s += f;
        }
        return (float) (s / v.length);
    }
}

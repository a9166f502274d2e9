package dev.diti4j.diti.generate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.diti4j.core.Device;
import dev.diti4j.core.GradMode;
import dev.diti4j.core.Scope;
import dev.diti4j.core.Tensor;
import dev.diti4j.core.random.Philox;
import dev.diti4j.diti.model.DitiModel;
import dev.diti4j.diti.model.EncoderConfig;
import dev.diti4j.diti.model.Partition;
import dev.diti4j.nn.GradCheck;
import dev.diti4j.nn.Module;
import dev.diti4j.nn.Parameter;
import dev.diti4j.nn.unet.UNet;
import dev.diti4j.nn.unet.UNetConfig;
import org.junit.jupiter.api.function.Executable;

/** Tiny DiTi models on 3×8×8 images for the generation tests, and shared assertions. */
final class TinyDiti {
    static final Device CPU = Device.CPU;
    static final int D = 8;

    private TinyDiti() {
    }

    /**
     * The tiny U-Net (randomised, so ε_θ is not zero) with a small encoder and a fresh shift
     * decoder, whose zero-initialised output conv makes G = 0; in evaluation mode.
     */
    static DitiModel fresh(Partition p, long seed) {
        UNet dm = new UNet(UNetConfig.tinyTest(), new Philox(seed));
        GradCheck.randomize(dm, new Philox(seed + 1));
        DitiModel m = new DitiModel(dm, EncoderConfig.small(3, 8, p.latentDim()), p, new Philox(seed + 2));
        m.eval();
        return m;
    }

    /** {@link #fresh} with every shift-decoder parameter perturbed, so G is not zero. */
    static DitiModel shifted(Partition p, long seed) {
        DitiModel m = fresh(p, seed);
        GradCheck.randomize(m.shiftDecoder(), new Philox(seed + 3));
        return m;
    }

    /**
     * {@link #shifted} with the output heads of the frozen U-Net and of the shift decoder scaled by
     * 0.1: ε_θ and G stay non-zero but vary slowly enough with x_t for DDIM to be nearly invertible.
     */
    static DitiModel smooth(Partition p, long seed) {
        DitiModel m = shifted(p, seed);
        scale(m.frozen().unet().outputHead(), 0.1f);
        scale(m.shiftDecoder().outputHead(), 0.1f);
        return m;
    }

    static void scale(Module m, float factor) {
        try (GradMode _ = GradMode.off(); Scope _ = Scope.open()) {
            for (Parameter p : m.parameters()) {
                p.tensor().assign(p.tensor().mul(factor));
            }
        }
    }

    /** Images in [−0.8, 0.8], (B, 3, 8, 8). */
    static Tensor images(long seed, int batch) {
        return Tensor.rand(new Philox(seed), CPU, batch, 3, 8, 8).mul(1.6f).sub(0.8f);
    }

    static Tensor features(long seed, int batch) {
        return Tensor.randn(new Philox(seed), CPU, batch, D);
    }

    static double maxAbsDiff(Tensor a, Tensor b) {
        return maxAbsDiff(a.toArray(), b.toArray());
    }

    static double maxAbsDiff(float[] x, float[] y) {
        assertEquals(x.length, y.length, "lengths");
        double m = 0;
        for (int i = 0; i < x.length; i++) {
            m = Math.max(m, Math.abs((double) x[i] - y[i]));
        }
        return m;
    }

    static void assertSameBits(Tensor expected, Tensor actual, String what) {
        assertEquals(expected.shape(), actual.shape(), what + ": shape");
        float[] e = expected.toArray();
        float[] a = actual.toArray();
        for (int i = 0; i < e.length; i++) {
            if (Float.floatToRawIntBits(e[i]) != Float.floatToRawIntBits(a[i])) {
                throw new AssertionError(what + ": element " + i + " is " + a[i] + ", expected " + e[i]);
            }
        }
    }

    static void assertMessage(Executable call, String message) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        assertEquals(message, e.getMessage());
    }
}

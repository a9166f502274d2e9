package dev.diti4j.nn;

import dev.diti4j.core.Device;
import dev.diti4j.core.Tensor;
import dev.diti4j.core.random.Philox;

/**
 * Initial parameter values (METHOD.md 1.3 "Initialisation"): PyTorch's defaults for convolution
 * and linear layers, U(-1/sqrt(fan_in), 1/sqrt(fan_in)) for weights and biases alike, and zeros
 * for the layers METHOD zero-initialises.
 *
 * <p>Values are drawn on the host from the Philox uniform stream (so every device gets the same
 * weights for the same seed) and uploaded with {@link Tensor#of(Device, float[], int...)}.
 */
public final class Init {
    private Init() {
    }

    /** Values uniform in [-bound, bound), drawn from {@code rng}. */
    public static Tensor uniform(Philox rng, Device device, float bound, int... dims) {
        long n = 1;
        for (int d : dims) {
            n *= d;
        }
        if (n > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("parameter of " + n + " elements is too large");
        }
        float[] data = new float[(int) n];
        Philox.fill(false, rng.key(), rng.reserve(n), data, 0, data.length);
        for (int i = 0; i < data.length; i++) {
            data[i] = data[i] * (2f * bound) - bound; // u in [0,1) -> [-bound, bound)
        }
        return Tensor.of(device, data, dims);
    }

    /** PyTorch's default for conv and linear weights and biases: U(+-1/sqrt(fanIn)). */
    public static Tensor kaimingUniform(Philox rng, Device device, int fanIn, int... dims) {
        return uniform(rng, device, (float) (1.0 / Math.sqrt(fanIn)), dims);
    }

    /** Sets every parameter of a module to zero (METHOD.md 1.3 zero-inits). Returns the module. */
    public static <M extends Module> M zero(M module) {
        for (Parameter p : module.parameters()) {
            p.tensor().assign(Tensor.full(p.tensor().backend(), 0f, p.shape().dims()));
        }
        return module;
    }
}

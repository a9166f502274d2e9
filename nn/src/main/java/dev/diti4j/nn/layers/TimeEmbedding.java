package dev.diti4j.nn.layers;

import dev.diti4j.core.Device;
import dev.diti4j.core.Tensor;
import dev.diti4j.core.backend.Backend;
import dev.diti4j.core.random.Philox;
import dev.diti4j.nn.Module;

/**
 * The time embedding of METHOD.md 1.3: a sinusoidal code of the raw integer time step t
 * (dimension {@code base}, cos half first) followed by Linear(base -> 4 base), SiLU,
 * Linear(4 base -> 4 base). Its output e_t (B, 4 base) conditions every ResBlock.
 */
public final class TimeEmbedding extends Module {
    private static final double LN_MAX_PERIOD = StrictMath.log(10000.0);

    private final int base;
    private final Linear linear1;
    private final Linear linear2;

    public TimeEmbedding(int base, Device device, Philox rng) {
        if (base < 2 || base % 2 != 0) {
            throw new IllegalArgumentException("TimeEmbedding needs an even positive width, got " + base);
        }
        this.base = base;
        this.linear1 = addModule("linear1", new Linear(base, 4 * base, device, rng));
        this.linear2 = addModule("linear2", new Linear(4 * base, 4 * base, device, rng));
    }

    /** t (B) -> e_t (B, 4 base), on the device of the parameters. */
    public Tensor forward(int[] t) {
        Tensor code = sinusoidal(t, base, linear1.weight().tensor().backend());
        return linear2.forward(linear1.forward(code).silu());
    }

    /**
     * The sinusoidal code (B, dim): with half = dim/2 and f_j = exp(-ln(10000) j / half), row b is
     * [cos(t_b f_0), ..., cos(t_b f_{half-1}), sin(t_b f_0), ..., sin(t_b f_{half-1})].
     * As in the reference, f_j and t_b f_j are rounded to float32 before cos and sin.
     */
    public static Tensor sinusoidal(int[] t, int dim, Backend backend) {
        if (dim < 2 || dim % 2 != 0) {
            throw new IllegalArgumentException("sinusoidal time code needs an even dimension, got " + dim);
        }
        if (t.length == 0) {
            throw new IllegalArgumentException("sinusoidal time code needs at least one time step");
        }
        int half = dim / 2;
        float[] freqs = new float[half];
        for (int j = 0; j < half; j++) {
            freqs[j] = (float) StrictMath.exp(-LN_MAX_PERIOD * j / half);
        }
        float[] out = new float[t.length * dim];
        for (int b = 0; b < t.length; b++) {
            for (int j = 0; j < half; j++) {
                float arg = (float) t[b] * freqs[j];
                out[b * dim + j] = (float) StrictMath.cos(arg);
                out[b * dim + half + j] = (float) StrictMath.sin(arg);
            }
        }
        return Tensor.of(backend, out, t.length, dim);
    }

    public int base() {
        return base;
    }

    public int embeddingDim() {
        return 4 * base;
    }
}

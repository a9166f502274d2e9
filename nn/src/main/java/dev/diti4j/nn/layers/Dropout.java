package dev.diti4j.nn.layers;

import dev.diti4j.core.Tensor;
import dev.diti4j.core.random.Philox;
import dev.diti4j.nn.Layer;
import dev.diti4j.nn.Module;

/**
 * Inverted dropout: in training mode each element is zeroed with probability p and the rest are
 * scaled by 1/(1-p); in evaluation mode it is the identity. The mask is drawn from the generator
 * given by {@link Module#setDropoutRng} (explicit, never global), advancing it by one draw of the
 * input's size.
 */
public final class Dropout extends Module implements Layer {
    private final float p;
    private Philox rng;

    public Dropout(float p) {
        if (!(p >= 0f && p < 1f)) {
            throw new IllegalArgumentException("Dropout probability must be in [0, 1), got " + p);
        }
        this.p = p;
    }

    @Override
    public Tensor forward(Tensor x) {
        boolean active = isTraining() && p > 0f;
        if (active && rng == null) {
            throw new IllegalStateException("Dropout(" + p + ") in training mode has no generator; call setDropoutRng"
                    + " on the model (or eval() for inference)");
        }
        return active ? x.dropout(p, true, rng) : x;
    }

    public float probability() {
        return p;
    }

    /** The generator masks are drawn from, or null. */
    public Philox rng() {
        return rng;
    }

    @Override
    protected void acceptRng(Philox rng) {
        this.rng = rng;
    }
}

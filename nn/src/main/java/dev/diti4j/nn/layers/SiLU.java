package dev.diti4j.nn.layers;

import dev.diti4j.core.Tensor;
import dev.diti4j.nn.Layer;
import dev.diti4j.nn.Module;

/** x * sigmoid(x), element-wise. */
public final class SiLU extends Module implements Layer {
    @Override
    public Tensor forward(Tensor x) {
        return x.silu();
    }
}

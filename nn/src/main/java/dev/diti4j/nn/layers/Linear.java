package dev.diti4j.nn.layers;

import dev.diti4j.core.Device;
import dev.diti4j.core.Tensor;
import dev.diti4j.core.random.Philox;
import dev.diti4j.nn.Init;
import dev.diti4j.nn.Layer;
import dev.diti4j.nn.Module;
import dev.diti4j.nn.Parameter;

/** y = x W^T + b with W (out, in) and b (out); PyTorch-default initialisation. */
public final class Linear extends Module implements Layer {
    private final int in;
    private final int out;
    private final Parameter weight;
    private final Parameter bias;

    public Linear(int in, int out, Device device, Philox rng) {
        this(in, out, true, device, rng);
    }

    public Linear(int in, int out, boolean bias, Device device, Philox rng) {
        if (in < 1 || out < 1) {
            throw new IllegalArgumentException("Linear needs positive sizes, got in " + in + ", out " + out);
        }
        this.in = in;
        this.out = out;
        this.weight = addParameter("weight", Init.kaimingUniform(rng, device, in, out, in));
        this.bias = bias ? addParameter("bias", Init.kaimingUniform(rng, device, in, out)) : null;
    }

    /** (..., in) -> (..., out). */
    @Override
    public Tensor forward(Tensor x) {
        return x.linear(weight.tensor(), bias == null ? null : bias.tensor());
    }

    public Parameter weight() {
        return weight;
    }

    /** The bias, or null when built without one. */
    public Parameter bias() {
        return bias;
    }

    public int inFeatures() {
        return in;
    }

    public int outFeatures() {
        return out;
    }
}

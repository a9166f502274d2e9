package dev.diti4j.nn.layers;

import dev.diti4j.core.Device;
import dev.diti4j.core.Tensor;
import dev.diti4j.core.random.Philox;
import dev.diti4j.nn.Init;
import dev.diti4j.nn.Layer;
import dev.diti4j.nn.Module;
import dev.diti4j.nn.Parameter;

/**
 * 2-D convolution of NCHW input with a square kernel: weight (cout, cin, k, k), bias (cout).
 * PyTorch-default initialisation with fan_in = cin * k * k.
 */
public final class Conv2d extends Module implements Layer {
    private final int cin;
    private final int cout;
    private final int kernel;
    private final int stride;
    private final int padding;
    private final Parameter weight;
    private final Parameter bias;

    public Conv2d(int cin, int cout, int kernel, int stride, int padding, boolean bias, Device device, Philox rng) {
        if (cin < 1 || cout < 1 || kernel < 1 || stride < 1 || padding < 0) {
            throw new IllegalArgumentException("Conv2d needs positive channels, kernel and stride and padding >= 0, got cin "
                    + cin + ", cout " + cout + ", kernel " + kernel + ", stride " + stride + ", padding " + padding);
        }
        this.cin = cin;
        this.cout = cout;
        this.kernel = kernel;
        this.stride = stride;
        this.padding = padding;
        int fanIn = cin * kernel * kernel;
        this.weight = addParameter("weight", Init.kaimingUniform(rng, device, fanIn, cout, cin, kernel, kernel));
        this.bias = bias ? addParameter("bias", Init.kaimingUniform(rng, device, fanIn, cout)) : null;
    }

    /** A 3x3 convolution with padding 1 and bias (the U-Net's main conv). */
    public static Conv2d conv3x3(int cin, int cout, Device device, Philox rng) {
        return new Conv2d(cin, cout, 3, 1, 1, true, device, rng);
    }

    /** A 1x1 convolution with bias (channel mixing: skips, qkv, attention output). */
    public static Conv2d conv1x1(int cin, int cout, Device device, Philox rng) {
        return new Conv2d(cin, cout, 1, 1, 0, true, device, rng);
    }

    /** (B, cin, H, W) -> (B, cout, H', W'). */
    @Override
    public Tensor forward(Tensor x) {
        return x.conv2d(weight.tensor(), bias == null ? null : bias.tensor(), stride, padding);
    }

    public Parameter weight() {
        return weight;
    }

    /** The bias, or null when built without one. */
    public Parameter bias() {
        return bias;
    }

    public int inChannels() {
        return cin;
    }

    public int outChannels() {
        return cout;
    }

    public int kernel() {
        return kernel;
    }

    public int stride() {
        return stride;
    }

    public int padding() {
        return padding;
    }
}

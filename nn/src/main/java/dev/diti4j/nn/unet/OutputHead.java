package dev.diti4j.nn.unet;

import dev.diti4j.core.Device;
import dev.diti4j.core.Tensor;
import dev.diti4j.core.random.Philox;
import dev.diti4j.nn.Init;
import dev.diti4j.nn.Layer;
import dev.diti4j.nn.Module;
import dev.diti4j.nn.layers.Conv2d;
import dev.diti4j.nn.layers.GroupNorm;

/** GroupNorm, SiLU, zero-initialised 3x3 conv to the output channels (METHOD.md 1.3 "Output head"). */
public final class OutputHead extends Module implements Layer {
    private final GroupNorm norm;
    private final Conv2d conv;

    public OutputHead(int cin, int cout, int groups, Device device, Philox rng) {
        this.norm = addModule("norm", new GroupNorm(cin, groups, device));
        this.conv = addModule("conv", Init.zero(Conv2d.conv3x3(cin, cout, device, rng)));
    }

    /** (B, cin, H, W) -> (B, cout, H, W). */
    @Override
    public Tensor forward(Tensor h) {
        Tensor n = norm.forward(h);
        Tensor a = n.silu();
        n.free();
        Tensor out = conv.forward(a);
        a.free(); // kept while recording (the convolution's backward reads it)
        return out;
    }
}

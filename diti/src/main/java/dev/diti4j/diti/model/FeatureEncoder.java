package dev.diti4j.diti.model;

import dev.diti4j.core.Device;
import dev.diti4j.core.Tensor;
import dev.diti4j.core.random.Philox;
import dev.diti4j.nn.Layer;
import dev.diti4j.nn.Module;
import dev.diti4j.nn.Sequential;
import dev.diti4j.nn.layers.AttentionBlock;
import dev.diti4j.nn.layers.Conv2d;
import dev.diti4j.nn.layers.GroupNorm;
import dev.diti4j.nn.layers.Linear;
import dev.diti4j.nn.layers.SiLU;
import java.util.ArrayList;
import java.util.List;

/**
 * The encoder E(x_0) → z of METHOD 3: strided 3×3 convolutions with GN and SiLU between them,
 * optionally one attention block, then GN, SiLU, flatten and a Linear to d. z is the Linear's raw
 * output: no normalisation, no squashing.
 *
 * <pre>
 *   CelebA 64   conv s2 3→64; GN-SiLU-conv s2 64→128; attention(128, 4 heads);
 *               GN-SiLU-conv s2 128→128 (twice); GN-SiLU, flatten 2048, Linear → d
 *   FFHQ 128    conv s2 3→64; GN-SiLU-conv s2 64→128; GN-SiLU-conv s2 128→256; attention(256, 4 heads);
 *               GN-SiLU-conv s2 256→256 (twice); GN-SiLU, flatten 4096, Linear → d
 *   small       conv s2 C→32; GN-SiLU-conv s2 32→64; GN-SiLU-conv s2 64→64; GN-SiLU, flatten, Linear → d
 * </pre>
 *
 * The layers form one {@link Sequential} child named {@code encoder}, in the reference's order and
 * with a parameter-less layer at each of its SiLU and flatten positions, so the parameter names
 * ({@code encoder.0.weight}, {@code encoder.4.qkv.weight}, …, {@code encoder.14.weight}) are those
 * of the reference encoders' state dictionaries (docs/internals/diti-model.md). Initialisation is
 * PyTorch's default (U(±1/√fan_in)); the attention block's output projection starts at zero
 * (METHOD 1.3).
 */
public final class FeatureEncoder extends Module implements Layer {
    private final EncoderConfig cfg;
    private final Sequential layers;

    public FeatureEncoder(EncoderConfig cfg, Philox rng) {
        this(cfg, Device.CPU, rng);
    }

    public FeatureEncoder(EncoderConfig cfg, Device device, Philox rng) {
        this.cfg = cfg;
        EncoderConfig.Layout layout = cfg.layout();
        int[] widths = layout.convWidths();
        int g = cfg.groups();
        List<Layer> l = new ArrayList<>();
        int ch = cfg.inChannels();
        for (int i = 0; i < widths.length; i++) {
            if (i > 0) {
                l.add(new GroupNorm(ch, g, device));
                l.add(new SiLU());
            }
            l.add(new Conv2d(ch, widths[i], 3, 2, 1, true, device, rng));
            ch = widths[i];
            if (i == layout.attentionAfter()) {
                l.add(new AttentionBlock(ch, layout.attentionHeads(), g, device, rng));
            }
        }
        l.add(new GroupNorm(ch, g, device));
        l.add(new SiLU());
        l.add(new Flatten());
        l.add(new Linear(cfg.flattenSize(), cfg.latentDim(), device, rng));
        this.layers = addModule("encoder", new Sequential(l.toArray(Layer[]::new)));
    }

    /** x_0 (B, C, S, S) with S = {@link EncoderConfig#imageSize()} → z (B, d). */
    @Override
    public Tensor forward(Tensor x) {
        if (x.rank() != 4 || x.dim(1) != cfg.inChannels() || x.dim(2) != cfg.imageSize()
                || x.dim(3) != cfg.imageSize()) {
            throw new IllegalArgumentException("the " + cfg.layout() + " encoder expects images (B, " + cfg.inChannels()
                    + ", " + cfg.imageSize() + ", " + cfg.imageSize() + "), got " + x.shape());
        }
        return layers.forward(x);
    }

    public EncoderConfig config() {
        return cfg;
    }

    public int latentDim() {
        return cfg.latentDim();
    }

    /** (B, C, H, W) → (B, C·H·W): the reference's View; no parameters. */
    static final class Flatten extends Module implements Layer {
        @Override
        public Tensor forward(Tensor x) {
            return x.reshape(x.dim(0), -1);
        }
    }
}

package dev.diti4j.nn.unet;

import dev.diti4j.core.Device;
import dev.diti4j.core.Tensor;
import dev.diti4j.core.random.Philox;
import dev.diti4j.nn.Module;
import dev.diti4j.nn.layers.AttentionBlock;
import dev.diti4j.nn.layers.ResBlock;
import dev.diti4j.nn.layers.Resample;

/**
 * One entry of the encoder or decoder: a ResBlock ({@code res}), then attention ({@code attn}) when
 * the level's down-sampling factor asks for it, then, at the end of a decoder level, an up-sampling
 * ResBlock ({@code up}). Down-sampling ResBlocks of the encoder are blocks of their own.
 */
public final class UNetBlock extends Module {
    private final ResBlock res;
    private final AttentionBlock attn;
    private final ResBlock up;

    UNetBlock(int cin, int cout, UNetConfig cfg, Resample resample, boolean attention, boolean upsample,
            boolean zModulated, Device device, Philox rng) {
        this.res = addModule("res", new ResBlock(cin, cout, cfg.embDim(), cfg.dropout(), cfg.groups(), resample,
                zModulated, device, rng));
        this.attn = attention ? addModule("attn", new AttentionBlock(cout, cfg.heads(), cfg.groups(), device, rng)) : null;
        this.up = upsample ? addModule("up", new ResBlock(cout, cout, cfg.embDim(), cfg.dropout(), cfg.groups(),
                Resample.UP, zModulated, device, rng)) : null;
    }

    /** ez is null unless the block is z-modulated. */
    Tensor forward(Tensor x, Tensor et, Tensor ez) {
        Tensor h = ez == null ? res.forward(x, et) : res.forward(x, et, ez);
        if (attn != null) {
            h = attn.forward(h);
        }
        if (up != null) {
            h = ez == null ? up.forward(h, et) : up.forward(h, et, ez);
        }
        return h;
    }

    public ResBlock res() {
        return res;
    }

    /** The attention block, or null. */
    public AttentionBlock attention() {
        return attn;
    }

    /** The up-sampling ResBlock that ends a decoder level, or null. */
    public ResBlock upsample() {
        return up;
    }
}

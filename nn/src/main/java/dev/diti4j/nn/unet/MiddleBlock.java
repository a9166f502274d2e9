package dev.diti4j.nn.unet;

import dev.diti4j.core.Device;
import dev.diti4j.core.Tensor;
import dev.diti4j.core.random.Philox;
import dev.diti4j.nn.Module;
import dev.diti4j.nn.layers.AttentionBlock;
import dev.diti4j.nn.layers.ResBlock;
import dev.diti4j.nn.layers.Resample;

/**
 * The bottleneck (METHOD.md 1.3 "Middle"): ResBlock, attention, ResBlock at the last level's width.
 * The z-modulated variant is the PDAE shift middle block (METHOD.md 2.2), whose input is the
 * frozen encoder's bottleneck.
 */
public final class MiddleBlock extends Module {
    private final ResBlock res1;
    private final AttentionBlock attn;
    private final ResBlock res2;
    private final boolean zModulated;

    public MiddleBlock(UNetConfig cfg, boolean zModulated, Device device, Philox rng) {
        int ch = cfg.channels(cfg.levels() - 1);
        this.zModulated = zModulated;
        this.res1 = addModule("res1", new ResBlock(ch, ch, cfg.embDim(), cfg.dropout(), cfg.groups(), Resample.NONE,
                zModulated, device, rng));
        this.attn = addModule("attn", new AttentionBlock(ch, cfg.heads(), cfg.groups(), device, rng));
        this.res2 = addModule("res2", new ResBlock(ch, ch, cfg.embDim(), cfg.dropout(), cfg.groups(), Resample.NONE,
                zModulated, device, rng));
    }

    /** h (B, C, h, w), e_t (B, 4 base), e_z (B, 4 base) or null when not z-modulated -> (B, C, h, w). */
    public Tensor forward(Tensor h, Tensor et, Tensor ez) {
        UNet.checkZ("MiddleBlock", zModulated, ez);
        Tensor y = ez == null ? res1.forward(h, et) : res1.forward(h, et, ez);
        y = attn.forward(y);
        return ez == null ? res2.forward(y, et) : res2.forward(y, et, ez);
    }

    public boolean zModulated() {
        return zModulated;
    }
}

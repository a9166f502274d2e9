package dev.diti4j.nn.unet;

import dev.diti4j.core.Device;
import dev.diti4j.core.Tensor;
import dev.diti4j.core.random.Philox;
import dev.diti4j.nn.Module;
import dev.diti4j.nn.layers.Resample;
import java.util.ArrayList;
import java.util.List;

/**
 * The decoder half (METHOD.md 1.3 "Decoder", the reference's output blocks): for the levels in
 * reverse, numResBlocks + 1 {@link UNetBlock}s, each taking concat(h, pop(skip)) on the channel
 * axis, with attention where the down-sampling factor asks; the last block of every level but
 * level 0 ends with an up-sampling ResBlock. Children are named {@code 0, 1, ...}.
 *
 * <p>The z-modulated variant is the PDAE shift decoder (METHOD.md 2.2): the same structure with
 * ResBlockShift blocks, consuming the frozen encoder's skips in the same order.
 */
public final class Decoder extends Module {
    private final UNetConfig cfg;
    private final boolean zModulated;
    private final List<UNetBlock> blocks = new ArrayList<>();
    private final int[] skipChannels;

    public Decoder(UNetConfig cfg, boolean zModulated, Device device, Philox rng) {
        this.cfg = cfg;
        this.zModulated = zModulated;
        this.skipChannels = cfg.skipChannels();
        int next = skipChannels.length;
        int ch = cfg.channels(cfg.levels() - 1);
        int ds = cfg.maxDownsampling();
        for (int l = cfg.levels() - 1; l >= 0; l--) {
            for (int i = 0; i <= cfg.numResBlocks(); i++) {
                int skipCh = skipChannels[--next];
                boolean up = l > 0 && i == cfg.numResBlocks();
                UNetBlock b = new UNetBlock(ch + skipCh, cfg.channels(l), cfg, Resample.NONE, cfg.attentionAt(ds), up,
                        zModulated, device, rng);
                blocks.add(addModule(Integer.toString(blocks.size()), b));
                ch = cfg.channels(l);
                if (up) {
                    ds /= 2;
                }
            }
        }
    }

    /**
     * h (B, C_last, h, w) from the middle block, the encoder's skips in push order (they are
     * consumed from the end), e_t and e_z (B, 4 base; e_z null unless z-modulated)
     * -> (B, mult[0] base, H, W).
     */
    public Tensor forward(Tensor h, List<Tensor> skips, Tensor et, Tensor ez) {
        UNet.checkZ("Decoder", zModulated, ez);
        if (skips.size() != skipChannels.length) {
            throw new IllegalArgumentException("Decoder expects " + skipChannels.length + " skips, got " + skips.size());
        }
        int next = skips.size();
        for (UNetBlock b : blocks) {
            Tensor skip = skips.get(--next);
            if (skip.rank() != 4 || skip.dim(2) != h.dim(2) || skip.dim(3) != h.dim(3)) {
                throw new IllegalArgumentException("Decoder: skip " + next + " " + skip.shape()
                        + " does not match the spatial size of h " + h.shape());
            }
            Tensor in = Tensor.concat(1, h, skip);
            if (next < skips.size() - 1) {
                h.free(); // made by the previous block (the first h is the caller's)
            }
            h = b.forward(in, et, ez);
            in.free();
        }
        return h;
    }

    public boolean zModulated() {
        return zModulated;
    }

    public UNetConfig config() {
        return cfg;
    }
}

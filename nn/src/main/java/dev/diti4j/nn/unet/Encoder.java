package dev.diti4j.nn.unet;

import dev.diti4j.core.Device;
import dev.diti4j.core.Tensor;
import dev.diti4j.core.random.Philox;
import dev.diti4j.nn.Module;
import dev.diti4j.nn.layers.Conv2d;
import dev.diti4j.nn.layers.Resample;
import java.util.ArrayList;
import java.util.List;

/**
 * The encoder half of the U-Net (METHOD.md 1.3 "Layout", the reference's input blocks): child
 * {@code 0} is the 3x3 input conv to mult[0] * base channels; then, per level, numResBlocks
 * {@link UNetBlock}s (attention where the down-sampling factor asks), and after every level but
 * the last a ResBlock that average-pools by 2. Every child's output is a skip.
 */
public final class Encoder extends Module {
    private final UNetConfig cfg;
    private final Conv2d input;
    private final List<UNetBlock> blocks = new ArrayList<>();

    public Encoder(UNetConfig cfg, Device device, Philox rng) {
        this.cfg = cfg;
        this.input = addModule("0", Conv2d.conv3x3(cfg.inChannels(), cfg.channels(0), device, rng));
        int ch = cfg.channels(0);
        int ds = 1;
        for (int l = 0; l < cfg.levels(); l++) {
            for (int i = 0; i < cfg.numResBlocks(); i++) {
                add(new UNetBlock(ch, cfg.channels(l), cfg, Resample.NONE, cfg.attentionAt(ds), false, false, device, rng));
                ch = cfg.channels(l);
            }
            if (l != cfg.levels() - 1) {
                add(new UNetBlock(ch, ch, cfg, Resample.DOWN, false, false, false, device, rng));
                ds *= 2;
            }
        }
    }

    private void add(UNetBlock b) {
        blocks.add(addModule(Integer.toString(blocks.size() + 1), b));
    }

    /**
     * x (B, inC, H, W), e_t (B, 4 base) -> every skip in push order: the input conv's output
     * (B, mult[0] base, H, W) first, the last block's output (the bottleneck) last.
     */
    public List<Tensor> forward(Tensor x, Tensor et) {
        List<Tensor> skips = new ArrayList<>(blocks.size() + 1);
        Tensor h = input.forward(x);
        skips.add(h);
        for (UNetBlock b : blocks) {
            h = b.forward(h, et, null);
            skips.add(h);
        }
        return skips;
    }

    /** The number of skips forward returns (1 + the number of blocks). */
    public int skipCount() {
        return blocks.size() + 1;
    }

    public UNetConfig config() {
        return cfg;
    }
}

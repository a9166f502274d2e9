package dev.diti4j.diti.model;

import dev.diti4j.core.Device;
import dev.diti4j.core.Tensor;
import dev.diti4j.core.random.Philox;
import dev.diti4j.nn.Module;
import dev.diti4j.nn.layers.Linear;
import dev.diti4j.nn.unet.Decoder;
import dev.diti4j.nn.unet.Features;
import dev.diti4j.nn.unet.MiddleBlock;
import dev.diti4j.nn.unet.OutputHead;
import dev.diti4j.nn.unet.UNetConfig;

/**
 * The trainable shift branch G(x_t, z, t) of PDAE (METHOD 2.2), structurally the reference's
 * ShiftUNet minus its frozen parts. It reads what the frozen U-Net's encoder half computed
 * ({@link Features}: every skip, the bottleneck and the frozen time embedding e_t) and the
 * (masked) feature z:
 *
 * <pre>
 *   e_z = label_emb(z)                              Linear(d → 4·base), no activation
 *   h   = mid(bottleneck, e_t, e_z)                 ResBlockShift, attention, ResBlockShift
 *   h   = up(h, skips, e_t, e_z)                    the U-Net decoder's structure with ResBlockShift,
 *                                                   popping the same frozen skips in the same order
 *   G   = out(h)                                    GN, SiLU, Conv3×3 → image channels, zero-initialised
 * </pre>
 *
 * A ResBlockShift is nn's z-modulated {@link dev.diti4j.nn.layers.ResBlock}: its normalisation
 * step is (1 + z_s) ⊙ (GN(h)(1 + s) + b) + z_b, where (s, b) come from the block's own trainable
 * time layer Linear(SiLU(e_t)) reading the frozen e_t, and (z_s, z_b) from its own
 * Linear(SiLU(e_z)). Attention blocks do not see z. The middle block reads the frozen encoder
 * half's bottleneck, never the frozen middle block's output (METHOD 8 item 2).
 *
 * <p>Every layer is freshly initialised (METHOD 1.3's rules), not copied from the U-Net; the output
 * conv starts at zero, so G = 0 at step 0. Dropout uses the U-Net's rate and draws from the
 * generator {@code rng.fork(DROPOUT_STREAM)} unless {@link #setDropoutRng} replaces it.
 *
 * <p>Children: {@code label_emb}, {@code mid}, {@code up}, {@code out}. docs/internals/diti-model.md
 * maps every parameter name onto the reference's ({@code label_emb}, {@code shift_middle_block},
 * {@code shift_output_blocks}, {@code shift_out}).
 */
public final class ShiftDecoder extends Module {
    /** The stream id of the default dropout generator, {@code rng.fork(DROPOUT_STREAM)}. */
    public static final long DROPOUT_STREAM = 0x5D5L;

    private final UNetConfig cfg;
    private final int latentDim;
    private final Linear labelEmb;
    private final MiddleBlock mid;
    private final Decoder up;
    private final OutputHead out;

    /**
     * @param cfg       the frozen U-Net's configuration (widths, levels, attention, groups, dropout)
     * @param latentDim d, the length of z
     */
    public ShiftDecoder(UNetConfig cfg, int latentDim, Device device, Philox rng) {
        if (latentDim < 1) {
            throw new IllegalArgumentException("the shift decoder needs a feature length d >= 1, got " + latentDim);
        }
        this.cfg = cfg;
        this.latentDim = latentDim;
        this.labelEmb = addModule("label_emb", new Linear(latentDim, cfg.embDim(), device, rng));
        this.mid = addModule("mid", new MiddleBlock(cfg, true, device, rng));
        this.up = addModule("up", new Decoder(cfg, true, device, rng));
        this.out = addModule("out", new OutputHead(cfg.channels(0), cfg.inChannels(), cfg.groups(), device, rng));
        setDropoutRng(rng.fork(DROPOUT_STREAM));
    }

    /**
     * G for frozen features and a condition (B, d), usually z ⊙ M[i(t)] (METHOD 4.6).
     *
     * @return G (B, inC, H, W), the shape of the image
     */
    public Tensor forward(Features f, Tensor condition) {
        if (condition.rank() != 2 || condition.dim(1) != latentDim || condition.dim(0) != f.emb().dim(0)) {
            throw new IllegalArgumentException("the shift decoder expects a condition (" + f.emb().dim(0) + ", "
                    + latentDim + "), got " + condition.shape());
        }
        Tensor ez = labelEmb.forward(condition);
        Tensor h = mid.forward(f.bottleneck(), f.emb(), ez);
        return out.forward(up.forward(h, f.skips(), f.emb(), ez));
    }

    /** e_z = label_emb(condition), (B, 4·base). */
    public Tensor embed(Tensor condition) {
        return labelEmb.forward(condition);
    }

    public UNetConfig config() {
        return cfg;
    }

    public int latentDim() {
        return latentDim;
    }

    public Linear labelEmbedding() {
        return labelEmb;
    }

    public MiddleBlock middle() {
        return mid;
    }

    public Decoder decoder() {
        return up;
    }

    public OutputHead outputHead() {
        return out;
    }

    // ---- parameter count without building ----------------------------------------------------

    /**
     * The number of parameters a {@code ShiftDecoder(cfg, latentDim, ...)} has, label_emb included,
     * counted from the layout without allocating anything (the large configurations have tens of
     * millions). {@code ShiftDecoderTest} checks it against built decoders.
     */
    public static long countParameters(UNetConfig cfg, int latentDim) {
        int e = cfg.embDim();
        long n = linear(latentDim, e);
        int last = cfg.channels(cfg.levels() - 1);
        n += 2 * resBlockShift(last, last, e) + attention(last);
        int[] skips = cfg.skipChannels();
        int next = skips.length;
        int ch = last;
        int ds = cfg.maxDownsampling();
        for (int l = cfg.levels() - 1; l >= 0; l--) {
            for (int i = 0; i <= cfg.numResBlocks(); i++) {
                int cout = cfg.channels(l);
                n += resBlockShift(ch + skips[--next], cout, e);
                if (cfg.attentionAt(ds)) {
                    n += attention(cout);
                }
                if (l > 0 && i == cfg.numResBlocks()) {
                    n += resBlockShift(cout, cout, e);
                    ds /= 2;
                }
                ch = cout;
            }
        }
        n += groupNorm(cfg.channels(0)) + conv(cfg.channels(0), cfg.inChannels(), 3);
        return n;
    }

    private static long linear(int in, int out) {
        return (long) in * out + out;
    }

    private static long conv(int in, int out, int k) {
        return (long) in * out * k * k + out;
    }

    private static long groupNorm(int c) {
        return 2L * c;
    }

    private static long resBlockShift(int cin, int cout, int e) {
        return groupNorm(cin) + conv(cin, cout, 3) + 2 * linear(e, 2 * cout) + groupNorm(cout) + conv(cout, cout, 3)
                + (cin == cout ? 0 : conv(cin, cout, 1));
    }

    private static long attention(int c) {
        return groupNorm(c) + conv(c, 3 * c, 1) + conv(c, c, 1);
    }
}

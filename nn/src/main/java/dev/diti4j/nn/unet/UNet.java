package dev.diti4j.nn.unet;

import dev.diti4j.core.Device;
import dev.diti4j.core.Tensor;
import dev.diti4j.core.random.Philox;
import dev.diti4j.nn.Module;
import dev.diti4j.nn.layers.TimeEmbedding;

/**
 * The epsilon-prediction U-Net of METHOD.md 1.3: eps_theta(x_t, t).
 *
 * <pre>
 *   e_t   = time(t)                                  (B, 4 base)
 *   skips = down(x, e_t)                             encoder, skips in push order
 *   h     = mid(skips.last, e_t)                     bottleneck
 *   h     = up(h, skips, e_t)                        decoder, pops the skips
 *   eps   = out(h)                                   (B, outC, H, W)
 * </pre>
 *
 * Children (and so parameter-name prefixes): {@code time}, {@code down}, {@code mid}, {@code up},
 * {@code out}. {@link #forward} is exactly {@code decode(encode(x, t))}.
 *
 * <p>Construction draws every initial weight from the given generator in a fixed order and gives
 * dropout its own generator forked from it ({@link #DROPOUT_STREAM}); replace that with
 * {@link #setDropoutRng} to control the training noise. Forward passes in evaluation mode keep no
 * state and may run concurrently.
 */
public final class UNet extends Module {
    /** The stream id of the default dropout generator, {@code rng.fork(DROPOUT_STREAM)}. */
    public static final long DROPOUT_STREAM = 0xD5L;

    private final UNetConfig cfg;
    private final TimeEmbedding time;
    private final Encoder down;
    private final MiddleBlock mid;
    private final Decoder up;
    private final OutputHead out;

    public UNet(UNetConfig cfg, Philox rng) {
        this(cfg, Device.CPU, rng);
    }

    public UNet(UNetConfig cfg, Device device, Philox rng) {
        this.cfg = cfg;
        this.time = addModule("time", new TimeEmbedding(cfg.baseChannels(), device, rng));
        this.down = addModule("down", new Encoder(cfg, device, rng));
        this.mid = addModule("mid", new MiddleBlock(cfg, false, device, rng));
        this.up = addModule("up", new Decoder(cfg, false, device, rng));
        this.out = addModule("out", new OutputHead(cfg.channels(0), cfg.outChannels(), cfg.groups(), device, rng));
        setDropoutRng(rng.fork(DROPOUT_STREAM));
    }

    /** x_t (B, inC, H, W) and integer time steps t (B) -> predicted noise (B, outC, H, W). */
    public Tensor forward(Tensor x, int[] t) {
        return decode(encode(x, t));
    }

    /**
     * Runs the time embedding and the encoder half only. H and W must be multiples of
     * {@link UNetConfig#maxDownsampling()}.
     */
    public Features encode(Tensor x, int[] t) {
        checkInput(x, t);
        Tensor et = time.forward(t);
        var skips = down.forward(x, et);
        return new Features(skips, skips.get(skips.size() - 1), et);
    }

    /** Middle block, decoder and output head on features from {@link #encode}. */
    public Tensor decode(Features f) {
        Tensor h = mid.forward(f.bottleneck(), f.emb(), null);
        Tensor d = up.forward(h, f.skips(), f.emb(), null);
        h.free();
        Tensor eps = out.forward(d);
        d.free();
        return eps;
    }

    private void checkInput(Tensor x, int[] t) {
        if (x.rank() != 4 || x.dim(1) != cfg.inChannels()) {
            throw new IllegalArgumentException("UNet expects input (B, " + cfg.inChannels() + ", H, W), got " + x.shape());
        }
        int m = cfg.maxDownsampling();
        if (x.dim(2) % m != 0 || x.dim(3) % m != 0 || x.dim(2) == 0 || x.dim(3) == 0) {
            throw new IllegalArgumentException("UNet with " + cfg.levels() + " levels needs a height and width that are"
                    + " positive multiples of " + m + ", got " + x.dim(2) + "x" + x.dim(3));
        }
        if (t == null || t.length != x.dim(0)) {
            throw new IllegalArgumentException("UNet needs one time step per image: batch " + x.dim(0) + " but "
                    + (t == null ? "no" : t.length) + " time steps");
        }
    }

    static void checkZ(String what, boolean zModulated, Tensor ez) {
        if (zModulated && ez == null) {
            throw new IllegalArgumentException(what + " is z-modulated and needs e_z");
        }
        if (!zModulated && ez != null) {
            throw new IllegalArgumentException(what + " is not z-modulated; pass e_z = null");
        }
    }

    public UNetConfig config() {
        return cfg;
    }

    public TimeEmbedding timeEmbedding() {
        return time;
    }

    public Encoder encoder() {
        return down;
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
}

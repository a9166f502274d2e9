package dev.diti4j.nn.layers;

import dev.diti4j.core.Device;
import dev.diti4j.core.Tensor;
import dev.diti4j.core.random.Philox;
import dev.diti4j.nn.Init;
import dev.diti4j.nn.Module;

/**
 * The residual block with scale-shift ("AdaGN") time conditioning of METHOD.md 1.3:
 *
 * <pre>
 *   h = conv1(resample(SiLU(norm1(x))))                         in_layers
 *   (scale, shift) = emb(SiLU(e_t))                              emb_layers, each (B, cout)
 *   h = norm2(h) * (1 + scale) + shift
 *   [z-modulated: (zs, zb) = emb_z(SiLU(e_z)); h = (1 + zs) * h + zb]   METHOD.md 2.2 ResBlockShift
 *   h = conv2(Dropout(SiLU(h)))                                  conv2 zero-initialised
 *   out = skip(resample(x)) + h                                  skip: identity or 1x1 conv
 * </pre>
 *
 * The z-modulated variant is the PDAE shift decoder's block: a second scale-shift from the
 * latent embedding applied after the time modulation.
 */
public final class ResBlock extends Module {
    private final int cin;
    private final int cout;
    private final Resample resample;
    private final GroupNorm norm1;
    private final Conv2d conv1;
    private final Linear emb;
    private final Linear embZ;
    private final GroupNorm norm2;
    private final Dropout dropout;
    private final Conv2d conv2;
    private final Conv2d skip;

    /**
     * @param embDim     width of the conditioning embeddings (4 * base channels)
     * @param zModulated whether the block takes a second embedding e_z (METHOD.md 2.2)
     */
    public ResBlock(int cin, int cout, int embDim, float dropout, int groups, Resample resample, boolean zModulated,
            Device device, Philox rng) {
        this.cin = cin;
        this.cout = cout;
        this.resample = resample;
        this.norm1 = addModule("norm1", new GroupNorm(cin, groups, device));
        this.conv1 = addModule("conv1", Conv2d.conv3x3(cin, cout, device, rng));
        this.emb = addModule("emb", new Linear(embDim, 2 * cout, device, rng));
        this.embZ = zModulated ? addModule("emb_z", new Linear(embDim, 2 * cout, device, rng)) : null;
        this.norm2 = addModule("norm2", new GroupNorm(cout, groups, device));
        this.dropout = addModule("dropout", new Dropout(dropout));
        this.conv2 = addModule("conv2", Init.zero(Conv2d.conv3x3(cout, cout, device, rng)));
        this.skip = cin == cout ? null : addModule("skip", Conv2d.conv1x1(cin, cout, device, rng));
    }

    /** A time-conditioned block without resampling or z-modulation. */
    public ResBlock(int cin, int cout, int embDim, float dropout, int groups, Device device, Philox rng) {
        this(cin, cout, embDim, dropout, groups, Resample.NONE, false, device, rng);
    }

    /** x (B, cin, H, W), e_t (B, embDim) -> (B, cout, H', W'). */
    public Tensor forward(Tensor x, Tensor et) {
        if (embZ != null) {
            throw new IllegalStateException("this ResBlock is z-modulated: call forward(x, e_t, e_z)");
        }
        return run(x, et, null);
    }

    /** x (B, cin, H, W), e_t and e_z (B, embDim) -> (B, cout, H', W'). */
    public Tensor forward(Tensor x, Tensor et, Tensor ez) {
        if (embZ == null) {
            throw new IllegalStateException("this ResBlock is not z-modulated: call forward(x, e_t)");
        }
        if (ez == null) {
            throw new IllegalArgumentException("a z-modulated ResBlock needs e_z");
        }
        return run(x, et, ez);
    }

    private Tensor run(Tensor x, Tensor et, Tensor ez) {
        if (x.rank() != 4 || x.dim(1) != cin) {
            throw new IllegalArgumentException("ResBlock(" + cin + " -> " + cout + ") expects input (B, " + cin
                    + ", H, W), got " + x.shape());
        }
        int b = x.dim(0);
        // Each intermediate is freed after its last use: Tensor.free keeps what a recorded backward
        // reads (the inputs of the norms, convolutions and SiLUs) and returns the rest at once (the
        // modulation's product, conv2's output before the residual sum; everything under no-grad).
        Tensor n1 = norm1.forward(x);
        Tensor a1 = n1.silu();
        n1.free();
        Tensor h = resample.apply(a1);
        freeUnless(a1, h);
        Tensor c1 = conv1.forward(h);                                           // (B, cout, H', W')
        h.free();
        Tensor n2 = norm2.forward(c1);
        c1.free();
        h = modulate(n2, emb.forward(et.silu()), b);                            // GN(h)(1+scale)+shift
        n2.free();
        if (ez != null) {
            Tensor t = modulate(h, embZ.forward(ez.silu()), b);                  // (1+zs)(...)+zb
            h.free();
            h = t;
        }
        Tensor a2 = h.silu();
        h.free();
        Tensor d = dropout.forward(a2);
        freeUnless(a2, d);
        Tensor c2 = conv2.forward(d);
        d.free();
        Tensor xs = resample.apply(x);
        Tensor s = skip == null ? xs : skip.forward(xs);
        Tensor out = s.add(c2);
        c2.free();
        freeUnless(s, x);
        freeUnless(xs, x);
        return out;
    }

    /** Frees {@code t} unless it is {@code other} (an identity resample or dropout hands back its input). */
    private static void freeUnless(Tensor t, Tensor other) {
        if (t != other) {
            t.free();
        }
    }

    /** h * (1 + scale) + shift with (scale, shift) = the two halves of e (B, 2*cout). */
    private Tensor modulate(Tensor h, Tensor e, int b) {
        if (e.rank() != 2 || e.dim(0) != b) {
            throw new IllegalArgumentException("ResBlock embedding must be (" + b + ", " + (2 * cout)
                    + ") after projection, got " + e.shape());
        }
        Tensor ss = e.reshape(b, 2 * cout, 1, 1);
        Tensor scale = ss.slice(1, 0, cout);                                     // (B, cout, 1, 1)
        Tensor shift = ss.slice(1, cout, 2 * cout);                              // (B, cout, 1, 1)
        Tensor scale1 = scale.add(1f);
        Tensor scaled = h.mul(scale1);
        Tensor out = scaled.add(shift);
        scaled.free();
        return out;
    }

    public int inChannels() {
        return cin;
    }

    public int outChannels() {
        return cout;
    }

    public Resample resample() {
        return resample;
    }

    public boolean zModulated() {
        return embZ != null;
    }
}

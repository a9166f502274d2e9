package dev.diti4j.nn.layers;

import dev.diti4j.core.Device;
import dev.diti4j.core.Tensor;
import dev.diti4j.core.random.Philox;
import dev.diti4j.nn.Init;
import dev.diti4j.nn.Layer;
import dev.diti4j.nn.Module;

/**
 * Self-attention over the H*W positions of a feature map (METHOD.md 1.3 "AttentionBlock"):
 * GroupNorm, a 1x1 conv to 3C channels, the legacy head-major split of those channels
 * ({@code [head 0: q k v][head 1: q k v]...}), q and k each scaled by (C/heads)^(-1/4), softmax
 * over keys, a zero-initialised 1x1 output projection, and a residual add.
 *
 * <p>The reference uses 1-D convolutions over the flattened positions; a 1x1 2-D convolution on
 * (B, C, H, W) computes the same thing with weights (out, in, 1, 1).
 */
public final class AttentionBlock extends Module implements Layer {
    private final int channels;
    private final int heads;
    private final GroupNorm norm;
    private final Conv2d qkv;
    private final Conv2d proj;

    public AttentionBlock(int channels, int heads, int groups, Device device, Philox rng) {
        if (heads < 1 || channels % heads != 0) {
            throw new IllegalArgumentException("AttentionBlock: " + channels + " channels are not divisible into "
                    + heads + " heads");
        }
        this.channels = channels;
        this.heads = heads;
        this.norm = addModule("norm", new GroupNorm(channels, groups, device));
        this.qkv = addModule("qkv", Conv2d.conv1x1(channels, 3 * channels, device, rng));
        this.proj = addModule("proj_out", Init.zero(Conv2d.conv1x1(channels, channels, device, rng)));
    }

    /** (B, C, H, W) -> (B, C, H, W). */
    @Override
    public Tensor forward(Tensor x) {
        if (x.rank() != 4 || x.dim(1) != channels) {
            throw new IllegalArgumentException("AttentionBlock(" + channels + ") expects input (B, " + channels
                    + ", H, W), got " + x.shape());
        }
        int b = x.dim(0);
        int h = x.dim(2);
        int w = x.dim(3);
        int t = h * w;
        int ch = channels / heads;
        // (B, 3C, H, W) -> (B*heads, 3*ch, T): head-major, then q, k, v within each head
        // Intermediates are freed after their last use; Tensor.free keeps what the backward reads
        // (the normalised input, the scaled q and k, v, the softmax output, a) and returns the rest
        // now: the qkv projection, the unscaled slices, the scores before the softmax, the output
        // projection before the residual sum.
        Tensor n = norm.forward(x);
        Tensor qkvOut = qkv.forward(n);
        n.free();
        Tensor qkvT = qkvOut.reshape(b * heads, 3 * ch, t);
        float scale = (float) (1.0 / Math.sqrt(Math.sqrt(ch)));
        Tensor q = scaledSlice(qkvT, 0, ch, scale);          // (BH, ch, T)
        Tensor k = scaledSlice(qkvT, ch, 2 * ch, scale);     // (BH, ch, T)
        Tensor v = qkvT.slice(1, 2 * ch, 3 * ch);            // (BH, ch, T)
        qkvT.free();
        qkvOut.free();
        Tensor scores = q.matmul(k, true, false);            // (BH, T queries, T keys)
        q.free();
        k.free();
        Tensor weights = scores.softmax();                   // softmax over keys
        scores.free();
        Tensor a = v.matmul(weights, false, true);           // (BH, ch, T): a[c,t] = sum_s v[c,s] w[t,s]
        v.free();
        weights.free();
        Tensor image = a.reshape(b, channels, h, w);
        a.free();
        Tensor p = proj.forward(image);
        image.free();
        Tensor out = x.add(p);
        p.free();
        return out;
    }

    private static Tensor scaledSlice(Tensor qkvT, int from, int to, float scale) {
        Tensor s = qkvT.slice(1, from, to);
        Tensor scaled = s.mul(scale);
        s.free();
        return scaled;
    }

    public int channels() {
        return channels;
    }

    public int heads() {
        return heads;
    }
}

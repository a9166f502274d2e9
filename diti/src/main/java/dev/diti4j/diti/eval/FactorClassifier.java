package dev.diti4j.diti.eval;

import dev.diti4j.core.Device;
import dev.diti4j.core.GradMode;
import dev.diti4j.core.Losses;
import dev.diti4j.core.Scope;
import dev.diti4j.core.Tensor;
import dev.diti4j.core.random.Philox;
import dev.diti4j.diti.data.SyntheticShapes;
import dev.diti4j.nn.Layer;
import dev.diti4j.nn.Module;
import dev.diti4j.nn.Sequential;
import dev.diti4j.nn.layers.Conv2d;
import dev.diti4j.nn.layers.GroupNorm;
import dev.diti4j.nn.layers.Linear;
import dev.diti4j.nn.layers.SiLU;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads the seven factors of a synthetic-shapes image: a few convolutions and one softmax head per
 * factor over a shared feature vector.
 *
 * <pre>
 *   x (B, 3, S, S)
 *   conv3x3 3→32, GN, SiLU                              (B, 32, S, S)     texture needs full resolution
 *   [conv3x3 stride 2, GN, SiLU] until 4×4 px           (B, 64, 4, 4)     32 → 64 → 64 … channels
 *   flatten, Linear(1024 → 128), SiLU                   (B, 128)          flattening keeps position
 *   Linear(128 → Σ K_f) split per factor                (B, K_f) each     K = 4, 6, 4, 3, 3, 3, 4
 * </pre>
 */
public final class FactorClassifier extends Module {
    /** The factors in label order and their value counts. */
    public static final SyntheticShapes.Factor[] FACTORS = SyntheticShapes.Factor.values();

    private final int imageSize;
    private final Sequential features;
    private final Linear hidden;
    private final Linear heads;
    private final int[] offsets;

    public FactorClassifier(int imageSize, Device device, Philox rng) {
        if (imageSize < 8 || Integer.bitCount(imageSize) != 1) {
            throw new IllegalArgumentException("the factor classifier takes square images of a power-of-two side >= 8,"
                    + " got " + imageSize);
        }
        this.imageSize = imageSize;
        List<Layer> layers = new ArrayList<>();
        layers.add(new Conv2d(3, 32, 3, 1, 1, true, device, rng));
        layers.add(new GroupNorm(32, 8, device));
        layers.add(new SiLU());
        int side = imageSize;
        int ch = 32;
        while (side > 4) {
            int next = 64;
            layers.add(new Conv2d(ch, next, 3, 2, 1, true, device, rng));
            layers.add(new GroupNorm(next, 8, device));
            layers.add(new SiLU());
            ch = next;
            side /= 2;
        }
        this.features = addModule("features", new Sequential(layers.toArray(Layer[]::new)));
        this.hidden = addModule("hidden", new Linear(ch * 16, 128, device, rng));
        offsets = new int[FACTORS.length + 1];
        for (int f = 0; f < FACTORS.length; f++) {
            offsets[f + 1] = offsets[f] + FACTORS[f].cardinality();
        }
        this.heads = addModule("heads", new Linear(128, offsets[FACTORS.length], device, rng));
    }

    public int imageSize() {
        return imageSize;
    }

    /** All heads' logits side by side, (B, Σ K_f). */
    public Tensor logits(Tensor x) {
        if (x.rank() != 4 || x.dim(1) != 3 || x.dim(2) != imageSize || x.dim(3) != imageSize) {
            throw new IllegalArgumentException("the factor classifier expects images (B, 3, " + imageSize + ", "
                    + imageSize + "), got " + x.shape());
        }
        Tensor h = features.forward(x);                      // (B, 64, 4, 4)
        h = h.reshape(x.dim(0), h.dim(1) * h.dim(2) * h.dim(3));
        return heads.forward(hidden.forward(h).silu());
    }

    /** Factor {@code f}'s logits, (B, K_f). */
    public Tensor head(Tensor logits, int f) {
        return logits.slice(1, offsets[f], offsets[f + 1]);
    }

    /** The training loss: the sum over factors of each head's mean cross-entropy. */
    public Tensor loss(Tensor x, int[][] labels) {
        Tensor logits = logits(x);
        Tensor total = null;
        for (int f = 0; f < FACTORS.length; f++) {
            int[] y = new int[labels.length];
            for (int b = 0; b < y.length; b++) {
                y[b] = labels[b][f];
            }
            Tensor l = Losses.crossEntropy(head(logits, f), y);
            total = total == null ? l : total.add(l);
        }
        return total;
    }

    /**
     * The outlier-exposure term for images that show no shape: the mean over images and factors of
     * the cross-entropy between each head's prediction and the uniform distribution,
     * −mean_k log p_k. Minimising it teaches the heads to be unsure on such images, so that
     * confidence means "this looks like a rendered shape".
     */
    public Tensor uncertaintyLoss(Tensor outliers) {
        Tensor logits = logits(outliers);
        Tensor total = null;
        for (int f = 0; f < FACTORS.length; f++) {
            Tensor l = head(logits, f).logSoftmax().mean().neg();
            total = total == null ? l : total.add(l);
        }
        return total.mul(1f / FACTORS.length);
    }

    /**
     * Class probabilities of every factor for a batch: {@code [f][b][k]}. Runs without a graph and
     * in chunks of 256 images.
     */
    public float[][][] probabilities(Tensor x) {
        int n = x.dim(0);
        float[][][] out = new float[FACTORS.length][n][];
        try (GradMode ng = GradMode.off()) {
            for (int from = 0; from < n; from += 256) {
                int to = Math.min(n, from + 256);
                try (Scope s = Scope.open()) {
                    Tensor logits = logits(x.slice(0, from, to));
                    for (int f = 0; f < FACTORS.length; f++) {
                        int k = FACTORS[f].cardinality();
                        float[] p = head(logits, f).softmax().toArray();
                        for (int b = from; b < to; b++) {
                            out[f][b] = java.util.Arrays.copyOfRange(p, (b - from) * k, (b - from + 1) * k);
                        }
                    }
                }
            }
        }
        return out;
    }
}

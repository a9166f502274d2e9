package dev.diti4j.cli.demo;

import dev.diti4j.core.GradMode;
import dev.diti4j.core.Scope;
import dev.diti4j.core.Tensor;
import dev.diti4j.diti.data.Dataset;
import dev.diti4j.diti.model.DitiModel;
import java.util.function.LongConsumer;

/**
 * The images and labels a demo evaluates on, and the feature vectors each representation gives
 * them: z of an encoder (EMA weights, no graph) or the raw pixels.
 */
final class FeatureSets {
    private FeatureSets() {
    }

    /** Images [from, to) of a data set as one tensor (n, C, H, W), with their labels (n × F). */
    record Images(Tensor x, int[][] labels) {
        int count() {
            return labels.length;
        }
    }

    static Images images(Dataset d, int from, int to) {
        int per = d.pixelsPerImage();
        int n = to - from;
        float[] px = new float[Math.multiplyExact(n, per)];
        int[][] labels = new int[n][];
        for (int i = 0; i < n; i++) {
            Dataset.Sample s = d.get(from + i);
            System.arraycopy(s.pixels(), 0, px, i * per, per);
            labels[i] = s.labels();
        }
        return new Images(Tensor.of(dev.diti4j.core.Device.CPU, px, n, d.channels(), d.height(), d.width()), labels);
    }

    /** z = E(x) for every image, in batches of {@code batch}, without graph; {@code progress} gets images done. */
    static float[][] encode(DitiModel model, Tensor x, int batch, LongConsumer progress) {
        int n = x.dim(0);
        float[][] out = new float[n][];
        try (GradMode ng = GradMode.off()) {
            for (int from = 0; from < n; from += batch) {
                int to = Math.min(n, from + batch);
                try (Scope s = Scope.open()) {
                    Tensor z = model.encode(x.slice(0, from, to));
                    int d = z.dim(1);
                    float[] flat = z.toArray();
                    for (int i = from; i < to; i++) {
                        out[i] = java.util.Arrays.copyOfRange(flat, (i - from) * d, (i - from + 1) * d);
                    }
                }
                progress.accept(to);
            }
        }
        return out;
    }

    /** The raw pixels of every image as a feature vector (C·H·W). */
    static float[][] pixels(Tensor x) {
        int n = x.dim(0);
        int per = (int) (x.numel() / n);
        float[] flat = x.toArray();
        float[][] out = new float[n][];
        for (int i = 0; i < n; i++) {
            out[i] = java.util.Arrays.copyOfRange(flat, i * per, (i + 1) * per);
        }
        return out;
    }

    /** Column f of a label matrix. */
    static int[] column(int[][] labels, int f) {
        int[] c = new int[labels.length];
        for (int i = 0; i < c.length; i++) {
            c[i] = labels[i][f];
        }
        return c;
    }
}

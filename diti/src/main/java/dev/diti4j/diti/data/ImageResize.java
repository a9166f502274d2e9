package dev.diti4j.diti.data;

import java.awt.image.BufferedImage;

/**
 * Turns a decoded image into a square RGB tensor layout: the central square of side min(w, h)
 * (what a shorter-side resize followed by a centre crop keeps), resampled to size×size, as
 * (3, size, size) floats in [−1, 1]. Down-sampling averages the exact source area each output
 * pixel covers (a box filter with fractional edge weights), so no source pixel is skipped;
 * up-sampling is bilinear with pixel centres aligned.
 */
public final class ImageResize {
    private ImageResize() {
    }

    /**
     * The central square of {@code img} resampled to size×size, as (3, size, size) floats in
     * [−1, 1], channel-major (R, G, B planes).
     */
    public static float[] centreCropResize(BufferedImage img, int size) {
        int w = img.getWidth();
        int h = img.getHeight();
        int side = Math.min(w, h);
        int x0 = (w - side) / 2;
        int y0 = (h - side) / 2;
        int[] argb = img.getRGB(x0, y0, side, side, null, 0, side);
        float[][] planes = new float[3][side * side];
        for (int i = 0; i < argb.length; i++) {
            int p = argb[i];
            planes[0][i] = (p >> 16) & 0xFF;
            planes[1][i] = (p >> 8) & 0xFF;
            planes[2][i] = p & 0xFF;
        }
        Taps taps = taps(side, size);
        float[] out = new float[3 * size * size];
        float[] rows = new float[size * side];   // (size, side): resampled vertically
        for (int c = 0; c < 3; c++) {
            float[] src = planes[c];
            for (int oy = 0; oy < size; oy++) {
                java.util.Arrays.fill(rows, oy * side, (oy + 1) * side, 0f);
                for (int k = 0; k < taps.index[oy].length; k++) {
                    int sy = taps.index[oy][k];
                    float wt = taps.weight[oy][k];
                    for (int x = 0; x < side; x++) {
                        rows[oy * side + x] += wt * src[sy * side + x];
                    }
                }
            }
            for (int oy = 0; oy < size; oy++) {
                for (int ox = 0; ox < size; ox++) {
                    float acc = 0f;
                    for (int k = 0; k < taps.index[ox].length; k++) {
                        acc += taps.weight[ox][k] * rows[oy * side + taps.index[ox][k]];
                    }
                    out[(c * size + oy) * size + ox] = Math.clamp(acc / 127.5f - 1f, -1f, 1f);
                }
            }
        }
        return out;
    }

    /** For each output coordinate, the source coordinates it reads and their weights (summing to 1). */
    record Taps(int[][] index, float[][] weight) {
    }

    static Taps taps(int src, int dst) {
        int[][] index = new int[dst][];
        float[][] weight = new float[dst][];
        double scale = (double) src / dst;
        for (int o = 0; o < dst; o++) {
            if (scale >= 1.0) {
                // Box: output pixel o covers source [o*scale, (o+1)*scale).
                double a = o * scale;
                double b = (o + 1) * scale;
                int first = (int) Math.floor(a);
                int last = Math.min(src - 1, (int) Math.ceil(b) - 1);
                int n = last - first + 1;
                index[o] = new int[n];
                weight[o] = new float[n];
                for (int k = 0; k < n; k++) {
                    int s = first + k;
                    double overlap = Math.min(b, s + 1) - Math.max(a, s);
                    index[o][k] = s;
                    weight[o][k] = (float) (overlap / scale);
                }
            } else {
                // Bilinear: the source position of output pixel centre o + 0.5.
                double pos = (o + 0.5) * scale - 0.5;
                int i0 = (int) Math.floor(pos);
                double f = pos - i0;
                int a = Math.clamp(i0, 0, src - 1);
                int b = Math.clamp(i0 + 1, 0, src - 1);
                index[o] = new int[] {a, b};
                weight[o] = new float[] {(float) (1 - f), (float) f};
            }
        }
        return new Taps(index, weight);
    }
}

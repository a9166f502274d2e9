package dev.diti4j.core.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.diti4j.core.ops.Conv2dSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * {@link Conv} forward, input gradient, filter gradient and bias gradient against naive
 * double-accumulating loops, over strides, paddings, kernel sizes and image sizes that make
 * the batched products take every path (one image per product, several, and a remainder).
 */
class ConvTest {

    private static final List<Conv2dSpec> CASES = List.of(
            // n, cin, h, w, cout, kh, kw, stride, pad
            new Conv2dSpec(3, 4, 7, 5, 6, 3, 3, 1, 1),      // odd sizes, many images per product
            new Conv2dSpec(2, 3, 9, 9, 5, 3, 3, 2, 1),      // stride 2 with padding
            new Conv2dSpec(2, 3, 8, 7, 4, 3, 3, 2, 0),      // stride 2, no padding
            new Conv2dSpec(4, 5, 6, 6, 7, 3, 3, 1, 0),      // no padding
            new Conv2dSpec(3, 6, 5, 7, 4, 1, 1, 1, 0),      // pointwise, batched through im2col
            new Conv2dSpec(2, 3, 46, 46, 2, 1, 1, 1, 0),    // pointwise with P >= 2048: in place
            new Conv2dSpec(3, 2, 33, 33, 3, 3, 3, 1, 1),    // P = 1089: groups of 2 and a single image
            new Conv2dSpec(2, 3, 6, 6, 4, 1, 1, 2, 0),      // 1x1 with stride 2: not pointwise
            new Conv2dSpec(1, 1, 1, 1, 1, 3, 3, 1, 1),      // 1x1 image, 3x3 kernel
            new Conv2dSpec(2, 16, 8, 8, 24, 3, 3, 1, 1));   // products large enough for every thread

    @Test
    void everyPassMatchesNaiveLoops() {
        SplittableRandom rng = new SplittableRandom(11);
        List<String> bad = new ArrayList<>();
        for (Conv2dSpec s : CASES) {
            for (boolean withBias : new boolean[] {true, false}) {
                check(s, withBias, rng, bad);
            }
        }
        assertTrue(bad.isEmpty(), () -> "first mismatches:\n" + String.join("\n", bad));
    }

    @Test
    void imagesPerProductFillTheTargetColumns() {
        assertEquals(2, Conv.imagesPerGemm(new Conv2dSpec(32, 64, 32, 32, 64, 3, 3, 1, 1)));
        assertEquals(1, Conv.imagesPerGemm(new Conv2dSpec(32, 64, 64, 64, 64, 3, 3, 1, 1)));
        assertEquals(8, Conv.imagesPerGemm(new Conv2dSpec(32, 128, 16, 16, 128, 3, 3, 1, 1)));
        assertEquals(32, Conv.imagesPerGemm(new Conv2dSpec(32, 128, 8, 8, 128, 3, 3, 1, 1)));
        assertEquals(3, Conv.imagesPerGemm(new Conv2dSpec(3, 128, 8, 8, 128, 3, 3, 1, 1)));
    }

    /**
     * im2col and col2im against plain per-element loops, bit for bit, on random shapes: the
     * flat-shift paths (stride 1 with rows as long as the input's: 3x3 pad 1, 5x5 pad 2, 1x1, 1x3
     * pad (0, 1) by way of kh != kw) and the row-by-row path (stride 2, no padding), with image
     * sizes down to 1 and several images per product. col2im's reference adds in the same
     * kernel-offset order, so its float sums must match exactly.
     */
    @Test
    void im2colAndCol2imMatchPlainLoopsBitForBit() {
        SplittableRandom rng = new SplittableRandom(23);
        int[][] kernels = {{3, 3, 1, 1}, {5, 5, 2, 1}, {1, 1, 0, 1}, {3, 3, 0, 1}, {3, 3, 1, 2}, {1, 3, 1, 1},
                {3, 1, 0, 1}, {1, 1, 0, 2}};
        int checked = 0;
        int flat = 0;
        for (int trial = 0; trial < 120; trial++) {
            int[] k = kernels[trial % kernels.length];
            int h = 1 + rng.nextInt(12);
            int w = 1 + rng.nextInt(12);
            if (h + 2 * k[2] < k[0] || w + 2 * k[2] < k[1]) {
                continue;
            }
            Conv2dSpec s = new Conv2dSpec(1 + rng.nextInt(3), 1 + rng.nextInt(4), h, w, 2, k[0], k[1], k[3], k[2]);
            int imgs = 1 + rng.nextInt(s.n());
            int i0 = rng.nextInt(s.n() - imgs + 1);
            int p = s.oh() * s.ow();
            int rows = s.cin() * s.kh() * s.kw();
            float[] x = random(rng, s.n() * s.cin() * h * w);
            float[] cols = filled(rows * imgs * p);
            Conv.im2col(s, x, i0, imgs, cols);
            float[] dcols = random(rng, rows * imgs * p);
            float[] dcolsRef = dcols.clone();
            float[] gx = filled(x.length);
            float[] gxRef = new float[x.length];
            System.arraycopy(gx, 0, gxRef, 0, gx.length);
            Conv.col2im(s, dcols, i0, imgs, gx);
            for (int j = 0; j < imgs; j++) {
                for (int c = 0; c < s.cin(); c++) {
                    java.util.Arrays.fill(gxRef, ((i0 + j) * s.cin() + c) * h * w, ((i0 + j) * s.cin() + c + 1) * h * w, 0f);
                }
            }
            for (int j = 0; j < imgs; j++) {
                for (int c = 0; c < s.cin(); c++) {
                    for (int u = 0; u < s.kh(); u++) {
                        for (int v = 0; v < s.kw(); v++) {
                            int row = (c * s.kh() + u) * s.kw() + v;
                            for (int oy = 0; oy < s.oh(); oy++) {
                                for (int ox = 0; ox < s.ow(); ox++) {
                                    int iy = oy * s.stride() + u - s.pad();
                                    int ix = ox * s.stride() + v - s.pad();
                                    int ci = row * imgs * p + j * p + oy * s.ow() + ox;
                                    boolean inside = iy >= 0 && iy < h && ix >= 0 && ix < w;
                                    int xi = (((i0 + j) * s.cin() + c) * h + iy) * w + ix;
                                    float want = inside ? x[xi] : 0f;
                                    if (Float.floatToRawIntBits(cols[ci]) != Float.floatToRawIntBits(want)) {
                                        throw new AssertionError(s + " imgs " + imgs + " from " + i0 + ": im2col[" + ci
                                                + "] = " + cols[ci] + ", expected " + want);
                                    }
                                    if (inside) {
                                        gxRef[xi] += dcolsRef[ci];
                                    }
                                }
                            }
                        }
                    }
                }
            }
            for (int i = 0; i < gx.length; i++) {
                if (Float.floatToRawIntBits(gx[i]) != Float.floatToRawIntBits(gxRef[i])) {
                    throw new AssertionError(s + " imgs " + imgs + " from " + i0 + ": col2im[" + i + "] = " + gx[i]
                            + ", expected " + gxRef[i]);
                }
            }
            checked++;
            flat += Conv.flatShift(s) ? 1 : 0;
        }
        assertTrue(checked >= 100 && flat >= 40 && checked - flat >= 20,
                "shapes checked: " + checked + ", of them flat-shift: " + flat);
    }

    private static void check(Conv2dSpec s, boolean withBias, SplittableRandom rng, List<String> bad) {
        int oh = s.oh();
        int ow = s.ow();
        float[] x = random(rng, s.n() * s.cin() * s.h() * s.w());
        float[] w = random(rng, s.cout() * s.cin() * s.kh() * s.kw());
        float[] b = withBias ? random(rng, s.cout()) : null;
        float[] gy = random(rng, s.n() * s.cout() * oh * ow);

        float[] y = filled(s.n() * s.cout() * oh * ow);
        Conv.forward(s, x, w, b, y);
        float[] gx = filled(s.n() * s.cin() * s.h() * s.w());
        Conv.backwardInput(s, gy, w, gx);
        float[] gw = filled(w.length);
        float[] gb = withBias ? filled(s.cout()) : null;
        Conv.backwardFilter(s, x, gy, gw, gb);

        double[] yRef = new double[y.length];
        double[] gxRef = new double[gx.length];
        double[] gwRef = new double[gw.length];
        double[] gbRef = new double[s.cout()];
        for (int n = 0; n < s.n(); n++) {
            for (int co = 0; co < s.cout(); co++) {
                for (int oy = 0; oy < oh; oy++) {
                    for (int ox = 0; ox < ow; ox++) {
                        int yi = ((n * s.cout() + co) * oh + oy) * ow + ox;
                        double acc = withBias ? b[co] : 0;
                        gbRef[co] += gy[yi];
                        for (int ci = 0; ci < s.cin(); ci++) {
                            for (int u = 0; u < s.kh(); u++) {
                                for (int v = 0; v < s.kw(); v++) {
                                    int iy = oy * s.stride() + u - s.pad();
                                    int ix = ox * s.stride() + v - s.pad();
                                    if (iy < 0 || iy >= s.h() || ix < 0 || ix >= s.w()) {
                                        continue;
                                    }
                                    int xi = ((n * s.cin() + ci) * s.h() + iy) * s.w() + ix;
                                    int wi = ((co * s.cin() + ci) * s.kh() + u) * s.kw() + v;
                                    acc += (double) x[xi] * w[wi];
                                    gxRef[xi] += (double) gy[yi] * w[wi];
                                    gwRef[wi] += (double) gy[yi] * x[xi];
                                }
                            }
                        }
                        yRef[yi] = acc;
                    }
                }
            }
        }
        String name = s + (withBias ? " with bias" : " without bias");
        compare(name + " forward y", y, yRef, bad);
        compare(name + " input gradient", gx, gxRef, bad);
        compare(name + " filter gradient", gw, gwRef, bad);
        if (withBias) {
            compare(name + " bias gradient", gb, gbRef, bad);
        }
    }

    private static void compare(String what, float[] got, double[] ref, List<String> bad) {
        int shown = 0;
        for (int i = 0; i < ref.length; i++) {
            double tol = 1e-4 + 1e-4 * Math.abs(ref[i]);
            if (!(Math.abs(got[i] - ref[i]) <= tol) && shown++ < 3 && bad.size() < 20) {
                bad.add(what + " [" + i + "] = " + got[i] + ", expected " + ref[i]);
            }
        }
    }

    private static float[] random(SplittableRandom rng, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) (rng.nextDouble() * 2 - 1);
        }
        return v;
    }

    /** Garbage-filled output, so a kernel that forgets to overwrite is caught. */
    private static float[] filled(int n) {
        float[] v = new float[n];
        java.util.Arrays.fill(v, 7.5f);
        return v;
    }
}

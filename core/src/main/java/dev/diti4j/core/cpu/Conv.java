package dev.diti4j.core.cpu;

import dev.diti4j.core.ops.Conv2dSpec;

/**
 * Convolution through GEMM (im2col), several images per product (docs/internals/conv2d.md).
 * With K = cin*kh*kw, P = oh*ow and a group of g images laid side by side in the columns:
 *
 * <pre>
 *   cols (K, g*P)       = im2col(x[i0 .. i0+g))
 *   Y (cout, g*P)       = W (cout, K) * cols;           y[i0+j] = Y[:, j*P:(j+1)*P] + bias
 *   dcols (K, g*P)      = W^T * dY;                     dx[i0+j] = col2im(dcols[:, j*P:(j+1)*P])
 *   dW (cout, K)       += dY (cout, g*P) * cols^T;      db = sum of dy over n, oh, ow
 * </pre>
 *
 * g is chosen so that each product has at least {@link #TARGET_COLS} columns (small images would
 * otherwise give thin products that neither fill the micro-kernel's panels nor split well across
 * threads) while the column buffer stays under {@link #COLS_CAP} floats. With g = 1 the product
 * reads and writes the image tensors in place; otherwise dY is gathered into, and Y scattered out
 * of, a staging buffer. A 1x1 convolution with stride 1 and no padding needs no im2col when g = 1:
 * cols is x[i] itself. Buffers belong to the calling thread and are reused by every later call.
 */
final class Conv {
    /** Columns wanted in one product. */
    static final int TARGET_COLS = 2048;
    /** Floats of the column buffer (16 MiB). */
    static final int COLS_CAP = 1 << 22;

    private static final ThreadLocal<Buffers> BUFFERS = ThreadLocal.withInitial(Buffers::new);

    private Conv() {
    }

    private static boolean pointwise(Conv2dSpec s) {
        return s.kh() == 1 && s.kw() == 1 && s.stride() == 1 && s.pad() == 0;
    }

    /** Images per product. */
    static int imagesPerGemm(Conv2dSpec s) {
        long kp = Math.max(1L, (long) s.cin() * s.kh() * s.kw() * s.oh() * s.ow());
        int p = Math.max(1, s.oh() * s.ow());
        long g = Math.min((TARGET_COLS + p - 1) / p, COLS_CAP / kp);
        return (int) Math.max(1, Math.min(g, s.n()));
    }

    static void forward(Conv2dSpec s, float[] x, float[] w, float[] bias, float[] y) {
        int kk = s.cin() * s.kh() * s.kw();
        int p = s.oh() * s.ow();
        int xImg = s.cin() * s.h() * s.w();
        int yImg = s.cout() * p;
        int g = imagesPerGemm(s);
        Buffers buf = BUFFERS.get();
        for (int i0 = 0; i0 < s.n(); i0 += g) {
            int imgs = Math.min(g, s.n() - i0);
            int cols = imgs * p;
            float[] src;
            int srcOff;
            if (pointwise(s) && imgs == 1) {
                src = x;
                srcOff = i0 * xImg;
            } else {
                src = buf.cols(kk * cols);
                srcOff = 0;
                im2col(s, x, i0, imgs, src);
            }
            if (imgs == 1) {
                // (cout, P) straight into y[i0], on top of the bias
                if (bias != null) {
                    for (int co = 0; co < s.cout(); co++) {
                        java.util.Arrays.fill(y, i0 * yImg + co * p, i0 * yImg + (co + 1) * p, bias[co]);
                    }
                }
                Gemm.sgemm(false, false, s.cout(), p, kk, w, 0, kk, src, srcOff, p, y, i0 * yImg, p, bias != null);
            } else {
                float[] out = buf.staging(s.cout() * cols);
                Gemm.sgemm(false, false, s.cout(), cols, kk, w, 0, kk, src, srcOff, cols, out, 0, cols, false);
                scatter(out, s.cout(), p, imgs, y, i0 * yImg, bias);
            }
        }
    }

    static void backwardInput(Conv2dSpec s, float[] gy, float[] w, float[] gx) {
        int kk = s.cin() * s.kh() * s.kw();
        int p = s.oh() * s.ow();
        int xImg = s.cin() * s.h() * s.w();
        int yImg = s.cout() * p;
        int g = imagesPerGemm(s);
        Buffers buf = BUFFERS.get();
        for (int i0 = 0; i0 < s.n(); i0 += g) {
            int imgs = Math.min(g, s.n() - i0);
            int cols = imgs * p;
            if (pointwise(s) && imgs == 1) {
                Gemm.sgemm(true, false, kk, p, s.cout(), w, 0, kk, gy, i0 * yImg, p, gx, i0 * xImg, p, false);
                continue;
            }
            float[] dy = gy;
            int dyOff = i0 * yImg;
            if (imgs > 1) {
                dy = buf.staging(s.cout() * cols);
                dyOff = 0;
                gather(gy, i0 * yImg, s.cout(), p, imgs, dy);
            }
            float[] dcols = buf.cols(kk * cols);
            Gemm.sgemm(true, false, kk, cols, s.cout(), w, 0, kk, dy, dyOff, cols, dcols, 0, cols, false);
            col2im(s, dcols, i0, imgs, gx);
        }
    }

    static void backwardFilter(Conv2dSpec s, float[] x, float[] gy, float[] gw, float[] gb) {
        int kk = s.cin() * s.kh() * s.kw();
        int p = s.oh() * s.ow();
        int xImg = s.cin() * s.h() * s.w();
        int yImg = s.cout() * p;
        int g = imagesPerGemm(s);
        Buffers buf = BUFFERS.get();
        for (int i0 = 0; i0 < s.n(); i0 += g) {
            int imgs = Math.min(g, s.n() - i0);
            int cols = imgs * p;
            float[] src;
            int srcOff;
            if (pointwise(s) && imgs == 1) {
                src = x;
                srcOff = i0 * xImg;
            } else {
                src = buf.cols(kk * cols);
                srcOff = 0;
                im2col(s, x, i0, imgs, src);
            }
            float[] dy = gy;
            int dyOff = i0 * yImg;
            if (imgs > 1) {
                dy = buf.staging(s.cout() * cols);
                dyOff = 0;
                gather(gy, i0 * yImg, s.cout(), p, imgs, dy);
            }
            // dW (cout, K) (+)= dY (cout, cols) * cols^T
            Gemm.sgemm(false, true, s.cout(), kk, cols, dy, dyOff, cols, src, srcOff, cols, gw, 0, kk, i0 > 0);
        }
        if (s.n() == 0) {
            java.util.Arrays.fill(gw, 0, s.cout() * kk, 0f);
        }
        if (gb != null) {
            Parallel.forRange(s.cout(), 8, (cs, ce) -> {
                for (int co = cs; co < ce; co++) {
                    double acc = 0;
                    for (int i = 0; i < s.n(); i++) {
                        int o = i * yImg + co * p;
                        float part = 0f;
                        for (int q = 0; q < p; q++) {
                            part += gy[o + q];
                        }
                        acc += part;
                    }
                    gb[co] = (float) acc;
                }
            });
        }
    }

    /** y[(img, co, q)] from yOff = out[co][img*P + q] + bias[co]: out (cout, imgs*P) to imgs images (cout, P). */
    private static void scatter(float[] out, int cout, int p, int imgs, float[] y, int yOff, float[] bias) {
        int cols = imgs * p;
        Parallel.forRange(imgs * cout, Math.max(1, 8192 / Math.max(1, p)), (s, e) -> {
            for (int item = s; item < e; item++) {
                int img = item / cout;
                int co = item % cout;
                int src = co * cols + img * p;
                int dst = yOff + (img * cout + co) * p;
                if (bias == null) {
                    System.arraycopy(out, src, y, dst, p);
                } else {
                    float b = bias[co];
                    for (int q = 0; q < p; q++) {
                        y[dst + q] = out[src + q] + b;
                    }
                }
            }
        });
    }

    /** The inverse layout change: imgs images (cout, P) from gyOff into dy (cout, imgs*P). */
    private static void gather(float[] gy, int gyOff, int cout, int p, int imgs, float[] dy) {
        int cols = imgs * p;
        Parallel.forRange(imgs * cout, Math.max(1, 8192 / Math.max(1, p)), (s, e) -> {
            for (int item = s; item < e; item++) {
                int img = item / cout;
                int co = item % cout;
                System.arraycopy(gy, gyOff + (img * cout + co) * p, dy, co * cols + img * p, p);
            }
        });
    }

    /**
     * Whether the output rows are as long as the input rows at stride 1 (2*pad = kw - 1, as for a
     * 3x3 convolution with padding 1 or any 1x1 without padding). Then, for each kernel offset (u, v),
     * a column row of im2col is the input plane shifted by one flat offset, (u - pad)*w + (v - pad),
     * except the entries that fall outside the image: whole rows at the top or bottom and at most
     * |v - pad| columns at the left or right edge of each row. {@link #im2col} and {@link #col2im}
     * then move each (u, v) row in one contiguous copy or add and patch only those entries.
     */
    static boolean flatShift(Conv2dSpec s) {
        return s.stride() == 1 && s.ow() == s.w();
    }

    /**
     * cols (K, imgs*P): cols[(c*kh + u)*kw + v][j*P + oy*ow + ox] = x[i0+j][c][oy*stride + u - pad][ox*stride + v - pad],
     * 0 outside the image. Parallel over (image, channel).
     */
    static void im2col(Conv2dSpec s, float[] x, int i0, int imgs, float[] cols) {
        int oh = s.oh();
        int ow = s.ow();
        int h = s.h();
        int w = s.w();
        int kh = s.kh();
        int kw = s.kw();
        int stride = s.stride();
        int pad = s.pad();
        int p = oh * ow;
        int ld = imgs * p;
        int xImg = s.cin() * h * w;
        boolean flat = flatShift(s);
        Parallel.forRange(imgs * s.cin(), Math.max(1, 16384 / Math.max(1, kh * kw * p)), (is, ie) -> {
            for (int item = is; item < ie; item++) {
                int img = item / s.cin();
                int c = item % s.cin();
                int xc = (i0 + img) * xImg + c * h * w;
                for (int u = 0; u < kh; u++) {
                    // output rows whose input row oy*stride + u - pad lies inside [0, h)
                    int rlo = Math.min(oh, Math.max(0, (pad - u + stride - 1) / stride));
                    int rhi = Math.max(rlo, Math.min(oh, (h + pad - u + stride - 1) / stride));
                    for (int v = 0; v < kw; v++) {
                        int base = ((c * kh + u) * kw + v) * ld + img * p;
                        // output columns whose input column ox*stride + v - pad lies inside [0, w)
                        int lo = Math.min(ow, Math.max(0, (pad - v + stride - 1) / stride));
                        int hi = Math.max(lo, Math.min(ow, (w + pad - v + stride - 1) / stride));
                        if (flat) {
                            shiftedRow(x, xc + (u - pad) * w + (v - pad), cols, base, ow, p, rlo, rhi, lo, hi);
                            continue;
                        }
                        for (int oy = 0; oy < oh; oy++) {
                            int iy = oy * stride + u - pad;
                            int ro = base + oy * ow;
                            if (iy < 0 || iy >= h) {
                                java.util.Arrays.fill(cols, ro, ro + ow, 0f);
                                continue;
                            }
                            int xr = xc + iy * w + v - pad;
                            // the padding columns: none or one or two per row for the U-Net's 3x3 convs,
                            // so a plain loop (Arrays.fill's call and range checks cost more than the stores)
                            for (int ox = 0; ox < lo; ox++) {
                                cols[ro + ox] = 0f;
                            }
                            if (stride == 1) {
                                System.arraycopy(x, xr + lo, cols, ro + lo, hi - lo);
                            } else {
                                for (int ox = lo; ox < hi; ox++) {
                                    cols[ro + ox] = x[xr + ox * stride];
                                }
                            }
                            for (int ox = hi; ox < ow; ox++) {
                                cols[ro + ox] = 0f;
                            }
                        }
                    }
                }
            }
        });
    }

    /**
     * One (u, v) row of im2col in the {@link #flatShift} case: cols[base + q] = x[src + q] for the
     * output positions q = oy*ow + ox with oy in [rlo, rhi) and ox in [lo, hi), 0 elsewhere in
     * [0, p). The valid positions span one contiguous range of q whose source stays inside the
     * plane, so one copy moves them; the few wrapped entries it also copies (ox outside [lo, hi))
     * are then overwritten with 0.
     */
    private static void shiftedRow(float[] x, int src, float[] cols, int base, int ow, int p,
                                   int rlo, int rhi, int lo, int hi) {
        if (rlo >= rhi || lo >= hi) {
            java.util.Arrays.fill(cols, base, base + p, 0f);
            return;
        }
        int first = rlo * ow + lo;
        int end = (rhi - 1) * ow + hi;
        java.util.Arrays.fill(cols, base, base + first, 0f);
        System.arraycopy(x, src + first, cols, base + first, end - first);
        java.util.Arrays.fill(cols, base + end, base + p, 0f);
        zeroOutsideColumns(cols, base, ow, rlo, rhi, lo, hi);
    }

    /**
     * The adjoint of {@link #im2col}: gx[i0+j][c][iy][ix] = sum of the dcols entries that read
     * that input element, added in the order of the kernel offsets (u, v). Parallel over (image,
     * channel): each item writes one input plane. In the {@link #flatShift} case each (u, v) row is
     * added with one flat loop after its entries that fall outside the image are set to 0 in dcols
     * (a scratch buffer); adding +0 to a sum that started at +0 leaves its bits unchanged, so both
     * ways give the same bits.
     */
    static void col2im(Conv2dSpec s, float[] dcols, int i0, int imgs, float[] gx) {
        int oh = s.oh();
        int ow = s.ow();
        int h = s.h();
        int w = s.w();
        int kh = s.kh();
        int kw = s.kw();
        int stride = s.stride();
        int pad = s.pad();
        int p = oh * ow;
        int ld = imgs * p;
        int xImg = s.cin() * h * w;
        boolean flat = flatShift(s);
        Parallel.forRange(imgs * s.cin(), Math.max(1, 16384 / Math.max(1, kh * kw * p)), (is, ie) -> {
            for (int item = is; item < ie; item++) {
                int img = item / s.cin();
                int c = item % s.cin();
                int xc = (i0 + img) * xImg + c * h * w;
                java.util.Arrays.fill(gx, xc, xc + h * w, 0f);
                for (int u = 0; u < kh; u++) {
                    int rlo = Math.min(oh, Math.max(0, (pad - u + stride - 1) / stride));
                    int rhi = Math.max(rlo, Math.min(oh, (h + pad - u + stride - 1) / stride));
                    for (int v = 0; v < kw; v++) {
                        int base = ((c * kh + u) * kw + v) * ld + img * p;
                        int lo = Math.min(ow, Math.max(0, (pad - v + stride - 1) / stride));
                        int hi = Math.max(lo, Math.min(ow, (w + pad - v + stride - 1) / stride));
                        if (flat) {
                            addShiftedRow(dcols, base, gx, xc + (u - pad) * w + (v - pad), ow, rlo, rhi, lo, hi);
                            continue;
                        }
                        for (int oy = 0; oy < oh; oy++) {
                            int iy = oy * stride + u - pad;
                            if (iy < 0 || iy >= h) {
                                continue;
                            }
                            int ro = base + oy * ow;
                            int xr = xc + iy * w + v - pad;
                            if (stride == 1) {
                                for (int ox = lo; ox < hi; ox++) {
                                    gx[xr + ox] += dcols[ro + ox];
                                }
                            } else {
                                for (int ox = lo; ox < hi; ox++) {
                                    gx[xr + ox * stride] += dcols[ro + ox];
                                }
                            }
                        }
                    }
                }
            }
        });
    }

    /** The adjoint of {@link #shiftedRow}: gx[dst + q] += dcols[base + q] over the valid positions q. */
    private static void addShiftedRow(float[] dcols, int base, float[] gx, int dst, int ow,
                                      int rlo, int rhi, int lo, int hi) {
        if (rlo >= rhi || lo >= hi) {
            return;
        }
        zeroOutsideColumns(dcols, base, ow, rlo, rhi, lo, hi);
        int first = rlo * ow + lo;
        int end = (rhi - 1) * ow + hi;
        int from = base + first;
        int to = dst + first;
        for (int q = 0, len = end - first; q < len; q++) {
            gx[to + q] += dcols[from + q];
        }
    }

    /** Sets a[base + oy*ow + ox] = 0 for the rows oy in [rlo, rhi) and the columns ox outside [lo, hi). */
    private static void zeroOutsideColumns(float[] a, int base, int ow, int rlo, int rhi, int lo, int hi) {
        if (lo == 0 && hi == ow) {
            return;
        }
        for (int oy = rlo; oy < rhi; oy++) {
            int ro = base + oy * ow;
            for (int ox = 0; ox < lo; ox++) {
                a[ro + ox] = 0f;
            }
            for (int ox = hi; ox < ow; ox++) {
                a[ro + ox] = 0f;
            }
        }
    }

    /** The column and staging buffers of one thread, grown on demand. */
    private static final class Buffers {
        private float[] cols = new float[0];
        private float[] staging = new float[0];

        float[] cols(int size) {
            if (cols.length < size) {
                cols = new float[size];
            }
            return cols;
        }

        float[] staging(int size) {
            if (staging.length < size) {
                staging = new float[size];
            }
            return staging;
        }
    }
}

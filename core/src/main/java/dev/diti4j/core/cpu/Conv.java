package dev.diti4j.core.cpu;

import dev.diti4j.core.ops.Conv2dSpec;

/**
 * Convolution through GEMM (im2col). For image i, with K = cin*kh*kw and P = oh*ow:
 *
 * <pre>
 *   cols (K, P)      = im2col(x[i])
 *   y[i] (cout, P)   = W (cout, K) * cols              + bias
 *   dcols (K, P)     = W^T * dy[i];  dx[i] = col2im(dcols)
 *   dW (cout, K)    += dy[i] (cout, P) * cols^T
 * </pre>
 *
 * A 1x1 convolution with stride 1 and no padding needs no im2col: cols is x[i] itself.
 */
final class Conv {
    private Conv() {
    }

    private static boolean pointwise(Conv2dSpec s) {
        return s.kh() == 1 && s.kw() == 1 && s.stride() == 1 && s.pad() == 0;
    }

    static void forward(Conv2dSpec s, float[] x, float[] w, float[] bias, float[] y) {
        int kk = s.cin() * s.kh() * s.kw();
        int p = s.oh() * s.ow();
        int xImg = s.cin() * s.h() * s.w();
        int yImg = s.cout() * p;
        float[] cols = pointwise(s) ? null : new float[kk * p];
        for (int i = 0; i < s.n(); i++) {
            float[] src;
            int srcOff;
            if (cols == null) {
                src = x;
                srcOff = i * xImg;
            } else {
                im2col(s, x, i * xImg, cols);
                src = cols;
                srcOff = 0;
            }
            if (bias != null) {
                for (int co = 0; co < s.cout(); co++) {
                    java.util.Arrays.fill(y, i * yImg + co * p, i * yImg + (co + 1) * p, bias[co]);
                }
            }
            Gemm.sgemm(false, false, s.cout(), p, kk, w, 0, kk, src, srcOff, p, y, i * yImg, p, bias != null);
        }
    }

    static void backwardInput(Conv2dSpec s, float[] gy, float[] w, float[] gx) {
        int kk = s.cin() * s.kh() * s.kw();
        int p = s.oh() * s.ow();
        int xImg = s.cin() * s.h() * s.w();
        int yImg = s.cout() * p;
        if (pointwise(s)) {
            for (int i = 0; i < s.n(); i++) {
                Gemm.sgemm(true, false, kk, p, s.cout(), w, 0, kk, gy, i * yImg, p, gx, i * xImg, p, false);
            }
            return;
        }
        float[] dcols = new float[kk * p];
        for (int i = 0; i < s.n(); i++) {
            Gemm.sgemm(true, false, kk, p, s.cout(), w, 0, kk, gy, i * yImg, p, dcols, 0, p, false);
            col2im(s, dcols, gx, i * xImg);
        }
    }

    static void backwardFilter(Conv2dSpec s, float[] x, float[] gy, float[] gw, float[] gb) {
        int kk = s.cin() * s.kh() * s.kw();
        int p = s.oh() * s.ow();
        int xImg = s.cin() * s.h() * s.w();
        int yImg = s.cout() * p;
        float[] cols = pointwise(s) ? null : new float[kk * p];
        for (int i = 0; i < s.n(); i++) {
            float[] src;
            int srcOff;
            if (cols == null) {
                src = x;
                srcOff = i * xImg;
            } else {
                im2col(s, x, i * xImg, cols);
                src = cols;
                srcOff = 0;
            }
            Gemm.sgemm(false, true, s.cout(), kk, p, gy, i * yImg, p, src, srcOff, p, gw, 0, kk, i > 0);
        }
        if (s.n() == 0) {
            java.util.Arrays.fill(gw, 0, s.cout() * kk, 0f);
        }
        if (gb != null) {
            for (int co = 0; co < s.cout(); co++) {
                double acc = 0;
                for (int i = 0; i < s.n(); i++) {
                    int o = i * yImg + co * p;
                    for (int q = 0; q < p; q++) {
                        acc += gy[o + q];
                    }
                }
                gb[co] = (float) acc;
            }
        }
    }

    /** cols[(c*kh + u)*kw + v][oy*ow + ox] = x[c][oy*stride + u - pad][ox*stride + v - pad] (0 outside). */
    static void im2col(Conv2dSpec s, float[] x, int xOff, float[] cols) {
        int oh = s.oh();
        int ow = s.ow();
        int h = s.h();
        int w = s.w();
        int rows = s.cin() * s.kh() * s.kw();
        Parallel.forRange(rows, Math.max(1, 8192 / Math.max(1, oh * ow)), (rs, re) -> {
            for (int r = rs; r < re; r++) {
                int v = r % s.kw();
                int u = (r / s.kw()) % s.kh();
                int c = r / (s.kw() * s.kh());
                int base = r * oh * ow;
                int xc = xOff + c * h * w;
                for (int oy = 0; oy < oh; oy++) {
                    int iy = oy * s.stride() + u - s.pad();
                    int ro = base + oy * ow;
                    if (iy < 0 || iy >= h) {
                        java.util.Arrays.fill(cols, ro, ro + ow, 0f);
                        continue;
                    }
                    int xr = xc + iy * w;
                    for (int ox = 0; ox < ow; ox++) {
                        int ix = ox * s.stride() + v - s.pad();
                        cols[ro + ox] = ix >= 0 && ix < w ? x[xr + ix] : 0f;
                    }
                }
            }
        });
    }

    /** The adjoint of im2col: gx[c][iy][ix] = sum of the cols entries that read it. */
    static void col2im(Conv2dSpec s, float[] cols, float[] gx, int xOff) {
        int oh = s.oh();
        int ow = s.ow();
        int h = s.h();
        int w = s.w();
        // parallel over channels: each channel's kh*kw rows write only that channel
        Parallel.forRange(s.cin(), 1, (cs, ce) -> {
            for (int c = cs; c < ce; c++) {
                int xc = xOff + c * h * w;
                java.util.Arrays.fill(gx, xc, xc + h * w, 0f);
                for (int u = 0; u < s.kh(); u++) {
                    for (int v = 0; v < s.kw(); v++) {
                        int base = ((c * s.kh() + u) * s.kw() + v) * oh * ow;
                        for (int oy = 0; oy < oh; oy++) {
                            int iy = oy * s.stride() + u - s.pad();
                            if (iy < 0 || iy >= h) {
                                continue;
                            }
                            int ro = base + oy * ow;
                            int xr = xc + iy * w;
                            for (int ox = 0; ox < ow; ox++) {
                                int ix = ox * s.stride() + v - s.pad();
                                if (ix >= 0 && ix < w) {
                                    gx[xr + ix] += cols[ro + ox];
                                }
                            }
                        }
                    }
                }
            }
        });
    }
}

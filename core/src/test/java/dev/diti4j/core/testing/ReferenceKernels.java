package dev.diti4j.core.testing;

import dev.diti4j.core.ops.Conv2dSpec;
import dev.diti4j.core.ops.GroupNormSpec;
import dev.diti4j.core.ops.MatmulSpec;
import java.util.Arrays;

/**
 * The reference backend's linear algebra and vision kernels: each one the definition of the op
 * written as nested loops over doubles, with no reordering, blocking or reuse.
 */
final class ReferenceKernels {
    private ReferenceKernels() {
    }

    /** C[b] (m, n) = op(A[b]) (m, k) op(B[b]) (k, n), (+ C[b] when accumulating). */
    static void matmul(MatmulSpec s, double[] a, double[] b, double[] c, boolean accumulate) {
        int m = s.m();
        int n = s.n();
        int k = s.k();
        for (int bt = 0; bt < s.batch(); bt++) {
            int ao = Math.toIntExact(bt * s.strideA());
            int bo = Math.toIntExact(bt * s.strideB());
            int co = bt * m * n;
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    double acc = 0;
                    for (int p = 0; p < k; p++) {
                        double av = s.transA() ? a[ao + p * m + i] : a[ao + i * k + p]; // A (k, m) or (m, k)
                        double bv = s.transB() ? b[bo + j * k + p] : b[bo + p * n + j]; // B (n, k) or (k, n)
                        acc += av * bv;
                    }
                    c[co + i * n + j] = accumulate ? c[co + i * n + j] + acc : acc;
                }
            }
        }
    }

    private static int xAt(Conv2dSpec s, int n, int c, int y, int x) {
        return ((n * s.cin() + c) * s.h() + y) * s.w() + x;
    }

    private static int wAt(Conv2dSpec s, int o, int c, int u, int v) {
        return ((o * s.cin() + c) * s.kh() + u) * s.kw() + v;
    }

    private static int yAt(Conv2dSpec s, int n, int o, int y, int x) {
        return ((n * s.cout() + o) * s.oh() + y) * s.ow() + x;
    }

    /** y[n,o,oy,ox] = bias[o] + sum over c,u,v of x[n,c,oy*stride+u-pad,ox*stride+v-pad] w[o,c,u,v]. */
    static void conv2d(Conv2dSpec s, double[] x, double[] w, double[] bias, double[] y) {
        for (int n = 0; n < s.n(); n++) {
            for (int o = 0; o < s.cout(); o++) {
                for (int oy = 0; oy < s.oh(); oy++) {
                    for (int ox = 0; ox < s.ow(); ox++) {
                        double acc = bias == null ? 0.0 : bias[o];
                        for (int c = 0; c < s.cin(); c++) {
                            for (int u = 0; u < s.kh(); u++) {
                                for (int v = 0; v < s.kw(); v++) {
                                    int iy = oy * s.stride() + u - s.pad();
                                    int ix = ox * s.stride() + v - s.pad();
                                    if (iy >= 0 && iy < s.h() && ix >= 0 && ix < s.w()) {
                                        acc += x[xAt(s, n, c, iy, ix)] * w[wAt(s, o, c, u, v)];
                                    }
                                }
                            }
                        }
                        y[yAt(s, n, o, oy, ox)] = acc;
                    }
                }
            }
        }
    }

    /** gx[n,c,iy,ix] = sum of gy[n,o,oy,ox] w[o,c,u,v] over every (o,oy,ox,u,v) that read x[n,c,iy,ix]. */
    static void conv2dBackwardInput(Conv2dSpec s, double[] gy, double[] w, double[] gx) {
        Arrays.fill(gx, 0, s.n() * s.cin() * s.h() * s.w(), 0.0);
        for (int n = 0; n < s.n(); n++) {
            for (int o = 0; o < s.cout(); o++) {
                for (int oy = 0; oy < s.oh(); oy++) {
                    for (int ox = 0; ox < s.ow(); ox++) {
                        double g = gy[yAt(s, n, o, oy, ox)];
                        for (int c = 0; c < s.cin(); c++) {
                            for (int u = 0; u < s.kh(); u++) {
                                for (int v = 0; v < s.kw(); v++) {
                                    int iy = oy * s.stride() + u - s.pad();
                                    int ix = ox * s.stride() + v - s.pad();
                                    if (iy >= 0 && iy < s.h() && ix >= 0 && ix < s.w()) {
                                        gx[xAt(s, n, c, iy, ix)] += g * w[wAt(s, o, c, u, v)];
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /** gw[o,c,u,v] = sum over n,oy,ox of gy[n,o,oy,ox] x[n,c,...]; gb[o] = sum of gy[n,o,...]. */
    static void conv2dBackwardFilter(Conv2dSpec s, double[] x, double[] gy, double[] gw, double[] gb) {
        Arrays.fill(gw, 0, s.cout() * s.cin() * s.kh() * s.kw(), 0.0);
        if (gb != null) {
            Arrays.fill(gb, 0, s.cout(), 0.0);
        }
        for (int n = 0; n < s.n(); n++) {
            for (int o = 0; o < s.cout(); o++) {
                for (int oy = 0; oy < s.oh(); oy++) {
                    for (int ox = 0; ox < s.ow(); ox++) {
                        double g = gy[yAt(s, n, o, oy, ox)];
                        if (gb != null) {
                            gb[o] += g;
                        }
                        for (int c = 0; c < s.cin(); c++) {
                            for (int u = 0; u < s.kh(); u++) {
                                for (int v = 0; v < s.kw(); v++) {
                                    int iy = oy * s.stride() + u - s.pad();
                                    int ix = ox * s.stride() + v - s.pad();
                                    if (iy >= 0 && iy < s.h() && ix >= 0 && ix < s.w()) {
                                        gw[wAt(s, o, c, u, v)] += g * x[xAt(s, n, c, iy, ix)];
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /** out[p,i,j] = mean of x[p, 2i..2i+1, 2j..2j+1]. */
    static void avgPool2x2(double[] x, int planes, int h, int w, double[] out) {
        int oh = h / 2;
        int ow = w / 2;
        for (int p = 0; p < planes; p++) {
            for (int i = 0; i < oh; i++) {
                for (int j = 0; j < ow; j++) {
                    double s = 0;
                    for (int u = 0; u < 2; u++) {
                        for (int v = 0; v < 2; v++) {
                            s += x[(p * h + 2 * i + u) * w + 2 * j + v];
                        }
                    }
                    out[(p * oh + i) * ow + j] = s / 4;
                }
            }
        }
    }

    /** out[p,i,j] = x[p, i/2, j/2]. */
    static void upsampleNearest2x(double[] x, int planes, int h, int w, double[] out) {
        int oh = 2 * h;
        int ow = 2 * w;
        for (int p = 0; p < planes; p++) {
            for (int i = 0; i < oh; i++) {
                for (int j = 0; j < ow; j++) {
                    out[(p * oh + i) * ow + j] = x[(p * h + i / 2) * w + j / 2];
                }
            }
        }
    }

    /** Offset of element e (in [0, groupSize)) of the slab (sample n, group g): channels are contiguous. */
    private static int slabAt(GroupNormSpec s, int n, int g, int e) {
        return (n * s.c() + g * s.channelsPerGroup()) * s.spatial() + e;
    }

    /**
     * Per (sample, group) slab S of G elements: mean = sum(x)/G, var = sum((x-mean)^2)/G,
     * rstd = 1/sqrt(var+eps), y = (x-mean) rstd gamma[c] + beta[c].
     */
    static void groupNorm(GroupNormSpec s, double[] x, double[] gamma, double[] beta, double[] y, double[] mean,
                          double[] rstd) {
        int gs = s.groupSize();
        for (int n = 0; n < s.n(); n++) {
            for (int g = 0; g < s.groups(); g++) {
                double sum = 0;
                for (int e = 0; e < gs; e++) {
                    sum += x[slabAt(s, n, g, e)];
                }
                double mu = sum / gs;
                double sq = 0;
                for (int e = 0; e < gs; e++) {
                    double dv = x[slabAt(s, n, g, e)] - mu;
                    sq += dv * dv;
                }
                double r = 1.0 / Math.sqrt(sq / gs + s.eps());
                mean[n * s.groups() + g] = mu;
                rstd[n * s.groups() + g] = r;
                for (int e = 0; e < gs; e++) {
                    int i = slabAt(s, n, g, e);
                    int ch = g * s.channelsPerGroup() + e / s.spatial();
                    double xhat = (x[i] - mu) * r;
                    y[i] = gamma == null ? xhat : xhat * gamma[ch] + beta[ch];
                }
            }
        }
    }

    /**
     * The chain rule through the definition above. With xhat_j = (x_j - mean) rstd, the Jacobian
     * inside a slab is d xhat_j / d x_i = rstd (delta_ij - 1/G - xhat_i xhat_j / G) (mean and
     * rstd both depend on every x_i), so with dxhat_j = gy_j gamma_j:
     * gx_i = sum_j dxhat_j d xhat_j / d x_i
     *      = rstd (dxhat_i - sum_j dxhat_j / G - xhat_i sum_j dxhat_j xhat_j / G).
     * The affine parameters collect gy xhat and gy over every sample and position of their channel.
     */
    static void groupNormBackward(GroupNormSpec s, double[] x, double[] gamma, double[] mean, double[] rstd,
                                  double[] gy, double[] gx, double[] ggamma, double[] gbeta) {
        int gs = s.groupSize();
        if (ggamma != null) {
            Arrays.fill(ggamma, 0, s.c(), 0.0);
            Arrays.fill(gbeta, 0, s.c(), 0.0);
        }
        for (int n = 0; n < s.n(); n++) {
            for (int g = 0; g < s.groups(); g++) {
                double mu = mean[n * s.groups() + g];
                double r = rstd[n * s.groups() + g];
                double sumD = 0;
                double sumDX = 0;
                for (int e = 0; e < gs; e++) {
                    int i = slabAt(s, n, g, e);
                    int ch = g * s.channelsPerGroup() + e / s.spatial();
                    double xhat = (x[i] - mu) * r;
                    double dxhat = gy[i] * (gamma == null ? 1.0 : gamma[ch]);
                    sumD += dxhat;
                    sumDX += dxhat * xhat;
                    if (ggamma != null) {
                        ggamma[ch] += gy[i] * xhat;
                        gbeta[ch] += gy[i];
                    }
                }
                for (int e = 0; e < gs; e++) {
                    int i = slabAt(s, n, g, e);
                    int ch = g * s.channelsPerGroup() + e / s.spatial();
                    double xhat = (x[i] - mu) * r;
                    double dxhat = gy[i] * (gamma == null ? 1.0 : gamma[ch]);
                    gx[i] = r * (dxhat - sumD / gs - xhat * sumDX / gs);
                }
            }
        }
    }
}

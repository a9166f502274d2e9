package dev.diti4j.core.cpu;

import dev.diti4j.core.ops.GroupNormSpec;

/**
 * Fused group normalisation. Forward, per (sample, group) slab of G = (c/groups)*spatial values:
 * mean and biased variance in double, rstd = 1/sqrt(var + eps), then
 * y = (x - mean) * rstd * gamma[c] + beta[c] in one pass. The backward derivation is in
 * docs/internals/groupnorm.md:
 *
 * <pre>
 *   xhat = (x - mean) * rstd,  dxhat = dy * gamma[c]
 *   dx   = rstd * (dxhat - mean(dxhat) - xhat * mean(dxhat * xhat))     (means over the slab)
 *   dgamma[c] = sum over n, spatial of dy * xhat;  dbeta[c] = sum of dy
 * </pre>
 */
final class GroupNormKernel {
    private GroupNormKernel() {
    }

    static void forward(GroupNormSpec s, float[] x, float[] gamma, float[] beta, float[] y, float[] mean, float[] rstd) {
        int cpg = s.channelsPerGroup();
        int sp = s.spatial();
        int gsize = s.groupSize();
        int slabs = s.n() * s.groups();
        Parallel.forRange(slabs, Math.max(1, CpuElementwise.GRAIN / Math.max(1, gsize)), (a, b) -> {
            for (int slab = a; slab < b; slab++) {
                int off = slab * gsize;
                double sum = 0;
                for (int i = 0; i < gsize; i++) {
                    sum += x[off + i];
                }
                double mu = gsize == 0 ? 0 : sum / gsize;
                double sq = 0;
                for (int i = 0; i < gsize; i++) {
                    double d = x[off + i] - mu;
                    sq += d * d;
                }
                double var = gsize == 0 ? 0 : sq / gsize;
                float r = (float) (1.0 / Math.sqrt(var + s.eps()));
                float m = (float) mu;
                mean[slab] = m;
                rstd[slab] = r;
                int g = slab % s.groups();
                for (int cc = 0; cc < cpg; cc++) {
                    int ch = g * cpg + cc;
                    float scale = gamma == null ? r : r * gamma[ch];
                    float shift = (beta == null ? 0f : beta[ch]) - m * scale;
                    int o = off + cc * sp;
                    for (int i = 0; i < sp; i++) {
                        y[o + i] = x[o + i] * scale + shift;
                    }
                }
            }
        });
    }

    static void backward(GroupNormSpec s, float[] x, float[] gamma, float[] mean, float[] rstd, float[] gy, float[] gx,
                         float[] ggamma, float[] gbeta) {
        int cpg = s.channelsPerGroup();
        int sp = s.spatial();
        int gsize = s.groupSize();
        int slabs = s.n() * s.groups();
        Parallel.forRange(slabs, Math.max(1, CpuElementwise.GRAIN / Math.max(1, gsize)), (a, b) -> {
            for (int slab = a; slab < b; slab++) {
                int off = slab * gsize;
                int g = slab % s.groups();
                float m = mean[slab];
                float r = rstd[slab];
                double sumD = 0;   // sum of dxhat
                double sumDX = 0;  // sum of dxhat * xhat
                for (int cc = 0; cc < cpg; cc++) {
                    float gm = gamma == null ? 1f : gamma[g * cpg + cc];
                    int o = off + cc * sp;
                    float pd = 0f;
                    float pdx = 0f;
                    for (int i = 0; i < sp; i++) {
                        float d = gy[o + i] * gm;
                        pd += d;
                        pdx += d * (x[o + i] - m) * r;
                    }
                    sumD += pd;
                    sumDX += pdx;
                }
                float meanD = gsize == 0 ? 0f : (float) (sumD / gsize);
                float meanDX = gsize == 0 ? 0f : (float) (sumDX / gsize);
                for (int cc = 0; cc < cpg; cc++) {
                    float gm = gamma == null ? 1f : gamma[g * cpg + cc];
                    int o = off + cc * sp;
                    for (int i = 0; i < sp; i++) {
                        float xhat = (x[o + i] - m) * r;
                        gx[o + i] = r * (gy[o + i] * gm - meanD - xhat * meanDX);
                    }
                }
            }
        });
        if (ggamma != null) {
            Parallel.forRange(s.c(), 1, (a, b) -> {
                for (int ch = a; ch < b; ch++) {
                    int g = ch / cpg;
                    double dg = 0;
                    double db = 0;
                    for (int n = 0; n < s.n(); n++) {
                        int slab = n * s.groups() + g;
                        float m = mean[slab];
                        float r = rstd[slab];
                        int o = (n * s.c() + ch) * sp;
                        float pg = 0f;
                        float pb = 0f;
                        for (int i = 0; i < sp; i++) {
                            pg += gy[o + i] * (x[o + i] - m) * r;
                            pb += gy[o + i];
                        }
                        dg += pg;
                        db += pb;
                    }
                    ggamma[ch] = (float) dg;
                    gbeta[ch] = (float) db;
                }
            });
        }
    }
}

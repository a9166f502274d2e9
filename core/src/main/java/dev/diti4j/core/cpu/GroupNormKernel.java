package dev.diti4j.core.cpu;

import dev.diti4j.core.ops.GroupNormSpec;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Fused group normalisation. Forward, per (sample, group) slab of G = (c/groups)*spatial values:
 * mean and biased variance in double, rstd = 1/sqrt(var + eps), then
 * y = (x - mean) * rstd * gamma[c] + beta[c] in one pass. Sums run in float SIMD lanes within a
 * channel, whose lanes are added in the fixed order of {@link Lanes#sum} (so every JIT tier gives
 * the same bits), and in double across channels, in channel order. The backward derivation is in
 * docs/internals/groupnorm.md:
 *
 * <pre>
 *   xhat = (x - mean) * rstd,  dxhat = dy * gamma[c]
 *   dx   = rstd * (dxhat - mean(dxhat) - xhat * mean(dxhat * xhat))     (means over the slab)
 *   dgamma[c] = sum over n, spatial of dy * xhat;  dbeta[c] = sum of dy
 * </pre>
 */
final class GroupNormKernel {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

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
                // per-channel float sums (SIMD lanes), accumulated across channels in double
                double sum = 0;
                for (int cc = 0; cc < cpg; cc++) {
                    sum += sum(x, off + cc * sp, sp);
                }
                double mu = gsize == 0 ? 0 : sum / gsize;
                double sq = 0;
                for (int cc = 0; cc < cpg; cc++) {
                    sq += sumSquaredDeviation(x, off + cc * sp, sp, (float) mu);
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
                    affine(x, y, off + cc * sp, sp, scale, shift);
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
                    // dxhat = gy * gm: sum(dxhat) = gm * sum(gy), sum(dxhat * xhat) = gm * r * sum(gy * (x - m))
                    sumD += gm * (double) sum(gy, o, sp);
                    sumDX += gm * (double) r * dotCentered(gy, x, o, sp, m);
                }
                float meanD = gsize == 0 ? 0f : (float) (sumD / gsize);
                float meanDX = gsize == 0 ? 0f : (float) (sumDX / gsize);
                for (int cc = 0; cc < cpg; cc++) {
                    float gm = gamma == null ? 1f : gamma[g * cpg + cc];
                    inputGradient(x, gy, gx, off + cc * sp, sp, m, r, gm, meanD, meanDX);
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
                        int o = (n * s.c() + ch) * sp;
                        dg += rstd[slab] * (double) dotCentered(gy, x, o, sp, mean[slab]);
                        db += sum(gy, o, sp);
                    }
                    ggamma[ch] = (float) dg;
                    gbeta[ch] = (float) db;
                }
            });
        }
    }

    /** sum of v[o, o+len). */
    private static float sum(float[] v, int o, int len) {
        FloatVector acc = FloatVector.zero(S);
        int i = 0;
        for (int end = S.loopBound(len); i < end; i += S.length()) {
            acc = acc.add(FloatVector.fromArray(S, v, o + i));
        }
        float r = Lanes.sum(acc);
        for (; i < len; i++) {
            r += v[o + i];
        }
        return r;
    }

    /** sum of (v - m)^2 over [o, o+len). */
    private static float sumSquaredDeviation(float[] v, int o, int len, float m) {
        FloatVector mv = FloatVector.broadcast(S, m);
        FloatVector acc = FloatVector.zero(S);
        int i = 0;
        for (int end = S.loopBound(len); i < end; i += S.length()) {
            FloatVector d = FloatVector.fromArray(S, v, o + i).sub(mv);
            acc = d.fma(d, acc);
        }
        float r = Lanes.sum(acc);
        for (; i < len; i++) {
            float d = v[o + i] - m;
            r += d * d;
        }
        return r;
    }

    /** sum of g * (x - m) over [o, o+len). */
    private static float dotCentered(float[] g, float[] x, int o, int len, float m) {
        FloatVector mv = FloatVector.broadcast(S, m);
        FloatVector acc = FloatVector.zero(S);
        int i = 0;
        for (int end = S.loopBound(len); i < end; i += S.length()) {
            acc = FloatVector.fromArray(S, x, o + i).sub(mv).fma(FloatVector.fromArray(S, g, o + i), acc);
        }
        float r = Lanes.sum(acc);
        for (; i < len; i++) {
            r += g[o + i] * (x[o + i] - m);
        }
        return r;
    }

    /** y = x * scale + shift over [o, o+len). */
    private static void affine(float[] x, float[] y, int o, int len, float scale, float shift) {
        FloatVector sv = FloatVector.broadcast(S, scale);
        FloatVector hv = FloatVector.broadcast(S, shift);
        int i = 0;
        for (int end = S.loopBound(len); i < end; i += S.length()) {
            FloatVector.fromArray(S, x, o + i).fma(sv, hv).intoArray(y, o + i);
        }
        for (; i < len; i++) {
            y[o + i] = x[o + i] * scale + shift;
        }
    }

    /** gx = r * (gy * gm - meanD - xhat * meanDX) with xhat = (x - m) * r, over [o, o+len). */
    private static void inputGradient(float[] x, float[] gy, float[] gx, int o, int len, float m, float r, float gm,
                                      float meanD, float meanDX) {
        // gx = a * gy + b * (x - m) + c, with a = r*gm, b = -r*r*meanDX, c = -r*meanD
        float ca = r * gm;
        float cb = -r * r * meanDX;
        float cc = -r * meanD;
        FloatVector av = FloatVector.broadcast(S, ca);
        FloatVector bv = FloatVector.broadcast(S, cb);
        FloatVector cv = FloatVector.broadcast(S, cc);
        FloatVector mv = FloatVector.broadcast(S, m);
        int i = 0;
        for (int end = S.loopBound(len); i < end; i += S.length()) {
            FloatVector centered = FloatVector.fromArray(S, x, o + i).sub(mv);
            FloatVector.fromArray(S, gy, o + i).fma(av, centered.fma(bv, cv)).intoArray(gx, o + i);
        }
        for (; i < len; i++) {
            gx[o + i] = ca * gy[o + i] + cb * (x[o + i] - m) + cc;
        }
    }
}

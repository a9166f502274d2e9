package dev.diti4j.nn.layers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.diti4j.core.Device;
import dev.diti4j.core.Tensor;
import dev.diti4j.core.random.Philox;
import dev.diti4j.nn.GradCheck;
import org.junit.jupiter.api.Test;

/** The attention block against a plain double-precision implementation of METHOD.md 1.3. */
class AttentionBlockTest {
    @Test
    void matchesAHandWrittenLegacyLayout() {
        int b = 2, c = 6, heads = 2, groups = 3, hh = 2, ww = 3, t = hh * ww, ch = c / heads;
        Philox rng = new Philox(11);
        AttentionBlock attn = new AttentionBlock(c, heads, groups, Device.CPU, rng);
        GradCheck.randomize(attn, rng); // proj_out is zero at init; make every term count
        Tensor xt = Tensor.randn(rng, Device.CPU, b, c, hh, ww);
        float[] x = xt.toArray();
        float[] gamma = attn.namedParameters().get("norm.weight").tensor().toArray();
        float[] beta = attn.namedParameters().get("norm.bias").tensor().toArray();
        float[] wq = attn.namedParameters().get("qkv.weight").tensor().toArray(); // (3c, c, 1, 1)
        float[] bq = attn.namedParameters().get("qkv.bias").tensor().toArray();
        float[] wp = attn.namedParameters().get("proj_out.weight").tensor().toArray(); // (c, c, 1, 1)
        float[] bp = attn.namedParameters().get("proj_out.bias").tensor().toArray();

        double[] expected = new double[x.length];
        for (int n = 0; n < b; n++) {
            // GroupNorm over (c/groups channels x t positions), eps 1e-5
            double[][] hn = new double[c][t];
            int cg = c / groups;
            for (int g = 0; g < groups; g++) {
                double mean = 0, var = 0;
                for (int k = g * cg; k < (g + 1) * cg; k++) {
                    for (int p = 0; p < t; p++) {
                        mean += x[(n * c + k) * t + p];
                    }
                }
                mean /= cg * t;
                for (int k = g * cg; k < (g + 1) * cg; k++) {
                    for (int p = 0; p < t; p++) {
                        double d = x[(n * c + k) * t + p] - mean;
                        var += d * d;
                    }
                }
                var /= cg * t;
                for (int k = g * cg; k < (g + 1) * cg; k++) {
                    for (int p = 0; p < t; p++) {
                        hn[k][p] = (x[(n * c + k) * t + p] - mean) / Math.sqrt(var + 1e-5) * gamma[k] + beta[k];
                    }
                }
            }
            double[][] qkv = new double[3 * c][t];
            for (int o = 0; o < 3 * c; o++) {
                for (int p = 0; p < t; p++) {
                    double s = bq[o];
                    for (int k = 0; k < c; k++) {
                        s += wq[o * c + k] * hn[k][p];
                    }
                    qkv[o][p] = s;
                }
            }
            double[][] a = new double[c][t];
            double scale = Math.pow(ch, -0.25);
            for (int h = 0; h < heads; h++) {
                int base = h * 3 * ch; // legacy: head h owns channels [3 ch h, 3 ch (h+1)) = q, k, v
                for (int q = 0; q < t; q++) {
                    double[] w = new double[t];
                    double max = Double.NEGATIVE_INFINITY;
                    for (int s = 0; s < t; s++) {
                        double dot = 0;
                        for (int k = 0; k < ch; k++) {
                            dot += qkv[base + k][q] * scale * qkv[base + ch + k][s] * scale;
                        }
                        w[s] = dot;
                        max = Math.max(max, dot);
                    }
                    double z = 0;
                    for (int s = 0; s < t; s++) {
                        w[s] = Math.exp(w[s] - max);
                        z += w[s];
                    }
                    for (int k = 0; k < ch; k++) {
                        double v = 0;
                        for (int s = 0; s < t; s++) {
                            v += w[s] / z * qkv[base + 2 * ch + k][s];
                        }
                        a[h * ch + k][q] = v;
                    }
                }
            }
            for (int o = 0; o < c; o++) {
                for (int p = 0; p < t; p++) {
                    double s = bp[o];
                    for (int k = 0; k < c; k++) {
                        s += wp[o * c + k] * a[k][p];
                    }
                    expected[(n * c + o) * t + p] = x[(n * c + o) * t + p] + s;
                }
            }
        }
        float[] got = attn.forward(xt).toArray();
        for (int i = 0; i < got.length; i++) {
            assertEquals(expected[i], got[i], 1e-4, "attention output element " + i);
        }
    }

    @Test
    void isEquivariantToPermutingPositions() {
        Philox rng = new Philox(12);
        AttentionBlock attn = new AttentionBlock(8, 2, 4, Device.CPU, rng);
        GradCheck.randomize(attn, rng);
        Tensor x = Tensor.randn(rng, Device.CPU, 2, 8, 3, 4);
        // swapping H and W permutes the positions; every part of the block commutes with that
        float[] a = attn.forward(x).transpose(2, 3).toArray();
        float[] b = attn.forward(x.transpose(2, 3)).toArray();
        assertArrayEquals(a, b, 1e-5f);
    }

    @Test
    void isTheIdentityAtInit() {
        Philox rng = new Philox(13);
        AttentionBlock attn = new AttentionBlock(8, 1, 4, Device.CPU, rng);
        Tensor x = Tensor.randn(rng, Device.CPU, 1, 8, 2, 2);
        assertArrayEquals(x.toArray(), attn.forward(x).toArray(), 0f, "proj_out is zero-initialised");
    }

    @Test
    void rejectsChannelsNotDivisibleByHeads() {
        var e = assertThrows(IllegalArgumentException.class, () -> new AttentionBlock(6, 4, 2, Device.CPU, new Philox(1)));
        assertEquals("AttentionBlock: 6 channels are not divisible into 4 heads", e.getMessage());
    }
}

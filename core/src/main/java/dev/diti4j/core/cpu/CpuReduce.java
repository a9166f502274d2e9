package dev.diti4j.core.cpu;

import static dev.diti4j.core.cpu.VectorMath.L;
import static dev.diti4j.core.cpu.VectorMath.S;

import dev.diti4j.core.Shape;
import dev.diti4j.core.ops.FloatMath;
import dev.diti4j.core.ops.ReduceOp;
import jdk.incubator.vector.FloatVector;

/**
 * Reductions over axes and row-wise softmax. Sums accumulate in double. Softmax's exponentials are
 * {@link VectorMath#exp} over whole vectors and {@link FloatMath#exp} on a row's tail, which give
 * the same bits; the row sum then adds them in index order.
 */
final class CpuReduce {
    private CpuReduce() {
    }

    /**
     * The input is viewed as alternating runs of kept and reduced axes (adjacent axes of the same
     * kind merge). The result is computed per output element in parallel: for each, the reduced
     * positions are visited with an odometer over the reduced axes.
     */
    static void reduce(ReduceOp op, float[] x, Shape xs, boolean[] flags, float[] out) {
        int r = xs.rank();
        // merge adjacent axes of the same kind
        int[] d = new int[Math.max(1, r)];
        boolean[] red = new boolean[Math.max(1, r)];
        int k = 0;
        for (int i = 0; i < r; i++) {
            int di = xs.dim(i);
            if (di == 1) {
                continue;
            }
            if (k > 0 && red[k - 1] == flags[i]) {
                d[k - 1] *= di;
            } else {
                d[k] = di;
                red[k] = flags[i];
                k++;
            }
        }
        long total = xs.numel();
        int outN = 1;
        long count = 1;
        for (int i = 0; i < k; i++) {
            if (red[i]) {
                count *= d[i];
            } else {
                outN *= d[i];
            }
        }
        if (total == 0) {
            // reducing an empty tensor: sum 0, mean NaN (0/0); max is rejected earlier
            float v = op == ReduceOp.SUM ? 0f : Float.NaN;
            java.util.Arrays.fill(out, 0, outN, v);
            return;
        }
        long[] stride = new long[k];
        long acc = 1;
        for (int i = k - 1; i >= 0; i--) {
            stride[i] = acc;
            acc *= d[i];
        }
        // kept axes and reduced axes, in order
        int nk = 0;
        int nr = 0;
        for (int i = 0; i < k; i++) {
            if (red[i]) {
                nr++;
            } else {
                nk++;
            }
        }
        int[] kd = new int[nk];
        long[] ks = new long[nk];
        int[] rd = new int[nr];
        long[] rs = new long[nr];
        for (int i = 0, a = 0, b = 0; i < k; i++) {
            if (red[i]) {
                rd[b] = d[i];
                rs[b++] = stride[i];
            } else {
                kd[a] = d[i];
                ks[a++] = stride[i];
            }
        }
        final long cnt = count;
        final int nkF = nk;
        final int nrF = nr;
        final boolean innerContiguous = nr > 0 && rs[nr - 1] == 1;
        Parallel.forRange(outN, Math.max(1, (int) (CpuElementwise.GRAIN / Math.max(1, cnt))), (s, e) -> {
            int[] idx = new int[nrF];
            for (int o = s; o < e; o++) {
                long base = 0;
                int rem = o;
                for (int i = nkF - 1; i >= 0; i--) {
                    base += (rem % kd[i]) * ks[i];
                    rem /= kd[i];
                }
                out[o] = reduceOne(op, x, base, rd, rs, nrF, idx, cnt, innerContiguous);
            }
        });
    }

    private static float reduceOne(ReduceOp op, float[] x, long base, int[] rd, long[] rs, int nr, int[] idx, long cnt,
                                   boolean innerContiguous) {
        if (nr == 0) {
            return x[(int) base];
        }
        java.util.Arrays.fill(idx, 0);
        boolean isMax = op == ReduceOp.MAX;
        double sum = 0;
        float max = Float.NEGATIVE_INFINITY;
        int innerLen = rd[nr - 1];
        long innerStride = rs[nr - 1];
        long rows = cnt / innerLen;
        for (long row = 0; row < rows; row++) {
            long off = base;
            for (int i = 0; i < nr - 1; i++) {
                off += idx[i] * rs[i];
            }
            int p = (int) off;
            if (isMax) {
                if (innerContiguous) {
                    for (int j = 0; j < innerLen; j++) {
                        float v = x[p + j];
                        max = v > max || Float.isNaN(v) ? v : max;
                    }
                } else {
                    for (int j = 0; j < innerLen; j++) {
                        float v = x[p + (int) (j * innerStride)];
                        max = v > max || Float.isNaN(v) ? v : max;
                    }
                }
            } else {
                float part = 0f;
                double dpart = 0;
                if (innerContiguous) {
                    // float partial sums in blocks of 64, folded into double: fast and accurate
                    int j = 0;
                    for (; j + 64 <= innerLen; j += 64) {
                        float blk = 0f;
                        for (int q = 0; q < 64; q++) {
                            blk += x[p + j + q];
                        }
                        dpart += blk;
                    }
                    for (; j < innerLen; j++) {
                        part += x[p + j];
                    }
                } else {
                    for (int j = 0; j < innerLen; j++) {
                        dpart += x[p + (int) (j * innerStride)];
                    }
                }
                sum += dpart + part;
            }
            // odometer over the outer reduced axes
            for (int i = nr - 2; i >= 0; i--) {
                if (++idx[i] < rd[i]) {
                    break;
                }
                idx[i] = 0;
            }
        }
        return switch (op) {
            case SUM -> (float) sum;
            case MEAN -> (float) (sum / cnt);
            case MAX -> max;
        };
    }

    static void softmax(float[] x, int rows, int cols, boolean log, float[] y) {
        Parallel.forRange(rows, Math.max(1, CpuElementwise.GRAIN / Math.max(1, cols)), (s, e) -> {
            // log-softmax keeps the exponentials aside: y may be x itself
            float[] ev = log ? new float[cols] : y;
            for (int r = s; r < e; r++) {
                int o = r * cols;
                float m = Float.NEGATIVE_INFINITY;
                for (int j = 0; j < cols; j++) {
                    m = Math.max(m, x[o + j]);
                }
                int eo = log ? 0 : o;
                expShifted(x, o, m, ev, eo, cols);
                double z = 0;
                for (int j = 0; j < cols; j++) {
                    z += ev[eo + j];
                }
                if (log) {
                    float lz = (float) StrictMath.log(z) + m;
                    for (int j = 0; j < cols; j++) {
                        y[o + j] = x[o + j] - lz;
                    }
                } else {
                    float inv = (float) (1.0 / z);
                    for (int j = 0; j < cols; j++) {
                        y[o + j] *= inv;
                    }
                }
            }
        });
    }

    /** out[oo + j] = exp(x[xo + j] - m) for j in [0, len). */
    private static void expShifted(float[] x, int xo, float m, float[] out, int oo, int len) {
        int j = 0;
        for (int end = S.loopBound(len); j < end; j += L) {
            VectorMath.exp(FloatVector.fromArray(S, x, xo + j).sub(m)).intoArray(out, oo + j);
        }
        for (; j < len; j++) {
            out[oo + j] = FloatMath.exp(x[xo + j] - m);
        }
    }

    static void softmaxBackward(float[] y, float[] gy, int rows, int cols, boolean log, float[] gx) {
        Parallel.forRange(rows, Math.max(1, CpuElementwise.GRAIN / Math.max(1, cols)), (s, e) -> {
            for (int r = s; r < e; r++) {
                int o = r * cols;
                double dot = 0;
                if (log) {
                    for (int j = 0; j < cols; j++) {
                        dot += gy[o + j];
                    }
                    float sg = (float) dot;
                    int j = 0;
                    for (int end = S.loopBound(cols); j < end; j += L) {
                        FloatVector.fromArray(S, gy, o + j)
                                .sub(VectorMath.exp(FloatVector.fromArray(S, y, o + j)).mul(sg))
                                .intoArray(gx, o + j);
                    }
                    for (; j < cols; j++) {
                        gx[o + j] = gy[o + j] - FloatMath.exp(y[o + j]) * sg;
                    }
                } else {
                    for (int j = 0; j < cols; j++) {
                        dot += (double) gy[o + j] * y[o + j];
                    }
                    float d = (float) dot;
                    for (int j = 0; j < cols; j++) {
                        gx[o + j] = y[o + j] * (gy[o + j] - d);
                    }
                }
            }
        });
    }
}

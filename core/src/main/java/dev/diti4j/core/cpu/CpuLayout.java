package dev.diti4j.core.cpu;

import dev.diti4j.core.Shape;

/** Data movement: permute, block copies along an axis, row gather and scatter-add, pooling. */
final class CpuLayout {
    private CpuLayout() {
    }

    static void permute(float[] x, Shape xs, int[] perm, float[] out) {
        int r = xs.rank();
        long[] inStride = xs.strides();
        int[] od = new int[r];
        long[] st = new long[r];
        for (int i = 0; i < r; i++) {
            od[i] = xs.dim(perm[i]);
            st[i] = inStride[perm[i]];
        }
        int n = xs.size();
        int inner = od[r - 1];
        long innerStride = st[r - 1];
        int outer = inner == 0 ? 0 : n / inner;
        Parallel.forRange(outer, Math.max(1, CpuElementwise.GRAIN / Math.max(1, inner)), (s, e) -> {
            for (int o = s; o < e; o++) {
                long base = 0;
                int rem = o;
                for (int i = r - 2; i >= 0; i--) {
                    base += (rem % od[i]) * st[i];
                    rem /= od[i];
                }
                int oo = o * inner;
                int b = (int) base;
                int is = (int) innerStride;
                for (int j = 0; j < inner; j++) {
                    out[oo + j] = x[b + j * is];
                }
            }
        });
    }

    static void copyAlongAxis(float[] src, Shape ss, int srcStart, float[] dst, Shape ds, int dstStart, int axis,
                              int length) {
        long outer = ss.product(0, axis);
        long inner = ss.product(axis + 1, ss.rank());
        long srcRow = ss.dim(axis) * inner;
        long dstRow = ds.dim(axis) * inner;
        int block = (int) (length * inner);
        for (long o = 0; o < outer; o++) {
            System.arraycopy(src, (int) (o * srcRow + srcStart * inner), dst, (int) (o * dstRow + dstStart * inner), block);
        }
    }

    static void gatherRows(float[] x, int rowLen, int[] idx, float[] out) {
        for (int i = 0; i < idx.length; i++) {
            System.arraycopy(x, idx[i] * rowLen, out, i * rowLen, rowLen);
        }
    }

    static void scatterAddRows(float[] g, int[] idx, int rowLen, float[] out, int rows) {
        java.util.Arrays.fill(out, 0, rows * rowLen, 0f);
        for (int i = 0; i < idx.length; i++) {
            int o = idx[i] * rowLen;
            int gi = i * rowLen;
            for (int j = 0; j < rowLen; j++) {
                out[o + j] += g[gi + j];
            }
        }
    }

    static void avgPool2x2(float[] x, int planes, int h, int w, float[] out) {
        int oh = h / 2;
        int ow = w / 2;
        Parallel.forRange(planes, Math.max(1, CpuElementwise.GRAIN / Math.max(1, h * w)), (s, e) -> {
            for (int p = s; p < e; p++) {
                int xi = p * h * w;
                int oi = p * oh * ow;
                for (int i = 0; i < oh; i++) {
                    int r0 = xi + 2 * i * w;
                    int r1 = r0 + w;
                    for (int j = 0; j < ow; j++) {
                        out[oi + i * ow + j] = 0.25f * (x[r0 + 2 * j] + x[r0 + 2 * j + 1] + x[r1 + 2 * j] + x[r1 + 2 * j + 1]);
                    }
                }
            }
        });
    }

    static void upsampleNearest2x(float[] x, int planes, int h, int w, float[] out) {
        int oh = 2 * h;
        int ow = 2 * w;
        Parallel.forRange(planes, Math.max(1, CpuElementwise.GRAIN / Math.max(1, 4 * h * w)), (s, e) -> {
            for (int p = s; p < e; p++) {
                int xi = p * h * w;
                int oi = p * oh * ow;
                for (int i = 0; i < h; i++) {
                    int row = oi + 2 * i * ow;
                    for (int j = 0; j < w; j++) {
                        float v = x[xi + i * w + j];
                        out[row + 2 * j] = v;
                        out[row + 2 * j + 1] = v;
                    }
                    System.arraycopy(out, row, out, row + ow, ow);
                }
            }
        });
    }
}

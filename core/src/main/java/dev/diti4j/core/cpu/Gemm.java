package dev.diti4j.core.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Single-precision matrix product {@code C = op(A) op(B) (+ C)} on row-major arrays with
 * leading dimensions and offsets.
 */
public final class Gemm {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

    private Gemm() {
    }

    /**
     * C (m, n) = op(A) (m, k) * op(B) (k, n), or C += ... when {@code accumulate}.
     *
     * @param a   A stored (m, k) with row length lda, or (k, m) when {@code ta}
     * @param b   B stored (k, n) with row length ldb, or (n, k) when {@code tb}
     * @param c   C stored (m, n) with row length ldc
     */
    public static void sgemm(boolean ta, boolean tb, int m, int n, int k,
                             float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                             float[] c, int cOff, int ldc, boolean accumulate) {
        if (m == 0 || n == 0) {
            return;
        }
        if (k == 0) {
            if (!accumulate) {
                for (int i = 0; i < m; i++) {
                    java.util.Arrays.fill(c, cOff + i * ldc, cOff + i * ldc + n, 0f);
                }
            }
            return;
        }
        // op(B) as a dense row-major (k, n) panel
        float[] bp;
        int bpOff;
        int ldbp;
        if (tb) {
            bp = new float[k * n];
            for (int j = 0; j < n; j++) {
                for (int p = 0; p < k; p++) {
                    bp[p * n + j] = b[bOff + j * ldb + p];
                }
            }
            bpOff = 0;
            ldbp = n;
        } else {
            bp = b;
            bpOff = bOff;
            ldbp = ldb;
        }
        Parallel.forRange(m, Math.max(1, (int) (65536L / Math.max(1L, (long) n * k / 64))), (s, e) -> {
            for (int i = s; i < e; i++) {
                int ci = cOff + i * ldc;
                if (!accumulate) {
                    java.util.Arrays.fill(c, ci, ci + n, 0f);
                }
                for (int p = 0; p < k; p++) {
                    float av = ta ? a[aOff + p * lda + i] : a[aOff + i * lda + p];
                    if (av == 0f) {
                        continue;
                    }
                    int bi = bpOff + p * ldbp;
                    FloatVector va = FloatVector.broadcast(S, av);
                    int j = 0;
                    for (int end = S.loopBound(n); j < end; j += S.length()) {
                        FloatVector.fromArray(S, bp, bi + j).fma(va, FloatVector.fromArray(S, c, ci + j))
                                .intoArray(c, ci + j);
                    }
                    for (; j < n; j++) {
                        c[ci + j] += av * bp[bi + j];
                    }
                }
            }
        });
    }
}

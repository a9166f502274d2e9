package dev.diti4j.core.cpu;

import static dev.diti4j.core.cpu.GemmKernel.L;
import static dev.diti4j.core.cpu.GemmKernel.MR;
import static dev.diti4j.core.cpu.GemmKernel.NR;
import static dev.diti4j.core.cpu.GemmKernel.S;
import static dev.diti4j.core.cpu.GemmKernel.VECTOR;

import jdk.incubator.vector.FloatVector;

/**
 * Copies blocks of op(A) and op(B) into the order the micro-kernel reads them. Packing absorbs the
 * transpose flags and the leading dimensions, so the kernel sees one layout:
 *
 * <pre>
 *   A block op(A)[i0:i0+mc, p0:p0+kc] -> panels of MR rows:    ap[(panel*kc + p)*MR + r]
 *   B block op(B)[p0:p0+kc, j0:j0+nc] -> panels of NR columns: bp[(panel*kc + p)*NR + j]
 * </pre>
 *
 * Rows past mc and columns past nc are filled with zeros, so edge tiles run the full kernel.
 */
final class GemmPacking {
    private GemmPacking() {
    }

    /** mc rounded up to whole MR-row panels. */
    static int paddedRows(int mc) {
        return (mc + MR - 1) / MR * MR;
    }

    /** nc rounded up to whole NR-column panels. */
    static int paddedCols(int nc) {
        return (nc + NR - 1) / NR * NR;
    }

    /**
     * Packs op(A)[i0:i0+mc, p0:p0+kc] into ap from index apOff. op(A)(i, p) is a[aOff + i*lda + p],
     * or a[aOff + p*lda + i] when {@code ta}.
     */
    static void packA(boolean ta, float[] a, int aOff, int lda, int i0, int mc, int p0, int kc, float[] ap, int apOff) {
        for (int panel = 0, r0 = 0; r0 < mc; panel++, r0 += MR) {
            int rows = Math.min(MR, mc - r0);
            int base = apOff + panel * kc * MR;
            if (ta) {
                // rows of the stored A are columns of op(A): each p gives MR contiguous values
                for (int p = 0; p < kc; p++) {
                    int src = aOff + (p0 + p) * lda + i0 + r0;
                    int dst = base + p * MR;
                    for (int r = 0; r < rows; r++) {
                        ap[dst + r] = a[src + r];
                    }
                    for (int r = rows; r < MR; r++) {
                        ap[dst + r] = 0f;
                    }
                }
            } else if (rows == 4 && MR == 4) {
                // four read streams, one sequential write stream
                int s0 = aOff + (i0 + r0) * lda + p0;
                int s1 = s0 + lda;
                int s2 = s1 + lda;
                int s3 = s2 + lda;
                for (int p = 0, dst = base; p < kc; p++, dst += 4) {
                    ap[dst] = a[s0 + p];
                    ap[dst + 1] = a[s1 + p];
                    ap[dst + 2] = a[s2 + p];
                    ap[dst + 3] = a[s3 + p];
                }
            } else {
                for (int r = 0; r < MR; r++) {
                    if (r < rows) {
                        int src = aOff + (i0 + r0 + r) * lda + p0;
                        for (int p = 0; p < kc; p++) {
                            ap[base + p * MR + r] = a[src + p];
                        }
                    } else {
                        for (int p = 0; p < kc; p++) {
                            ap[base + p * MR + r] = 0f;
                        }
                    }
                }
            }
        }
    }

    /**
     * Packs the NR-column panels [panelStart, panelEnd) of op(B)[p0:p0+kc, j0:j0+nc] into bp (panel
     * q starts at bpOff + q*kc*NR). op(B)(p, j) is b[bOff + p*ldb + j], or b[bOff + j*ldb + p] when
     * {@code tb}.
     */
    static void packB(boolean tb, float[] b, int bOff, int ldb, int p0, int kc, int j0, int nc,
                      int panelStart, int panelEnd, float[] bp, int bpOff) {
        for (int panel = panelStart; panel < panelEnd; panel++) {
            int c0 = panel * NR;
            int cols = Math.min(NR, nc - c0);
            int base = bpOff + panel * kc * NR;
            if (tb) {
                // rows of the stored B are columns of op(B): read each contiguously
                for (int j = 0; j < NR; j++) {
                    if (j < cols) {
                        int src = bOff + (j0 + c0 + j) * ldb + p0;
                        for (int p = 0; p < kc; p++) {
                            bp[base + p * NR + j] = b[src + p];
                        }
                    } else {
                        for (int p = 0; p < kc; p++) {
                            bp[base + p * NR + j] = 0f;
                        }
                    }
                }
            } else if (cols == NR && VECTOR) {
                int src = bOff + p0 * ldb + j0 + c0;
                for (int p = 0, dst = base; p < kc; p++, dst += NR, src += ldb) {
                    FloatVector.fromArray(S, b, src).intoArray(bp, dst);
                    FloatVector.fromArray(S, b, src + L).intoArray(bp, dst + L);
                }
            } else {
                for (int p = 0; p < kc; p++) {
                    int src = bOff + (p0 + p) * ldb + j0 + c0;
                    int dst = base + p * NR;
                    for (int j = 0; j < cols; j++) {
                        bp[dst + j] = b[src + j];
                    }
                    for (int j = cols; j < NR; j++) {
                        bp[dst + j] = 0f;
                    }
                }
            }
        }
    }
}

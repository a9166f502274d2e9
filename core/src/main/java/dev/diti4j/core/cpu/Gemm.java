package dev.diti4j.core.cpu;

import static dev.diti4j.core.cpu.GemmKernel.MR;
import static dev.diti4j.core.cpu.GemmKernel.NR;

import dev.diti4j.core.Device;
import dev.diti4j.core.TensorException;
import java.util.concurrent.atomic.AtomicInteger;
import jdk.incubator.vector.FloatVector;

/**
 * Single-precision matrix product {@code C = op(A) op(B) (+ C)} on row-major arrays with
 * leading dimensions and offsets, in the GotoBLAS/BLIS structure (docs/internals/gemm.md):
 *
 * <pre>
 *   for each column chunk j0 (packed B at most PACK_CAP floats):
 *     for each row chunk i0 (packed A at most PACK_CAP floats):
 *       pack op(A)[i0:i0+mchunk, :] into (MR, kc) panels, and with the
 *         first row chunk op(B)[:, j0:j0+nc] into (kc, NR) panels     (one phase, every thread)
 *       for each task (row block of mc rows, group of B panels):      (dynamic, on every thread)
 *         for each k block p0:                    // the task's C block (mc, group) stays in L2
 *           for each B panel (kc, NR) of the group:                   // stays in L1
 *             for each A panel (MR, kc) of the row block:             // streams from L2
 *               C[MR x NR tile] (+)= A panel * B panel                // GemmKernel
 * </pre>
 *
 * Each phase is one fork/join on {@link Parallel}, whose threads claim items from a shared
 * counter, so a product costs two joins per chunk.
 * The first k block overwrites C unless {@code accumulate}; later ones add to it. Products too
 * small to repay packing take a direct loop.
 */
public final class Gemm {
    /**
     * Cache blocking: kc, the inner-dimension block, sized so that one (kc, NR) B panel is 16 KiB
     * (kc = 256 for NR = 16), half of a 32 KiB L1d, leaving room for the A panel and the C tile;
     * mc, the row block, whose (mc, kc) slice of packed A (144 KiB) sits in a 512 KiB L2; cBlock,
     * the floats of one task's block of C (128 KiB), which stays in L2 across all of k.
     */
    record Blocking(int kc, int mc, int cBlock) {
    }

    /** The blocking in use. */
    static final Blocking BLOCKING = new Blocking(Math.clamp(4096 / NR, 128, 512), 144, 1 << 15);

    /** Floats of packed A or packed B held at once (16 MiB each); larger products go in chunks. */
    static final int PACK_CAP = 1 << 22;
    /** Products with at most this many multiply-adds use the direct loop. */
    private static final long DIRECT_MAX = 24 * 24 * 24;
    /** Products with fewer multiply-adds than this run on the calling thread only. */
    private static final long PARALLEL_MIN = 1L << 18;
    /** Tasks per thread per k block: enough to even out threads slowed by other processes. */
    private static final int TASKS_PER_THREAD = 8;

    private static final ThreadLocal<Buffers> BUFFERS = ThreadLocal.withInitial(Buffers::new);

    private Gemm() {
    }

    /**
     * C (m, n) = op(A) (m, k) * op(B) (k, n), or C += ... when {@code accumulate}. Uses every
     * thread of {@link Parallel}.
     *
     * @param a   A stored (m, k) with row length lda, or (k, m) when {@code ta}
     * @param b   B stored (k, n) with row length ldb, or (n, k) when {@code tb}
     * @param c   C stored (m, n) with row length ldc
     */
    public static void sgemm(boolean ta, boolean tb, int m, int n, int k,
                             float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                             float[] c, int cOff, int ldc, boolean accumulate) {
        sgemm(ta, tb, m, n, k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc, accumulate, true);
    }

    /** As {@link #sgemm(boolean, boolean, int, int, int, float[], int, int, float[], int, int, float[], int, int, boolean)}; runs on the calling thread only unless {@code parallel}. */
    static void sgemm(boolean ta, boolean tb, int m, int n, int k,
                      float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                      float[] c, int cOff, int ldc, boolean accumulate, boolean parallel) {
        check(ta, tb, m, n, k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc);
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
        long work = (long) m * n * k;
        if (work <= DIRECT_MAX || m == 1) {
            direct(ta, tb, m, n, k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc, accumulate);
            return;
        }
        blocked(ta, tb, m, n, k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc, accumulate,
                parallel && work >= PARALLEL_MIN && Parallel.THREADS > 1, BLOCKING);
    }

    /** A one-line description of the kernel in use, for benchmark reports. */
    public static String describe() {
        return GemmKernel.describe() + ", kc=" + BLOCKING.kc() + " mc=" + BLOCKING.mc();
    }

    static void blocked(boolean ta, boolean tb, int m, int n, int k,
                        float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                        float[] c, int cOff, int ldc, boolean accumulate, boolean parallel, Blocking bl) {
        int kcb = bl.kc();
        // even row blocks of at most mc rows, each a whole number of MR-row panels
        int mc = GemmPacking.paddedRows(ceilDiv(m, ceilDiv(m, bl.mc())));
        int kBlocks = ceilDiv(k, kcb);
        // chunks of C whose packed operands fit PACK_CAP floats each
        int ncMax = Math.max(NR, PACK_CAP / k / NR * NR);
        int mChunkMax = Math.max(mc, PACK_CAP / k / mc * mc);
        Buffers own = BUFFERS.get();
        for (int j0 = 0; j0 < n; j0 += ncMax) {
            int nc = Math.min(ncMax, n - j0);
            int panels = ceilDiv(nc, NR);
            int ncPad = panels * NR;
            float[] bp = own.packedB(ncPad * k);
            int jc = j0;
            for (int i0 = 0; i0 < m; i0 += mChunkMax) {
                int ic = i0;
                int rowBlocks = ceilDiv(Math.min(mChunkMax, m - i0), mc);
                int chunkEnd = Math.min(m, i0 + mChunkMax);
                float[] ap = own.packedA(rowBlocks * mc * k);
                // One packing phase per chunk, items claimed dynamically: with the first row chunk,
                // the B items; then the A items. Packed B: k block pb (from p0 = pb*kcb) holds its
                // panels (kc, NR) from p0*ncPad. Packed A: row block rb holds its k blocks from
                // rb*mc*k, block pb (rows, kc) from rowsPad*p0.
                int bItems = i0 == 0 ? kBlocks * panels : 0;
                int items = bItems + rowBlocks * kBlocks;
                AtomicInteger nextItem = new AtomicInteger();
                runDynamic(parallel, items, () -> {
                    for (int it = nextItem.getAndIncrement(); it < items; it = nextItem.getAndIncrement()) {
                        if (it < bItems) {
                            int p0 = it / panels * kcb;
                            int q = it % panels;
                            GemmPacking.packB(tb, b, bOff, ldb, p0, Math.min(kcb, k - p0), jc, nc, q, q + 1, bp,
                                    p0 * ncPad);
                        } else {
                            int rb = (it - bItems) / kBlocks;
                            int p0 = (it - bItems) % kBlocks * kcb;
                            int r0 = ic + rb * mc;
                            int rows = Math.min(mc, chunkEnd - r0);
                            GemmPacking.packA(ta, a, aOff, lda, r0, rows, p0, Math.min(kcb, k - p0), ap,
                                    rb * mc * k + GemmPacking.paddedRows(rows) * p0);
                        }
                    }
                });
                // tasks: (row block, group of B panels); a task's C block stays in L2 over all of k
                int perGroup = Math.max(1, Math.min(panels, bl.cBlock() / (mc * NR)));
                while (parallel && perGroup > 1 && rowBlocks * ceilDiv(panels, perGroup) < TASKS_PER_THREAD * Parallel.THREADS) {
                    perGroup = ceilDiv(perGroup, 2);
                }
                int groupSize = perGroup;
                int colGroups = ceilDiv(panels, groupSize);
                int tasks = rowBlocks * colGroups;
                AtomicInteger next = new AtomicInteger();
                runDynamic(parallel, tasks, () -> {
                    float[] tile = BUFFERS.get().tile;
                    for (int t = next.getAndIncrement(); t < tasks; t = next.getAndIncrement()) {
                        int rb = t / colGroups;
                        int g = t % colGroups;
                        int r0 = ic + rb * mc;
                        int rows = Math.min(mc, chunkEnd - r0);
                        int rowsPad = GemmPacking.paddedRows(rows);
                        for (int p0 = 0; p0 < k; p0 += kcb) {
                            macro(Math.min(kcb, k - p0), ap, rb * mc * k + rowsPad * p0, rows, bp, p0 * ncPad, nc,
                                    g * groupSize, Math.min(panels, (g + 1) * groupSize), c, cOff + r0 * ldc + jc, ldc,
                                    p0 == 0 && !accumulate, tile);
                        }
                    }
                });
            }
        }
    }

    /**
     * Runs {@code claimer}, a loop that claims work items from a shared counter until none are
     * left, on every thread when {@code parallel} and there is more than one item, else on this
     * one. Dynamic claiming lets a thread slowed by another process do fewer items.
     */
    private static void runDynamic(boolean parallel, int items, Runnable claimer) {
        if (parallel && items > 1) {
            Parallel.forRange(Math.min(Parallel.THREADS, items), 1, (s, e) -> claimer.run());
        } else {
            claimer.run();
        }
    }

    /**
     * C[0:mc, panels [q0, q1)] (+)= packed A block (mc, kc) from aBase * packed B panels from
     * bBase. Edge tiles go through {@code tile} (MR, NR) and only their valid part reaches C.
     */
    private static void macro(int kc, float[] ap, int aBase, int mc, float[] bp, int bBase, int nc, int q0, int q1,
                              float[] c, int cBase, int ldc, boolean overwrite, float[] tile) {
        for (int q = q0; q < q1; q++) {
            int j = q * NR;
            int cols = Math.min(NR, nc - j);
            int bi = bBase + q * kc * NR;
            for (int r0 = 0, ai = aBase; r0 < mc; r0 += MR, ai += kc * MR) {
                int rows = Math.min(MR, mc - r0);
                int ci = cBase + r0 * ldc + j;
                if (rows == MR && cols == NR) {
                    GemmKernel.tile(kc, ap, ai, bp, bi, c, ci, ldc, overwrite);
                } else {
                    GemmKernel.tile(kc, ap, ai, bp, bi, tile, 0, NR, true);
                    for (int r = 0; r < rows; r++) {
                        int o = ci + r * ldc;
                        for (int x = 0; x < cols; x++) {
                            c[o + x] = overwrite ? tile[r * NR + x] : c[o + x] + tile[r * NR + x];
                        }
                    }
                }
            }
        }
    }

    /** Unpacked loops for tiny products and single rows (where packing B would cost as much as the product). */
    private static void direct(boolean ta, boolean tb, int m, int n, int k,
                               float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                               float[] c, int cOff, int ldc, boolean accumulate) {
        for (int i = 0; i < m; i++) {
            int ci = cOff + i * ldc;
            if (tb) {
                // op(B)(p, j) = b[j*ldb + p]: a dot product per element of C
                for (int j = 0; j < n; j++) {
                    int bj = bOff + j * ldb;
                    float s = 0f;
                    for (int p = 0; p < k; p++) {
                        s = Math.fma(ta ? a[aOff + p * lda + i] : a[aOff + i * lda + p], b[bj + p], s);
                    }
                    c[ci + j] = accumulate ? c[ci + j] + s : s;
                }
                continue;
            }
            if (!accumulate) {
                java.util.Arrays.fill(c, ci, ci + n, 0f);
            }
            for (int p = 0; p < k; p++) {
                float av = ta ? a[aOff + p * lda + i] : a[aOff + i * lda + p];
                int bi = bOff + p * ldb;
                int j = 0;
                if (GemmKernel.VECTOR) {
                    FloatVector va = FloatVector.broadcast(GemmKernel.S, av);
                    for (int end = GemmKernel.S.loopBound(n); j < end; j += GemmKernel.L) {
                        FloatVector.fromArray(GemmKernel.S, b, bi + j)
                                .fma(va, FloatVector.fromArray(GemmKernel.S, c, ci + j)).intoArray(c, ci + j);
                    }
                }
                for (; j < n; j++) {
                    c[ci + j] = Math.fma(av, b[bi + j], c[ci + j]);
                }
            }
        }
    }

    private static void check(boolean ta, boolean tb, int m, int n, int k, float[] a, int aOff, int lda,
                              float[] b, int bOff, int ldb, float[] c, int cOff, int ldc) {
        if (m < 0 || n < 0 || k < 0) {
            throw bad("negative size m=" + m + " n=" + n + " k=" + k);
        }
        checkOperand("A", a, aOff, lda, ta ? k : m, ta ? m : k);
        checkOperand("B", b, bOff, ldb, tb ? n : k, tb ? k : n);
        checkOperand("C", c, cOff, ldc, m, n);
    }

    /** A stored (rows, cols) matrix with row length ld from off must lie inside the array. */
    private static void checkOperand(String name, float[] x, int off, int ld, int rows, int cols) {
        if (rows == 0 || cols == 0) {
            return;
        }
        if (ld < cols) {
            throw bad(name + " leading dimension " + ld + " < row length " + cols);
        }
        long last = off + (long) (rows - 1) * ld + cols - 1;
        if (off < 0 || last >= x.length) {
            throw bad(name + " (" + rows + "," + cols + ") with leading dimension " + ld + " from offset " + off
                    + " does not fit an array of " + x.length);
        }
    }

    private static TensorException bad(String detail) {
        return new TensorException.BadArgument("sgemm", detail, Device.CPU);
    }

    private static int ceilDiv(int x, int y) {
        return (x + y - 1) / y;
    }

    /** Packing buffers of one thread, grown on demand and reused by every later product. */
    private static final class Buffers {
        final float[] tile = new float[MR * NR];
        private float[] a = new float[0];
        private float[] b = new float[0];

        float[] packedA(int size) {
            if (a.length < size) {
                a = new float[size];
            }
            return a;
        }

        float[] packedB(int size) {
            if (b.length < size) {
                b = new float[size];
            }
            return b;
        }
    }
}

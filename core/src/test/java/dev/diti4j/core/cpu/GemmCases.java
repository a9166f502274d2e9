package dev.diti4j.core.cpu;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Random {@link Gemm#sgemm} cases checked against a naive double-accumulating product. Shared by
 * {@link GemmTest} (in this JVM) and its child JVMs that force other vector widths, hence the
 * {@code main}.
 */
final class GemmCases {
    /** Sizes that sit on and around the tile and block edges (MR = 4 or 6, NR = 4..32, KC = 256, MC = 144). */
    private static final int[] EDGE_SIZES = {1, 2, 3, 5, 6, 7, 11, 13, 16, 17, 31, 33, 47, 97, 145, 150};

    private GemmCases() {
    }

    /** One product: C = op(A) op(B) (+ C) with padded leading dimensions and offsets. */
    record Case(boolean ta, boolean tb, int m, int n, int k, int aOff, int lda, int bOff, int ldb, int cOff, int ldc,
                boolean accumulate) {
        @Override
        public String toString() {
            return "sgemm(ta=" + ta + ", tb=" + tb + ", m=" + m + ", n=" + n + ", k=" + k + ", aOff=" + aOff
                    + ", lda=" + lda + ", bOff=" + bOff + ", ldb=" + ldb + ", cOff=" + cOff + ", ldc=" + ldc
                    + ", accumulate=" + accumulate + ")";
        }
    }

    /** A random case; dimensions from the edge list or uniform in [1, maxDim], k sometimes 0. */
    static Case random(SplittableRandom rng, int maxDim, int maxK) {
        int m = dim(rng, maxDim);
        int n = dim(rng, maxDim);
        int k = rng.nextInt(12) == 0 ? 0 : dim(rng, maxK);
        boolean ta = rng.nextBoolean();
        boolean tb = rng.nextBoolean();
        boolean padded = rng.nextBoolean();
        int lda = (ta ? m : k) + (padded ? rng.nextInt(1, 9) : 0);
        int ldb = (tb ? k : n) + (padded ? rng.nextInt(1, 9) : 0);
        int ldc = n + (padded ? rng.nextInt(1, 9) : 0);
        return new Case(ta, tb, m, n, k, padded ? rng.nextInt(1, 40) : 0, lda, padded ? rng.nextInt(1, 40) : 0, ldb,
                padded ? rng.nextInt(1, 40) : 0, ldc, rng.nextBoolean());
    }

    private static int dim(SplittableRandom rng, int max) {
        if (rng.nextBoolean()) {
            int d = EDGE_SIZES[rng.nextInt(EDGE_SIZES.length)];
            if (d <= max) {
                return d;
            }
        }
        return rng.nextInt(1, max + 1);
    }

    /**
     * Runs one case on random data and returns a description of the first mismatches (empty when
     * every element of C is within {@code atol + rtol*|ref|} and nothing outside C changed).
     */
    static List<String> check(Case t, long seed, boolean parallel) {
        SplittableRandom rng = new SplittableRandom(seed);
        int aRows = t.ta() ? t.k() : t.m();
        int bRows = t.tb() ? t.n() : t.k();
        float[] a = fill(rng, t.aOff() + aRows * t.lda() + 3);
        float[] b = fill(rng, t.bOff() + bRows * t.ldb() + 3);
        float[] c = fill(rng, t.cOff() + t.m() * t.ldc() + 3);
        float[] before = c.clone();
        if (parallel) {
            Gemm.sgemm(t.ta(), t.tb(), t.m(), t.n(), t.k(), a, t.aOff(), t.lda(), b, t.bOff(), t.ldb(), c, t.cOff(),
                    t.ldc(), t.accumulate());
        } else {
            Gemm.sgemm(t.ta(), t.tb(), t.m(), t.n(), t.k(), a, t.aOff(), t.lda(), b, t.bOff(), t.ldb(), c, t.cOff(),
                    t.ldc(), t.accumulate(), false);
        }
        List<String> bad = new ArrayList<>();
        boolean[] inside = new boolean[c.length];
        for (int i = 0; i < t.m(); i++) {
            for (int j = 0; j < t.n(); j++) {
                double ref = t.accumulate() ? before[t.cOff() + i * t.ldc() + j] : 0.0;
                for (int p = 0; p < t.k(); p++) {
                    double av = t.ta() ? a[t.aOff() + p * t.lda() + i] : a[t.aOff() + i * t.lda() + p];
                    double bv = t.tb() ? b[t.bOff() + j * t.ldb() + p] : b[t.bOff() + p * t.ldb() + j];
                    ref += av * bv;
                }
                int idx = t.cOff() + i * t.ldc() + j;
                inside[idx] = true;
                double tol = 1e-5 + 1e-5 * Math.abs(ref) + 2e-7 * t.k();
                if (!(Math.abs(c[idx] - ref) <= tol) && bad.size() < 5) {
                    bad.add(t + " C[" + i + "," + j + "] = " + c[idx] + ", expected " + ref + " (tol " + tol + ")");
                }
            }
        }
        for (int idx = 0; idx < c.length; idx++) {
            if (!inside[idx] && Float.floatToRawIntBits(c[idx]) != Float.floatToRawIntBits(before[idx]) && bad.size() < 5) {
                bad.add(t + " wrote outside C at array index " + idx + ": " + before[idx] + " -> " + c[idx]);
            }
        }
        return bad;
    }

    private static float[] fill(SplittableRandom rng, int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) (rng.nextDouble() * 2 - 1);
        }
        return x;
    }

    /** Runs {@code count} random cases; returns the mismatches of the failing ones. */
    static List<String> runRandom(long seed, int count, int maxDim, int maxK) {
        SplittableRandom rng = new SplittableRandom(seed);
        List<String> bad = new ArrayList<>();
        for (int i = 0; i < count && bad.size() < 20; i++) {
            Case t = random(rng, maxDim, maxK);
            bad.addAll(check(t, rng.nextLong(), rng.nextBoolean()));
        }
        return bad;
    }

    /**
     * Cases that cross every block edge: MC and KC (m = 150, k = 300), packed operands larger than
     * PACK_CAP (k*n or m*k above 2^22, so C is done in chunks), and products large enough to run
     * on every thread; each with all four transpose combinations, with and without accumulation.
     */
    static List<String> runEdges(long seed, boolean big) {
        List<String> bad = new ArrayList<>();
        int[][] shapes = big
                ? new int[][] {{150, 37, 300}, {13, 4100, 9}, {97, 131, 263}, {2, 3, 4}, {2, 14100, 300}, {14100, 3, 300}}
                : new int[][] {{13, 37, 61}, {7, 4100, 3}, {70, 70, 60}, {2, 3, 4}};
        long s = seed;
        for (int[] sh : shapes) {
            // the chunked shapes are costly to check: two variants suffice (packing has the rest)
            boolean chunked = (long) sh[1] * sh[2] > 1 << 22 || (long) sh[0] * sh[2] > 1 << 22;
            for (int tr = 0; tr < 8; tr += chunked ? 7 : 1) {
                boolean ta = (tr & 1) != 0;
                boolean tb = (tr & 2) != 0;
                boolean acc = (tr & 4) != 0;
                Case t = new Case(ta, tb, sh[0], sh[1], sh[2], 5, (ta ? sh[0] : sh[2]) + 3, 7, (tb ? sh[2] : sh[1]) + 1,
                        11, sh[1] + 2, acc);
                if (bad.size() < 20) {
                    bad.addAll(check(t, s, true));
                }
                s++;
            }
        }
        return bad;
    }

    /** Child-JVM entry: {@code GemmCases seed count maxDim maxK}: the small edge cases, then random ones; exit status 1 on any mismatch. */
    public static void main(String[] args) {
        List<String> bad = new ArrayList<>(runEdges(Long.parseLong(args[0]), false));
        bad.addAll(runRandom(Long.parseLong(args[0]), Integer.parseInt(args[1]), Integer.parseInt(args[2]),
                Integer.parseInt(args[3])));
        System.out.println("kernel: " + Gemm.describe());
        bad.forEach(System.out::println);
        System.exit(bad.isEmpty() ? 0 : 1);
    }
}

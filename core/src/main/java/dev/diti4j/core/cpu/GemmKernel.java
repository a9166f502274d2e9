package dev.diti4j.core.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * The register-tiled micro-kernel of {@link Gemm}: one MR x NR tile of C from an MR-row panel of
 * packed A and an NR-column panel of packed B (see {@link GemmPacking}), over kc steps of the inner
 * dimension.
 *
 * <pre>
 *   for p in [0, kc):                          // ap: (kc, MR), bp: (kc, NR), both contiguous
 *     b0, b1 = bp[p, 0:L], bp[p, L:2L]         // two vector loads
 *     for r in [0, MR):
 *       c[r][0] += ap[p, r] * b0;  c[r][1] += ap[p, r] * b1     // broadcast + 2 FMAs
 * </pre>
 *
 * With L lanes per vector the tile is 4 x 2L: 4 x 16 for 256-bit vectors, 4 x 32 for 512-bit. Its
 * eight accumulators cover the FMA latency (4 cycles at 2 FMAs per cycle), and 8 accumulators + 2
 * B vectors + the broadcasts C2 hoists ahead of the FMAs (4) fit the 16 AVX2 registers: the
 * 6 x 16 tile of C BLAS libraries needs one register more than C2 finds and spills an
 * accumulator through the stack on every step (docs/internals/gemm.md). Each step issues 8 FMAs
 * for 2 loads and 4 broadcasts. The species, its lane count and the tile are {@code static final}
 * so that C2 folds them into the loop.
 *
 * <p>The species can be forced with the system property {@code diti4j.gemm.vectorBits} (128, 256
 * or 512; 0 selects the scalar kernel): the tests use it to check every path on one machine.
 * Species wider than the hardware's run correctly but slowly (the Vector API falls back to Java).
 */
final class GemmKernel {
    /** The vector species of the kernel. */
    static final VectorSpecies<Float> S = species();
    /** Lanes per vector. */
    static final int L = S.length();
    /** Whether the vector kernel is used; the scalar kernel otherwise. */
    static final boolean VECTOR = L >= 4 && Integer.getInteger("diti4j.gemm.vectorBits", -1) != 0;
    /** Rows of the C tile (rows per packed A panel). */
    static final int MR = 4;
    /** Columns of the C tile (columns per packed B panel). */
    static final int NR = VECTOR ? 2 * L : 4;

    private GemmKernel() {
    }

    private static VectorSpecies<Float> species() {
        int bits = Integer.getInteger("diti4j.gemm.vectorBits", -1);
        return switch (bits) {
            case -1, 0 -> FloatVector.SPECIES_PREFERRED;
            case 64, 128, 256, 512 -> FloatVector.SPECIES_128.withShape(VectorShape.forBitSize(bits));
            default -> throw new IllegalArgumentException(
                    "diti4j.gemm.vectorBits must be 0, 64, 128, 256 or 512, not " + bits);
        };
    }

    /** Describes the kernel, for logs and benchmark reports. */
    static String describe() {
        return VECTOR ? MR + "x" + NR + " tile, " + S.vectorBitSize() + "-bit FMA" : MR + "x" + NR + " tile, scalar";
    }

    /**
     * C[0:MR, 0:NR] (row length ldc, from ci) = (overwrite ? 0 : C) + ap^T bp over kc steps.
     *
     * @param ap packed A panel (kc, MR) starting at ai
     * @param bp packed B panel (kc, NR) starting at bi
     */
    static void tile(int kc, float[] ap, int ai, float[] bp, int bi, float[] c, int ci, int ldc, boolean overwrite) {
        if (VECTOR) {
            vectorTile(kc, ap, ai, bp, bi, c, ci, ldc, overwrite);
        } else {
            scalarTile(kc, ap, ai, bp, bi, c, ci, ldc, overwrite);
        }
    }

    private static void vectorTile(int kc, float[] ap, int ai, float[] bp, int bi, float[] c, int ci, int ldc,
                                   boolean overwrite) {
        FloatVector c00 = FloatVector.zero(S);
        FloatVector c01 = FloatVector.zero(S);
        FloatVector c10 = FloatVector.zero(S);
        FloatVector c11 = FloatVector.zero(S);
        FloatVector c20 = FloatVector.zero(S);
        FloatVector c21 = FloatVector.zero(S);
        FloatVector c30 = FloatVector.zero(S);
        FloatVector c31 = FloatVector.zero(S);
        for (int p = 0; p < kc; p++) {
            int a = ai + p * MR;
            int b = bi + p * NR;
            FloatVector b0 = FloatVector.fromArray(S, bp, b);
            FloatVector b1 = FloatVector.fromArray(S, bp, b + L);
            FloatVector av = FloatVector.broadcast(S, ap[a]);
            c00 = av.fma(b0, c00);
            c01 = av.fma(b1, c01);
            av = FloatVector.broadcast(S, ap[a + 1]);
            c10 = av.fma(b0, c10);
            c11 = av.fma(b1, c11);
            av = FloatVector.broadcast(S, ap[a + 2]);
            c20 = av.fma(b0, c20);
            c21 = av.fma(b1, c21);
            av = FloatVector.broadcast(S, ap[a + 3]);
            c30 = av.fma(b0, c30);
            c31 = av.fma(b1, c31);
        }
        store(c00, c01, c, ci, overwrite);
        store(c10, c11, c, ci + ldc, overwrite);
        store(c20, c21, c, ci + 2 * ldc, overwrite);
        store(c30, c31, c, ci + 3 * ldc, overwrite);
    }

    private static void store(FloatVector v0, FloatVector v1, float[] c, int o, boolean overwrite) {
        if (!overwrite) {
            v0 = v0.add(FloatVector.fromArray(S, c, o));
            v1 = v1.add(FloatVector.fromArray(S, c, o + L));
        }
        v0.intoArray(c, o);
        v1.intoArray(c, o + L);
    }

    /** The same contract with plain float arithmetic, for machines without usable vectors. */
    private static void scalarTile(int kc, float[] ap, int ai, float[] bp, int bi, float[] c, int ci, int ldc,
                                   boolean overwrite) {
        float[] acc = new float[MR * NR];
        for (int p = 0; p < kc; p++) {
            int a = ai + p * MR;
            int b = bi + p * NR;
            for (int r = 0; r < MR; r++) {
                float av = ap[a + r];
                for (int j = 0; j < NR; j++) {
                    acc[r * NR + j] = Math.fma(av, bp[b + j], acc[r * NR + j]);
                }
            }
        }
        for (int r = 0; r < MR; r++) {
            int o = ci + r * ldc;
            for (int j = 0; j < NR; j++) {
                c[o + j] = overwrite ? acc[r * NR + j] : c[o + j] + acc[r * NR + j];
            }
        }
    }
}

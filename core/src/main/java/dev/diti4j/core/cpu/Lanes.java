package dev.diti4j.core.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * Horizontal sums of a vector accumulator in one fixed order (docs/internals/determinism.md).
 *
 * <p>{@code FloatVector.reduceLanes(ADD)} leaves the order of its additions unspecified, and
 * HotSpot uses it: the interpreter and C1 run the Java fallback (lane 0 + lane 1 + ... in
 * sequence) while C2's intrinsic folds halves of the register. The two differ in the last bit, so
 * a kernel's result changed once C2 compiled it. Here the lanes are added as a pairwise tree that
 * halves the live lanes each round:
 *
 * <pre>
 *   round h = L/2, L/4, ..., 1:   t[i] = t[i] + t[i + h]   for i in [0, h)
 *   result = t[0]
 * </pre>
 *
 * For the preferred species each round is one register rotation ({@code rearrange} by a constant
 * shuffle, lane i reading lane (i + h) mod L) and one lane-wise add; lanes at and above h then hold
 * values that later rounds never read. Rotations and lane-wise adds are exact or exactly rounded
 * in every tier, so the result is the same in the interpreter, C1 and C2, and C2 keeps the whole
 * tree in registers (as its own reduction does). Other species take the same tree through an
 * array.
 */
final class Lanes {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    private static final VectorShuffle<Float> ROT1 = rotation(1);
    private static final VectorShuffle<Float> ROT2 = rotation(2);
    private static final VectorShuffle<Float> ROT4 = rotation(4);
    private static final VectorShuffle<Float> ROT8 = rotation(8);
    private static final VectorShuffle<Float> ROT16 = rotation(16);

    private Lanes() {
    }

    private static VectorShuffle<Float> rotation(int h) {
        return VectorShuffle.fromOp(S, i -> (i + h) % L);
    }

    /** The sum of v's lanes in the fixed tree order; the lane count is a power of two. */
    static float sum(FloatVector v) {
        if (v.species() != S) {
            return sumThroughArray(v);
        }
        // L is a constant: C2 folds the branches, leaving log2(L) rotate-and-add pairs.
        if (L > 32) {
            return sumThroughArray(v);
        }
        if (L == 32) {
            v = v.add(v.rearrange(ROT16));
        }
        if (L >= 16) {
            v = v.add(v.rearrange(ROT8));
        }
        if (L >= 8) {
            v = v.add(v.rearrange(ROT4));
        }
        if (L >= 4) {
            v = v.add(v.rearrange(ROT2));
        }
        if (L >= 2) {
            v = v.add(v.rearrange(ROT1));
        }
        return v.lane(0);
    }

    /** The same tree in an array, for any species. */
    static float sumThroughArray(FloatVector v) {
        float[] t = v.toArray();
        for (int h = t.length >> 1; h >= 1; h >>= 1) {
            for (int i = 0; i < h; i++) {
                t[i] += t[i + h];
            }
        }
        return t[0];
    }
}

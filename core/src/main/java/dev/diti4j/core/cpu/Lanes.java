package dev.diti4j.core.cpu;

import jdk.incubator.vector.FloatVector;

/**
 * Horizontal sums of a vector accumulator in one fixed order (docs/internals/determinism.md).
 *
 * <p>{@code FloatVector.reduceLanes(ADD)} leaves the order of its additions unspecified, and
 * HotSpot uses it: the interpreter and C1 run the Java fallback (lane 0 + lane 1 + ... in
 * sequence) while C2's intrinsic folds halves of the register. The two differ in the last bit, so
 * a kernel's result changed once C2 compiled it. Here the lanes go to a scratch array and are
 * added as a pairwise tree that halves the array each round:
 *
 * <pre>
 *   round h = L/2, L/4, ..., 1:   t[i] = t[i] + t[i + h]   for i in [0, h)
 *   result = t[0]
 * </pre>
 *
 * Each round is element-wise adds, which every tier computes alike, so the result is the same in
 * the interpreter, C1 and C2. Only the final reduction pays for this; the vector loop that fills
 * the accumulator is unchanged.
 */
final class Lanes {
    private Lanes() {
    }

    /**
     * The sum of v's lanes in the fixed tree order. {@code scratch} holds at least
     * {@code v.length()} floats and is overwritten; the lane count is a power of two.
     */
    static float sum(FloatVector v, float[] scratch) {
        v.intoArray(scratch, 0);
        for (int h = v.length() >> 1; h >= 1; h >>= 1) {
            for (int i = 0; i < h; i++) {
                scratch[i] += scratch[i + h];
            }
        }
        return scratch[0];
    }
}

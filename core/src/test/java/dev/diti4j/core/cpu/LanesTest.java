package dev.diti4j.core.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.diti4j.core.random.Philox;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;
import org.junit.jupiter.api.Test;

/** The fixed-order horizontal sum: its tree, on the first call and once the JIT has compiled it. */
class LanesTest {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

    /** The tree of {@link Lanes#sum} in plain scalar code: halve the lanes, adding lane i + h to lane i. */
    private static float tree(float[] v) {
        float[] t = v.clone();
        for (int h = t.length / 2; h >= 1; h /= 2) {
            for (int i = 0; i < h; i++) {
                t[i] = t[i] + t[i + h];
            }
        }
        return t[0];
    }

    @Test
    void addsTheLanesAsAFixedPairwiseTree() {
        // lanes 1e8, 1, -1e8, 1, ...: the tree cancels the large values before it adds the ones
        // (L/2); a sequential sum loses every 1 that meets 1e8
        float[] v = new float[S.length()];
        for (int i = 0; i < v.length; i++) {
            v[i] = i % 2 == 1 ? 1f : i % 4 == 0 ? 1e8f : -1e8f;
        }
        assertEquals(S.length() / 2f, Lanes.sum(FloatVector.fromArray(S, v, 0)), 0f);
        assertEquals(S.length() / 2f, Lanes.sumThroughArray(FloatVector.fromArray(S, v, 0)), 0f);
    }

    @Test
    void givesTheSameBitsOnEveryCallOnceCompiled() {
        Philox rng = new Philox(3);
        float[][] inputs = new float[64][S.length()];
        float[] want = new float[inputs.length];
        for (int k = 0; k < inputs.length; k++) {
            for (int i = 0; i < S.length(); i++) {
                inputs[k][i] = (rng.nextUniform() - 0.5f) * (float) Math.pow(10, i % 7);
            }
            want[k] = tree(inputs[k]);
        }
        // enough calls for C1 and then C2 to compile the method; every one must give the tree's bits
        for (int round = 0; round < 2_000; round++) {
            for (int k = 0; k < inputs.length; k++) {
                float got = Lanes.sum(FloatVector.fromArray(S, inputs[k], 0));
                if (Float.floatToRawIntBits(got) != Float.floatToRawIntBits(want[k])) {
                    assertEquals(want[k], got, 0f, "input " + k + " in round " + round);
                }
                float viaArray = Lanes.sumThroughArray(FloatVector.fromArray(S, inputs[k], 0));
                if (Float.floatToRawIntBits(viaArray) != Float.floatToRawIntBits(want[k])) {
                    assertEquals(want[k], viaArray, 0f, "array path, input " + k + " in round " + round);
                }
            }
        }
    }
}

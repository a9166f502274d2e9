package dev.diti4j.diti.generate;

import static dev.diti4j.diti.generate.TinyDiti.CPU;
import static dev.diti4j.diti.generate.TinyDiti.assertMessage;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.diti4j.core.Tensor;
import dev.diti4j.core.random.Philox;
import org.junit.jupiter.api.Test;

/** METHOD 6.4: lerp for features, slerp for noises, sample by sample. */
class InterpolationTest {
    @Test
    void endpointsAreExact() {
        Tensor a = Tensor.randn(new Philox(1), CPU, 3, 2, 4, 4);
        Tensor b = Tensor.randn(new Philox(2), CPU, 3, 2, 4, 4);
        assertArrayEquals(a.toArray(), Interpolation.slerp(a, b, 0).toArray(), 0f);
        assertArrayEquals(b.toArray(), Interpolation.slerp(a, b, 1).toArray(), 0f);
        assertArrayEquals(a.toArray(), Interpolation.lerp(a, b, 0).toArray(), 0f);
        assertArrayEquals(b.toArray(), Interpolation.lerp(a, b, 1).toArray(), 0f);
    }

    @Test
    void slerpOfOrthogonalUnitVectorsStaysOnTheCircle() {
        float r = (float) Math.sqrt(0.5);
        Tensor a = Tensor.of(new float[] {1, 0, 0, 0, r, r}, 2, 3);
        Tensor b = Tensor.of(new float[] {0, 0, 1, r, -r, 0}, 2, 3);
        for (double alpha : new double[] {0.1, 0.3, 0.5, 0.9}) {
            float[] s = Interpolation.slerp(a, b, alpha).toArray();
            for (int i = 0; i < 2; i++) {
                double n = 0;
                for (int j = 0; j < 3; j++) {
                    n += (double) s[i * 3 + j] * s[i * 3 + j];
                }
                assertEquals(1.0, Math.sqrt(n), 1e-6, "norm of sample " + i + " at alpha " + alpha);
            }
            // sample 0: (cos(alpha pi/2), 0, sin(alpha pi/2))
            assertEquals(Math.cos(alpha * Math.PI / 2), s[0], 1e-6);
            assertEquals(Math.sin(alpha * Math.PI / 2), s[2], 1e-6);
        }
        // lerp does leave the circle
        float[] l = Interpolation.lerp(a, b, 0.5).toArray();
        assertEquals(Math.sqrt(0.5), Math.sqrt(l[0] * l[0] + l[2] * l[2]), 1e-6);
    }

    @Test
    void eachSampleHasItsOwnAngle() {
        Tensor a = Tensor.randn(new Philox(3), CPU, 2, 5);
        Tensor b = Tensor.randn(new Philox(4), CPU, 2, 5);
        float[] both = Interpolation.slerp(a, b, 0.4).toArray();
        for (int i = 0; i < 2; i++) {
            float[] one = Interpolation.slerp(a.slice(0, i, i + 1), b.slice(0, i, i + 1), 0.4).toArray();
            assertArrayEquals(one, java.util.Arrays.copyOfRange(both, i * 5, i * 5 + 5), 0f, "sample " + i);
        }
    }

    @Test
    void parallelAndZeroInputsFallBackToLerp() {
        Tensor a = Tensor.randn(new Philox(5), CPU, 1, 6);
        float[] same = Interpolation.slerp(a, a, 0.3).toArray();
        float[] av = a.toArray();
        for (int j = 0; j < 6; j++) {
            assertTrue(Float.isFinite(same[j]));
            assertEquals(av[j], same[j], 1e-6, "identical inputs give the input back");
        }
        float[] scaled = Interpolation.slerp(a, a.mul(2f), 0.5).toArray();
        for (int j = 0; j < 6; j++) {
            assertEquals(1.5 * av[j], scaled[j], 1e-5, "parallel inputs: lerp");
        }
        float[] fromZero = Interpolation.slerp(Tensor.zeros(1, 6), a, 0.25).toArray();
        for (int j = 0; j < 6; j++) {
            assertEquals(0.25 * av[j], fromZero[j], 1e-6, "a zero input: lerp");
        }
    }

    @Test
    void refusesBadInputs() {
        Tensor a = Tensor.zeros(2, 3);
        assertMessage(() -> Interpolation.slerp(a, Tensor.zeros(2, 4), 0.5),
                "interpolation needs tensors of the same shape, got (2,3) and (2,4)");
        assertMessage(() -> Interpolation.slerp(a, a, 1.5), "alpha must be in [0, 1], got 1.5");
        assertMessage(() -> Interpolation.lerp(a, a, -0.1), "alpha must be in [0, 1], got -0.1");
        assertMessage(() -> Interpolation.lerp(a, a, Double.NaN), "alpha must be in [0, 1], got NaN");
    }
}

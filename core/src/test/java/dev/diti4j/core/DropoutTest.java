package dev.diti4j.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.diti4j.core.backend.Backends;
import dev.diti4j.core.random.Philox;
import dev.diti4j.core.testing.OnBackend;
import dev.diti4j.core.testing.ReferenceBackend;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** Inverted dropout: mask statistics, identities, and the same mask from the same seed everywhere. */
class DropoutTest {
    private static final int N = 200_000;

    @Test
    void dropsAboutPAndScalesTheRest() {
        for (float p : new float[] {0.1f, 0.3f, 0.5f, 0.9f}) {
            float[] y = Tensor.full(Device.CPU, 1f, N).dropout(p, true, new Philox(9)).toArray();
            int zeros = 0;
            double sum = 0;
            for (float v : y) {
                if (v == 0f) {
                    zeros++;
                } else {
                    assertEquals(1f / (1f - p), v, "kept values are scaled by 1/(1-p)");
                }
                sum += v;
            }
            double sigma = Math.sqrt(p * (1 - p) / N);
            assertEquals(p, (double) zeros / N, 6 * sigma, "fraction dropped at p=" + p);
            // E[y] = 1: the scaling keeps the expectation
            assertEquals(1.0, sum / N, 6 * sigma / (1 - p), "mean at p=" + p);
        }
    }

    @Test
    void zeroProbabilityAndEvaluationAreIdentity() {
        Tensor x = Tensor.randn(new Philox(1), Device.CPU, 7, 5).requiresGrad(true);
        assertSame(x, x.dropout(0f, true, new Philox(2)));
        assertSame(x, x.dropout(0.7f, false, new Philox(2)));
    }

    @Test
    void sameSeedSameMaskAndTheGeneratorMovesOn() {
        Tensor x = Tensor.full(Device.CPU, 1f, 1000);
        float[] a = x.dropout(0.5f, true, new Philox(4)).toArray();
        float[] b = x.dropout(0.5f, true, new Philox(4)).toArray();
        assertArrayEquals(a, b);
        assertFalse(Arrays.equals(a, x.dropout(0.5f, true, new Philox(5)).toArray()), "another seed, another mask");
        Philox g = new Philox(4);
        float[] first = x.dropout(0.5f, true, g).toArray();
        float[] second = x.dropout(0.5f, true, g).toArray();
        assertArrayEquals(a, first);
        assertFalse(Arrays.equals(first, second), "a second draw from the same generator continues the stream");
    }

    @Test
    void sameSeedGivesTheSameMaskOnTheReferenceBackend() {
        float[] cpu = Tensor.full(Backends.cpu(), 1f, 13, 1001).dropout(0.3f, true, new Philox(21)).toArray();
        float[] ref = OnBackend.reference(() ->
                Tensor.full(Device.CPU, 1f, 13, 1001).dropout(0.3f, true, new Philox(21)).toArray());
        for (int i = 0; i < cpu.length; i++) {
            assertEquals(cpu[i] == 0f, ref[i] == 0f, "mask differs at element " + i);
        }
        assertTrue(OnBackend.reference(() -> Backends.get(Device.CPU)) instanceof ReferenceBackend);
    }

    @Test
    void gradientFlowsOnlyThroughKeptElements() {
        Tensor x = Tensor.randn(new Philox(1), Device.CPU, 5000).requiresGrad(true);
        Tensor y = x.dropout(0.4f, true, new Philox(8));
        float[] ys = y.toArray();
        float[] g = y.sum().backward().get(x).toArray();
        for (int i = 0; i < g.length; i++) {
            assertEquals(ys[i] == 0f ? 0f : 1f / 0.6f, g[i], "gradient at " + i);
        }
    }
}

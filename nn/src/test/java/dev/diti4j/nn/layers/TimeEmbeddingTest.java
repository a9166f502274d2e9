package dev.diti4j.nn.layers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.diti4j.core.Tensor;
import dev.diti4j.core.backend.Backends;
import dev.diti4j.core.random.Philox;
import org.junit.jupiter.api.Test;

class TimeEmbeddingTest {
    @Test
    void sinusoidalCodeIsCosFirstOnRawIntegerSteps() {
        // dim 4: half 2, f_0 = 1, f_1 = exp(-ln(10000) / 2) = 0.01
        Tensor code = TimeEmbedding.sinusoidal(new int[] {0, 5, 999}, 4, Backends.cpu());
        assertArrayEquals(new int[] {3, 4}, code.shape().dims());
        float[] v = code.toArray();
        assertArrayEquals(new float[] {1, 1, 0, 0}, java.util.Arrays.copyOfRange(v, 0, 4), 0f);
        assertArrayEquals(new float[] {(float) Math.cos(5), (float) Math.cos(0.05), (float) Math.sin(5),
                (float) Math.sin(0.05)}, java.util.Arrays.copyOfRange(v, 4, 8), 1e-6f);
        assertArrayEquals(new float[] {(float) Math.cos(999), (float) Math.cos(9.99), (float) Math.sin(999),
                (float) Math.sin(9.99)}, java.util.Arrays.copyOfRange(v, 8, 12), 1e-4f);
    }

    @Test
    void mlpMapsBaseTo4Base() {
        TimeEmbedding te = new TimeEmbedding(32, dev.diti4j.core.Device.CPU, new Philox(1));
        assertEquals(128, te.embeddingDim());
        assertArrayEquals(new int[] {2, 128}, te.forward(new int[] {3, 4}).shape().dims());
        // Linear(32 -> 128) + Linear(128 -> 128)
        assertEquals(32 * 128 + 128 + 128 * 128 + 128, te.parameterCount());
    }
}

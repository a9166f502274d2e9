package dev.diti4j.nn.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.diti4j.core.Device;
import dev.diti4j.core.Tensor;
import dev.diti4j.core.random.Philox;
import dev.diti4j.nn.layers.Linear;
import org.junit.jupiter.api.Test;

class EmaTest {
    private static Linear layer() {
        Linear lin = new Linear(2, 1, Device.CPU, new Philox(1));
        lin.weight().tensor().assign(Tensor.of(new float[] {1f, 2f}, 1, 2));
        lin.bias().tensor().assign(Tensor.of(new float[] {-1f}, 1));
        return lin;
    }

    @Test
    void averagesWithTheGivenDecay() {
        Linear lin = layer();
        Ema ema = new Ema(lin, 0.9f);
        lin.weight().tensor().assign(Tensor.of(new float[] {3f, 4f}, 1, 2));
        ema.update();
        assertArrayEquals(new float[] {1.2f, 2.2f}, ema.shadow("weight").toArray(), 1e-6f); // 0.9*1 + 0.1*3
        ema.update();
        assertArrayEquals(new float[] {1.38f, 2.38f}, ema.shadow("weight").toArray(), 1e-6f); // 0.9*1.2 + 0.1*3
        assertArrayEquals(new float[] {-1f}, ema.shadow("bias").toArray(), 1e-6f);
        assertEquals(2, ema.updates());
    }

    @Test
    void swapTwiceRestoresAndCopyToFillsAnotherModel() {
        Linear lin = layer();
        Ema ema = new Ema(lin, 0.5f);
        lin.weight().tensor().assign(Tensor.of(new float[] {3f, 6f}, 1, 2));
        ema.update(); // shadow (2, 4)
        ema.swap();
        assertArrayEquals(new float[] {2f, 4f}, lin.weight().tensor().toArray(), 0f);
        assertArrayEquals(new float[] {3f, 6f}, ema.shadow("weight").toArray(), 0f);
        ema.swap();
        assertArrayEquals(new float[] {3f, 6f}, lin.weight().tensor().toArray(), 0f);

        Linear eval = new Linear(2, 1, Device.CPU, new Philox(9));
        ema.copyTo(eval);
        assertArrayEquals(new float[] {2f, 4f}, eval.weight().tensor().toArray(), 0f);
        assertArrayEquals(new float[] {-1f}, eval.bias().tensor().toArray(), 0f);

        Linear wrong = new Linear(3, 1, Device.CPU, new Philox(9));
        assertEquals("EMA.copyTo: parameter 'weight' is (1,3) in the target but (1,2) in the average",
                assertThrows(IllegalArgumentException.class, () -> ema.copyTo(wrong)).getMessage());
    }

    @Test
    void metadataRoundTrip() {
        Ema a = new Ema(layer(), 0.999f);
        a.update();
        a.update();
        Ema b = new Ema(layer(), 0.999f);
        b.restoreMetadata(a.stateMetadata());
        assertEquals(2, b.updates());
        assertEquals("{\"type\":\"EMA\",\"decay\":0.999,\"updates\":2}", a.stateMetadata());
    }
}

package dev.diti4j.diti.model;

import static dev.diti4j.diti.model.PartitionTest.assertMessage;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.diti4j.core.Device;
import dev.diti4j.core.Gradients;
import dev.diti4j.core.Tensor;
import dev.diti4j.core.backend.Backend;
import dev.diti4j.core.backend.Backends;
import dev.diti4j.core.random.Philox;
import org.junit.jupiter.api.Test;

/** METHOD 4.4 (M, K, R) and 4.5 (the base and stop_grad conditions). */
class MasksTest {
    private static final Backend CPU = Backends.get(Device.CPU);

    @Test
    void cumulativeNewestAndOlderMasks() {
        Partition p = Partition.explicit(10, new int[] {2, 3, 5});
        Masks m = new Masks(p);
        assertArrayEquals(new float[] {1, 1, 0, 0, 0, 0, 0, 0, 0, 0}, m.cumulative(0));
        assertArrayEquals(new float[] {1, 1, 1, 1, 1, 0, 0, 0, 0, 0}, m.cumulative(1));
        assertArrayEquals(new float[] {1, 1, 1, 1, 1, 1, 1, 1, 1, 1}, m.cumulative(2));
        assertArrayEquals(new float[] {1, 1, 0, 0, 0, 0, 0, 0, 0, 0}, m.newest(0));
        assertArrayEquals(new float[] {0, 0, 1, 1, 1, 0, 0, 0, 0, 0}, m.newest(1));
        assertArrayEquals(new float[] {0, 0, 0, 0, 0, 1, 1, 1, 1, 1}, m.newest(2));
        assertArrayEquals(new float[10], m.older(0));
        assertArrayEquals(new float[] {1, 1, 0, 0, 0, 0, 0, 0, 0, 0}, m.older(1));
        assertArrayEquals(new float[] {1, 1, 1, 1, 1, 0, 0, 0, 0, 0}, m.older(2));
    }

    @Test
    void cumulativeIsNewestPlusOlderAndTheCelebaEnds() {
        Partition p = Partition.celeba64();
        Masks m = new Masks(p);
        for (int i = 0; i < p.subsets(); i++) {
            float[] cm = m.cumulative(i);
            float[] k = m.newest(i);
            float[] r = m.older(i);
            for (int j = 0; j < 512; j++) {
                assertEquals(cm[j], k[j] + r[j], "M = K + R at subset " + i + ", dimension " + j);
                assertEquals(j < p.end(i) ? 1f : 0f, cm[j]);
                assertEquals(j >= p.start(i) && j < p.end(i) ? 1f : 0f, k[j]);
            }
        }
        assertEquals(6f, sum(m.cumulative(2)));   // blocks 0-2 cover [0, 6)
        assertEquals(27f, sum(m.newest(19)));
        assertEquals(335f, sum(m.older(19)));
        assertEquals(19f, sum(m.newest(63)));
    }

    @Test
    void oneSubsetIsPdae() {
        Masks m = new Masks(Partition.uniform(1, 6));
        assertArrayEquals(new float[] {1, 1, 1, 1, 1, 1}, m.cumulative(0));
        assertArrayEquals(new float[] {1, 1, 1, 1, 1, 1}, m.newest(0));
        assertArrayEquals(new float[6], m.older(0));
        float[] rows = m.cumulative(new int[] {0, 500, 999}, CPU).toArray();
        for (float v : rows) {
            assertEquals(1f, v);
        }
        assertArrayEquals(new float[18], m.older(new int[] {0, 500, 999}, CPU).toArray());
    }

    @Test
    void batchRowsFollowEachSamplesTimeStep() {
        Partition p = Partition.uniform(4, 8);       // i(t) = floor(4 t / 1000): t 249 -> 0, 250 -> 1, 999 -> 3
        Masks m = new Masks(p);
        int[] t = {249, 250, 999};
        Tensor mt = m.cumulative(t, CPU);
        assertArrayEquals(new int[] {3, 8}, mt.shape().dims());
        assertArrayEquals(new float[] {1, 1, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1},
                mt.toArray());
        assertArrayEquals(new float[] {1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1},
                m.newest(t, CPU).toArray());
        assertArrayEquals(new float[] {0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 0, 0},
                m.older(t, CPU).toArray());
        assertMessage(() -> m.cumulative(new int[] {1000}, CPU), "time step 1000 is outside [0, 1000)");
    }

    @Test
    void stopGradHasTheValueOfBaseAndTheGradientOfTheNewestSubsetOnly() {
        Partition p = Partition.explicit(10, new int[] {2, 3, 5});
        Masks m = new Masks(p);
        int[] t = {0, 500, 999};   // subsets 0, 1, 2 of k = 3: i = floor(3 t / 1000)
        assertArrayEquals(new int[] {0, 1, 2}, p.subsetsOf(t));
        Tensor z = Tensor.randn(new Philox(3), Device.CPU, 3, 10).requiresGrad(true);
        Tensor base = m.condition(z, t, LossMode.BASE);
        Tensor stop = m.condition(z, t, LossMode.STOP_GRAD);
        float[] bv = base.toArray();
        float[] sv = stop.toArray();
        for (int j = 0; j < bv.length; j++) {
            assertEquals(Float.floatToRawIntBits(bv[j]), Float.floatToRawIntBits(sv[j]), "same bits at " + j);
        }
        float[] zv = z.toArray();
        float[] mv = m.cumulative(t, CPU).toArray();
        for (int j = 0; j < bv.length; j++) {
            assertEquals(mv[j] == 1f ? zv[j] : 0f, bv[j], 0f);
        }
        Tensor w = Tensor.randn(new Philox(4), Device.CPU, 3, 10);
        Gradients gb = base.backward(w);
        Gradients gs = stop.backward(w);
        assertArrayEquals(w.mul(m.cumulative(t, CPU)).toArray(), gb.get(z).toArray(), 0f);
        assertArrayEquals(w.mul(m.newest(t, CPU)).toArray(), gs.get(z).toArray(), 0f);
    }

    @Test
    void conditionChecksItsInputs() {
        Masks m = new Masks(Partition.uniform(2, 4));
        Tensor z = Tensor.zeros(2, 4);
        assertMessage(() -> m.condition(Tensor.zeros(2, 5), new int[] {1, 2}, LossMode.BASE),
                "the features must have shape (B, 4), got (2,5)");
        assertMessage(() -> m.condition(z, new int[] {1}, LossMode.BASE),
                "the condition needs one time step per sample: batch 2 but 1 time steps");
        assertMessage(() -> m.condition(z, new int[] {1, 2}, LossMode.DUAL),
                "the dual mode has two conditions: form the base and the stop_grad condition separately");
        assertNull(m.condition(z, new int[] {1, 2}, LossMode.BASE).producer(), "no graph without gradients");
        assertThrows(IllegalArgumentException.class, () -> m.cumulative(new int[0], CPU));
    }

    @Test
    void lossModeNames() {
        assertEquals(LossMode.BASE, LossMode.parse("base"));
        assertEquals(LossMode.STOP_GRAD, LossMode.parse("stop_grad"));
        assertEquals(LossMode.STOP_GRAD, LossMode.parse("Stop-Grad"));
        assertEquals(LossMode.DUAL, LossMode.parse("dual"));
        assertEquals("stop_grad", LossMode.STOP_GRAD.toString());
        assertMessage(() -> LossMode.parse("both"), "unknown DiTi loss mode 'both': use base, stop_grad or dual");
    }

    private static float sum(float[] a) {
        float s = 0;
        for (float v : a) {
            s += v;
        }
        return s;
    }
}

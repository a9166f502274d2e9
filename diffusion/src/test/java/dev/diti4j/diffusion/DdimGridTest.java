package dev.diti4j.diffusion;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

class DdimGridTest {
    private final NoiseSchedule lin = NoiseSchedule.linear();

    @Test
    void respacedGridKeepsTruncatedLinspace() {
        DdimGrid g = DdimGrid.respaced(lin, 50);
        int[] ts = g.timesteps();
        assertEquals(51, ts.length);
        // linspace(0, 999, 51) = 0, 19.98, 39.96, ... truncated.
        assertEquals(0, ts[0]);
        assertEquals(19, ts[1]);
        assertEquals(39, ts[2]);
        assertEquals(499, ts[25]);
        assertEquals(979, ts[49]);
        assertEquals(999, ts[50]);
        assertEquals(50, g.size());
        List<DdimGrid.Step> rev = g.reverseSteps();
        assertEquals(new DdimGrid.Step(999, lin.abar(979)), rev.get(0));
        // The last sampling step lands on abar_0, not on 1.
        assertEquals(new DdimGrid.Step(19, lin.abar(0)), rev.get(49));
        List<DdimGrid.Step> fwd = g.forwardSteps();
        assertEquals(new DdimGrid.Step(0, lin.abar(19)), fwd.get(0));
        assertEquals(new DdimGrid.Step(979, lin.abar(999)), fwd.get(49));
    }

    @Test
    void respacedGridDropsDuplicatesAtFullResolution() {
        DdimGrid g = DdimGrid.respaced(lin, 1000);
        // linspace(0, 999, 1001) truncates to every integer 0..999 (one duplicate dropped).
        assertEquals(1000, g.timesteps().length);
        assertEquals(999, g.size());
        DdimGrid g100 = DdimGrid.respaced(lin, 100);
        assertArrayEquals(new int[] {0, 9, 19, 29}, java.util.Arrays.copyOf(g100.timesteps(), 4));
    }

    @Test
    void stridedGridEndsAtOneAndZero() {
        DdimGrid g = DdimGrid.strided(lin, 50);
        int[] ts = g.timesteps();
        assertEquals(50, ts.length);
        assertEquals(0, ts[0]);
        assertEquals(20, ts[1]);
        assertEquals(980, ts[49]);
        List<DdimGrid.Step> rev = g.reverseSteps();
        assertEquals(50, rev.size());
        assertEquals(new DdimGrid.Step(980, lin.abar(960)), rev.get(0));
        assertEquals(new DdimGrid.Step(0, 1.0), rev.get(49));
        List<DdimGrid.Step> fwd = g.forwardSteps();
        assertEquals(new DdimGrid.Step(0, lin.abar(20)), fwd.get(0));
        assertEquals(new DdimGrid.Step(980, 0.0), fwd.get(49));
        // 1000 // 300 = 3: range(0, 1000, 3) has 334 entries.
        assertEquals(334, DdimGrid.strided(lin, 300).size());
    }

    @Test
    void badStepCountsAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> DdimGrid.respaced(lin, 0));
        assertThrows(IllegalArgumentException.class, () -> DdimGrid.strided(lin, 1001));
    }
}

package dev.diti4j.diti.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/** METHOD 4.2 (i(t)) and 4.3 (uniform, explicit and stage partitions). */
class PartitionTest {
    /**
     * METHOD 4.3's table, one row per line: first block, last block, first t, last t, width per
     * block, first dimension, end dimension.
     */
    private static final int[][] CELEBA_TABLE = {
        {0, 2, 0, 46, 2, 0, 6},
        {3, 3, 47, 62, 4, 6, 10},
        {4, 5, 63, 93, 8, 10, 26},
        {6, 6, 94, 109, 9, 26, 35},
        {7, 18, 110, 296, 25, 35, 335},
        {19, 19, 297, 312, 27, 335, 362},
        {20, 30, 313, 484, 8, 362, 450},
        {31, 31, 485, 499, 12, 450, 462},
        {32, 62, 500, 984, 1, 462, 493},
        {63, 63, 985, 999, 19, 493, 512},
    };

    @Test
    void celebaStageTableIsMethod43RowByRow() {
        Partition p = Partition.celeba64();
        assertEquals(64, p.subsets());
        assertEquals(512, p.latentDim());
        assertEquals(1000, p.steps());
        int covered = 0;
        for (int[] row : CELEBA_TABLE) {
            String r = "row blocks " + row[0] + "-" + row[1];
            assertEquals(covered, row[0], r + " follows the previous row");
            assertEquals(row[2], p.firstStep(row[0]), r + ": first t");
            assertEquals(row[3], p.lastStep(row[1]), r + ": last t");
            assertEquals(row[5], p.start(row[0]), r + ": first dimension");
            assertEquals(row[6], p.end(row[1]), r + ": end dimension");
            for (int i = row[0]; i <= row[1]; i++) {
                assertEquals(row[4], p.width(i), r + ": width of block " + i);
                assertEquals(i, p.subsetOf(p.firstStep(i)), "block " + i + " starts at its first step");
                assertEquals(i, p.subsetOf(p.lastStep(i)), "block " + i + " ends at its last step");
            }
            for (int t = row[2]; t <= row[3]; t++) {
                int i = p.subsetOf(t);
                assertTrue(i >= row[0] && i <= row[1], r + ": t = " + t + " maps to block " + i);
            }
            covered = row[1] + 1;
        }
        assertEquals(64, covered);
        // 327 of the 512 dimensions serve t = 110 ... 312
        assertEquals(327, p.end(19) - p.start(7));
    }

    @Test
    void subsetIndexIsFloorOfTkOverT() {
        // METHOD 4.2 and 8 item 4: 0-based t, i(t) = floor(t k / T)
        Partition p = Partition.uniform(64, 512);
        for (int t = 0; t < 1000; t++) {
            assertEquals(t * 64 / 1000, p.subsetOf(t), "t = " + t);
        }
        assertEquals(0, p.subsetOf(15));
        assertEquals(1, p.subsetOf(16));   // 16 * 64 = 1024
        assertEquals(2, p.subsetOf(32));
        assertEquals(3, p.subsetOf(47));   // 46 * 64 = 2944 < 3000 <= 3008
        assertEquals(63, p.subsetOf(999));
        for (int i = 0; i < 64; i++) {
            int n = p.lastStep(i) - p.firstStep(i) + 1;
            assertTrue(n == 15 || n == 16, "subset " + i + " covers " + n + " steps");
        }
        // the small recipe (METHOD 9): 16 subsets of 4 dimensions, 62.5 steps each
        Partition small = Partition.uniform(16, 64);
        assertEquals(0, small.subsetOf(62));
        assertEquals(1, small.subsetOf(63));
        assertEquals(15, small.subsetOf(999));
        assertArrayEquals(new int[] {0, 0, 1, 15}, small.subsetsOf(new int[] {0, 62, 63, 999}));
    }

    @Test
    void uniformPartitions() {
        Partition p = Partition.uniform(64, 512);
        for (int i = 0; i < 64; i++) {
            assertEquals(8 * i, p.start(i));
            assertEquals(8 * i + 8, p.end(i));
        }
        Partition small = Partition.uniform(16, 64);
        assertArrayEquals(new int[] {4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4}, small.widths());
        // k not dividing d: [floor(i d / k), floor((i + 1) d / k))
        assertArrayEquals(new int[] {3, 3, 4}, Partition.uniform(3, 10).widths());
        assertArrayEquals(new int[] {1, 1, 1}, Partition.uniform(3, 3).widths());
        Partition one = Partition.uniform(1, 64);
        assertEquals(1, one.subsets());
        assertEquals(0, one.start(0));
        assertEquals(64, one.end(0));
        assertEquals(0, one.subsetOf(0));
        assertEquals(0, one.subsetOf(999));
    }

    @Test
    void explicitWidths() {
        int[] widths = {2, 2, 4, 8, 16, 32};
        Partition p = Partition.explicit(64, widths);
        assertArrayEquals(widths, p.widths());
        assertArrayEquals(new int[] {2, 4, 8, 16, 32, 64}, p.ends());
        widths[0] = 99;
        assertEquals(2, p.width(0), "the partition copies its widths");
        assertEquals(Partition.uniform(4, 8), Partition.explicit(8, new int[] {2, 2, 2, 2}));
        assertEquals(Partition.celeba64(), Partition.explicit(512, Partition.celeba64().widths()));
        assertFalse(Partition.uniform(4, 8).equals(Partition.explicit(8, new int[] {2, 2, 2, 2}, 500)));
    }

    @Test
    void stagePartitionSplitsBudgetsWithTheRemainderOnEachStagesLastBlock() {
        // 8 blocks over T = 100 (first steps 0, 13, 25, 38, 50, 63, 75, 88); stages end at 40 and 100
        Partition p = Partition.stages(8, 20, 100, new int[] {40, 100}, new int[] {9, 11});
        assertArrayEquals(new int[] {2, 2, 2, 3, 2, 2, 2, 5}, p.widths());
        // the small-d trap METHOD 9 warns about is refused, not turned into zero-width blocks
        assertMessage(() -> Partition.stages(64, 64, 1000, Partition.CELEBA_STAGE_ENDS, new int[] {2, 4, 40, 12, 6}),
                "stage 0 [0, 50) splits 2 dimensions over 4 subsets, which leaves subsets of width 0; give it at least 4"
                        + " dimensions or use explicit widths");
        // 4 blocks start at t = 0, 250, 500, 750: none in [10, 100)
        assertMessage(() -> Partition.stages(4, 10, 1000, new int[] {10, 100, 1000}, new int[] {2, 3, 5}),
                "stage 1 [10, 100) holds the first time step of no subset, so its budget of 3 dimensions would be"
                        + " lost");
        assertArrayEquals(new int[] {2, 2, 2, 4},
                Partition.stages(4, 10, 1000, new int[] {10, 100, 1000}, new int[] {2, 0, 8}).widths());
        assertMessage(() -> Partition.stages(4, 10, 1000, new int[] {100, 900}, new int[] {5, 5}),
                "the last stage must end at the number of time steps 1000, not at 900");
        assertMessage(() -> Partition.stages(4, 10, 1000, new int[] {600, 500, 1000}, new int[] {5, 5, 0}),
                "stage ends must increase from above 0, but stage 1 ends at 500 after 600");
        assertMessage(() -> Partition.stages(4, 10, 1000, new int[] {500, 1000}, new int[] {5, 4}),
                "the stage budgets add up to 9 dimensions, not the feature length 10");
        assertMessage(() -> Partition.stages(4, 10, 1000, new int[] {500, 1000}, new int[] {5}),
                "a stage partition needs as many dimension budgets as stages, got 2 stages and 1 budgets");
    }

    @Test
    void badInputIsRefusedWithOneSentence() {
        assertMessage(() -> Partition.explicit(64, new int[] {30, 30}),
                "the 2 subset widths add up to 60, not the feature length 64");
        assertMessage(() -> Partition.explicit(64, new int[] {40, 30}),
                "the 2 subset widths add up to 70, not the feature length 64");
        assertMessage(() -> Partition.explicit(8, new int[] {4, 0, 4}),
                "subset 1 has width 0; every subset needs at least one dimension");
        assertMessage(() -> Partition.explicit(8, new int[] {4, -1, 5}),
                "subset 1 has width -1; every subset needs at least one dimension");
        assertMessage(() -> Partition.explicit(8, new int[0]), "a partition needs at least one subset width");
        assertMessage(() -> Partition.uniform(65, 64),
                "k = 65 subsets cannot split a feature of length 64 without empty subsets; use k <= d");
        assertMessage(() -> Partition.uniform(0, 64), "the number of subsets k must be at least 1, got 0");
        assertMessage(() -> Partition.uniform(-3, 64), "the number of subsets k must be at least 1, got -3");
        assertMessage(() -> Partition.uniform(1, 0), "the feature length d must be at least 1, got 0");
        assertMessage(() -> Partition.uniform(20, 64, 10),
                "k = 20 subsets are more than the 10 time steps, so some subset would never be trained; use k <= T");
        Partition p = Partition.celeba64();
        assertMessage(() -> p.subsetOf(1000), "time step 1000 is outside [0, 1000)");
        assertMessage(() -> p.subsetOf(-1), "time step -1 is outside [0, 1000)");
        assertMessage(() -> p.subsetsOf(new int[] {5, 1000}), "time step 1000 is outside [0, 1000)");
        assertMessage(() -> p.start(64), "subset 64 is outside [0, 64)");
        assertMessage(() -> p.width(-1), "subset -1 is outside [0, 64)");
    }

    @Test
    void jsonRoundTrip() {
        for (Partition p : new Partition[] {Partition.celeba64(), Partition.uniform(1, 64), Partition.uniform(16, 64),
                Partition.explicit(10, new int[] {1, 2, 7}, 200)}) {
            assertEquals(p, Partition.fromJson(p.toJson()), p.toString());
        }
        assertEquals("{\"steps\":1000,\"widths\":[3,3,4]}", Partition.uniform(3, 10).toJson());
        assertMessage(() -> Partition.fromJson("{\"steps\":1000,\"widths\":[3,0,4]}"),
                "subset 1 has width 0; every subset needs at least one dimension");
        assertThrows(IllegalArgumentException.class, () -> Partition.fromJson("{\"steps\":1000}"));
        assertThrows(IllegalArgumentException.class, () -> Partition.fromJson("[1,2"));
    }

    static void assertMessage(Supplier<?> call, String message) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call::get);
        assertEquals(message, e.getMessage());
        assertFalse(e.getMessage().contains("\n"), "one line");
    }
}

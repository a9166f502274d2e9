package dev.diti4j.core.random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.diti4j.core.Device;
import dev.diti4j.core.Tensor;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** Philox4x32-10: the published known answers, the documented stream layout, and the distributions. */
class PhiloxTest {

    @Test
    void random123KnownAnswers() {
        // kat_vectors of Random123 for philox4x32_10: counter, key -> output
        int[] out = new int[4];
        Philox.philox4x32x10(0, 0, 0, 0, 0, 0, out);
        assertArrayEquals(new int[] {0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8}, out);
        Philox.philox4x32x10(-1, -1, -1, -1, -1, -1, out);
        assertArrayEquals(new int[] {0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd}, out);
        Philox.philox4x32x10(0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344, 0xa4093822, 0x299f31d0, out);
        assertArrayEquals(new int[] {0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1}, out);
    }

    @Test
    void blockCounterAndKeyWords() {
        // block(key, c) is the raw bijection with counter (lo32(c), hi32(c), 0, 0), key (lo32(k), hi32(k))
        long key = 0x299f31d0a4093822L;
        long counter = 0x85a308d3243f6a88L;
        int[] raw = new int[4];
        Philox.philox4x32x10(0x243f6a88, 0x85a308d3, 0, 0, 0xa4093822, 0x299f31d0, raw);
        assertArrayEquals(raw, Philox.block(key, counter));
    }

    @Test
    void elementIReadsWordIMod4OfBlockOffsetPlusIDiv4() {
        long seed = 1234;
        Philox g = new Philox(seed, 5);
        float[] u = Tensor.rand(g, Device.CPU, 11).toArray();
        float[] z = Tensor.randn(g, Device.CPU, 6).toArray();
        for (int i = 0; i < 11; i++) {
            assertEquals(Philox.uniform(Philox.block(seed, 5 + i / 4)[i % 4]), u[i], 0f, "uniform element " + i);
        }
        // the first draw took blocks 5, 6, 7: the second starts at block 8
        for (int i = 0; i < 6; i++) {
            assertEquals(Philox.normal(Philox.block(seed, 8 + i / 4), i % 4), z[i], 0f, "normal element " + i);
        }
        assertEquals(10, g.offset());
    }

    @Test
    void offsetsAdvanceByCeilNOver4() {
        int[][] cases = {{0, 0}, {1, 1}, {3, 1}, {4, 1}, {5, 2}, {8, 2}, {9, 3}, {1001, 251}};
        for (int[] c : cases) {
            Philox g = new Philox(1, 7);
            assertEquals(7, g.reserve(c[0]));
            assertEquals(7 + c[1], g.offset(), "after drawing " + c[0]);
        }
        Philox g = new Philox(1);
        g.nextUniform();
        assertEquals(1, g.offset(), "a single value consumes a whole block");
    }

    @Test
    void theCpuBackendMatchesTheHostStreamAcrossParallelChunks() {
        int n = 100_003;
        Philox g = new Philox(77, 13);
        float[] u = Tensor.rand(g, Device.CPU, n).toArray();
        float[] z = Tensor.randn(g, Device.CPU, n).toArray();
        float[] wantU = new float[n];
        float[] wantZ = new float[n];
        Philox.fill(false, 77, 13, wantU, 0, n);
        Philox.fill(true, 77, 13 + (n + 3) / 4, wantZ, 0, n);
        assertArrayEquals(wantU, u);
        assertArrayEquals(wantZ, z);
    }

    @Test
    void uniformIsInTheUnitIntervalWithTheRightMoments() {
        int n = 1_000_000;
        float[] u = Tensor.rand(new Philox(5), Device.CPU, n).toArray();
        double sum = 0;
        double sq = 0;
        float min = 1;
        float max = 0;
        for (float v : u) {
            sum += v;
            sq += v * (double) v;
            min = Math.min(min, v);
            max = Math.max(max, v);
        }
        assertTrue(min >= 0f && max < 1f, "range [" + min + ", " + max + "]");
        double mean = sum / n;
        assertEquals(0.5, mean, 5 * Math.sqrt(1.0 / 12 / n));
        assertEquals(1.0 / 12, sq / n - mean * mean, 5 * Math.sqrt(1.0 / 180 / n));
        assertEquals(0f, Philox.uniform(0));
        assertEquals(1f - 0x1p-24f, Philox.uniform(-1), "the largest value is below 1");
    }

    @Test
    void normalHasMeanZeroVarianceOneAndNormalTails() {
        int n = 1_000_000;
        float[] z = Tensor.randn(new Philox(6), Device.CPU, n).toArray();
        double sum = 0;
        double sq = 0;
        int beyond2 = 0;
        for (float v : z) {
            assertTrue(Float.isFinite(v));
            sum += v;
            sq += v * (double) v;
            beyond2 += Math.abs(v) > 2 ? 1 : 0;
        }
        double mean = sum / n;
        assertEquals(0, mean, 5 / Math.sqrt(n));
        assertEquals(1, sq / n - mean * mean, 5 * Math.sqrt(2.0 / n));
        double p2 = 0.0455; // P(|Z| > 2)
        assertEquals(p2, (double) beyond2 / n, 5 * Math.sqrt(p2 * (1 - p2) / n));
        // the extreme words stay finite: u1 is in (0, 1]
        assertTrue(Float.isFinite(Philox.normal(new int[4], 0)));
        assertEquals(0f, Math.abs(Philox.normal(new int[] {-1, 0, 0, 0}, 0)), "u1 = 1 gives radius 0");
    }

    @Test
    void sameSeedSameValuesOtherSeedOtherValues() {
        float[] a = Tensor.randn(new Philox(42), Device.CPU, 64).toArray();
        float[] b = Tensor.randn(new Philox(42), Device.CPU, 64).toArray();
        float[] c = Tensor.randn(new Philox(43), Device.CPU, 64).toArray();
        assertArrayEquals(a, b);
        assertFalse(Arrays.equals(a, c));
        Philox base = new Philox(42);
        assertEquals(base.fork(1).key(), new Philox(42).fork(1).key(), "forks are deterministic");
        assertNotEquals(base.fork(1).key(), base.fork(2).key(), "distinct stream ids give distinct keys");
        assertNotEquals(base.key(), base.fork(0).key());
    }

    @Test
    void nextIntStaysInRange() {
        Philox g = new Philox(8);
        int[] counts = new int[7];
        for (int i = 0; i < 70_000; i++) {
            counts[g.nextInt(7)]++;
        }
        for (int c : counts) {
            assertEquals(10_000, c, 500);
        }
    }
}

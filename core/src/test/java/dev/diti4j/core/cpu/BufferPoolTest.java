package dev.diti4j.core.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The pool's bound on live plus pooled bytes and its least-recently-used eviction. */
class BufferPoolTest {

    private static float[] take(BufferPool p, int n) {
        float[] a = p.take(n);
        return a != null ? a : p.fresh(n);
    }

    @Test
    void aWorkingSetThatFitsIsReusedWholeEveryRound() {
        BufferPool p = new BufferPool(4L * 1000);
        for (int round = 0; round < 5; round++) {
            float[] a = take(p, 300);
            float[] b = take(p, 200);
            float[] c = take(p, 300);
            p.giveBack(a);
            p.giveBack(b);
            p.giveBack(c);
        }
        assertEquals(3, p.stats().allocations(), "only the first round allocates");
        assertEquals(12, p.stats().reuses());
        assertEquals(0, p.stats().liveBytes());
        assertEquals(4L * 800, p.stats().pooledBytes());
        assertEquals(4L * 800, p.stats().peakLiveBytes());
    }

    @Test
    void liveAndPooledBytesStayUnderTheCap() {
        BufferPool p = new BufferPool(4L * 1000);
        float[] a = take(p, 600);
        float[] b = take(p, 300);
        p.giveBack(a);
        p.giveBack(b);
        assertEquals(4L * 900, p.stats().pooledBytes());
        float[] c = take(p, 500); // a miss that would make 1400: the 600-array (used longest ago) goes
        assertTrue(p.stats().liveBytes() + p.stats().pooledBytes() <= 4L * 1000, p.stats().toString());
        p.giveBack(c);
        assertEquals(4L * 800, p.stats().pooledBytes(), "the 300- and 500-arrays");
        assertSame(c, p.take(500));
        assertSame(b, p.take(300));
        assertNull(p.take(600));
    }

    @Test
    void theLengthUsedLongestAgoIsEvictedFirst() {
        BufferPool p = new BufferPool(4L * 1000);
        float[] old = take(p, 400);
        float[] recent = take(p, 400);
        p.giveBack(old);
        p.giveBack(recent);   // both pooled: 800
        float[] x = take(p, 400);
        p.giveBack(x);        // 400 is now the most recent length
        float[] y = take(p, 100);
        p.giveBack(y);        // 900 pooled
        float[] z = take(p, 300); // needs 200 more than fits: a 400-array goes, the 100 stays (100 was used last)
        p.giveBack(z);
        assertNotNull(p.take(100), "the recently used length stays");
        assertNotNull(p.take(400));
        assertNull(p.take(400), "one of the two 400-arrays was evicted");
    }

    @Test
    void anArrayThatCannotFitIsDropped() {
        BufferPool p = new BufferPool(4L * 100);
        float[] big = take(p, 200);
        p.giveBack(big);
        assertEquals(0, p.stats().pooledBytes());
        assertNull(p.take(200));
    }
}

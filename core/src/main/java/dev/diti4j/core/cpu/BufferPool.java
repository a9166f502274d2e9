package dev.diti4j.core.cpu;

import dev.diti4j.core.backend.MemoryStats;
import java.lang.ref.SoftReference;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Reuses float arrays by exact length. Training allocates the same shapes every step, so after
 * the first step every allocation is served from here.
 *
 * <p>The pool is bounded by what it may cost, not by what it holds: live plus pooled bytes stay
 * under a cap (system property {@code diti4j.cpu.poolBytes}, default three quarters of the
 * maximum heap). Size classes are kept in least-recently-used order. A released array that
 * would take the total over the cap first evicts the arrays of the sizes used longest ago, and is
 * dropped itself only when that is not enough; a fresh allocation that takes the total over the
 * cap evicts the same way. Evicted arrays are left to the garbage collector. So a working set that
 * fits is kept whole (no allocation, no garbage, step after step), while sizes that stopped being
 * asked for (another batch size, sampling between training steps) give way to the ones in use
 * instead of pinning the heap forever.
 *
 * <p>Pooled arrays are held through soft references, so the pool can never be the reason for an
 * {@link OutOfMemoryError}: the collector clears them before it gives up (in practice only when the
 * heap is nearly full; steps a few seconds apart do not age them out). {@code pooledBytes} counts
 * the arrays pooled and not yet taken or evicted, including any the collector cleared since.
 */
final class BufferPool {
    private final long capBytes;
    /** Free arrays per length, least recently used length first. */
    private final LinkedHashMap<Integer, ArrayDeque<SoftReference<float[]>>> free = new LinkedHashMap<>(64, 0.75f, true);
    private long liveBytes;
    private long peakLiveBytes;
    private long pooledBytes;
    private long allocations;
    private long reuses;

    BufferPool() {
        this(Long.getLong("diti4j.cpu.poolBytes", Runtime.getRuntime().maxMemory() / 4 * 3));
    }

    BufferPool(long capBytes) {
        this.capBytes = capBytes;
    }

    /** A pooled array of length n, or null when the caller must allocate one (then counted as fresh). */
    synchronized float[] take(int n) {
        ArrayDeque<SoftReference<float[]>> q = free.get(n); // marks the length as recently used
        long bytes = 4L * n;
        float[] a = null;
        while (a == null && q != null && !q.isEmpty()) {
            a = q.pollLast().get(); // null when the collector cleared it
            pooledBytes -= bytes;
        }
        if (a != null) {
            reuses++;
        } else {
            allocations++;
            evict(liveBytes + bytes + pooledBytes - capBytes, -1);
        }
        liveBytes += bytes;
        peakLiveBytes = Math.max(peakLiveBytes, liveBytes);
        return a;
    }

    /** The array for a take that returned null. */
    float[] fresh(int n) {
        return new float[n];
    }

    synchronized void giveBack(float[] a) {
        long bytes = 4L * a.length;
        liveBytes -= bytes;
        long over = liveBytes + pooledBytes + bytes - capBytes;
        if (over > 0) {
            evict(over, a.length);
        }
        if (liveBytes + pooledBytes + bytes <= capBytes) {
            free.computeIfAbsent(a.length, k -> new ArrayDeque<>()).addLast(new SoftReference<>(a));
            pooledBytes += bytes;
        }
    }

    /** Drops pooled arrays, least recently used lengths first, until {@code bytes} are gone; never length {@code keep}. */
    private void evict(long bytes, int keep) {
        Iterator<Map.Entry<Integer, ArrayDeque<SoftReference<float[]>>>> it = free.entrySet().iterator();
        while (bytes > 0 && it.hasNext()) {
            Map.Entry<Integer, ArrayDeque<SoftReference<float[]>>> e = it.next();
            if (e.getKey() == keep) {
                continue;
            }
            ArrayDeque<SoftReference<float[]>> q = e.getValue();
            long b = 4L * e.getKey();
            while (bytes > 0 && !q.isEmpty()) {
                q.pollLast();
                pooledBytes -= b;
                bytes -= b;
            }
            if (q.isEmpty()) {
                it.remove();
            }
        }
    }

    synchronized void trim() {
        free.clear();
        pooledBytes = 0;
    }

    synchronized void resetPeak() {
        peakLiveBytes = liveBytes;
    }

    synchronized MemoryStats stats() {
        return new MemoryStats(liveBytes, pooledBytes, allocations, reuses, peakLiveBytes);
    }
}

package dev.diti4j.core.cpu;

import dev.diti4j.core.backend.MemoryStats;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;

/**
 * Reuses float arrays by exact length. Training allocates the same shapes every step, so after
 * the first step nearly every allocation is served from here. Pooled memory is capped (system
 * property {@code diti4j.cpu.poolBytes}, default a quarter of the maximum heap); beyond the cap
 * released arrays are left to the garbage collector.
 */
final class BufferPool {
    private final long capBytes;
    private final Map<Integer, ArrayDeque<float[]>> free = new HashMap<>();
    private long liveBytes;
    private long peakLiveBytes;
    private long pooledBytes;
    private long allocations;
    private long reuses;

    BufferPool() {
        this.capBytes = Long.getLong("diti4j.cpu.poolBytes", Runtime.getRuntime().maxMemory() / 4);
    }

    synchronized float[] take(int n) {
        ArrayDeque<float[]> q = free.get(n);
        float[] a = q == null ? null : q.pollLast();
        long bytes = 4L * n;
        if (a != null) {
            pooledBytes -= bytes;
            reuses++;
        } else {
            allocations++;
        }
        liveBytes += bytes;
        peakLiveBytes = Math.max(peakLiveBytes, liveBytes);
        return a != null ? a : null;
    }

    /** Accounts for an array obtained outside the pool (take returned null). */
    float[] fresh(int n) {
        return new float[n];
    }

    synchronized void giveBack(float[] a) {
        long bytes = 4L * a.length;
        liveBytes -= bytes;
        if (pooledBytes + bytes <= capBytes) {
            free.computeIfAbsent(a.length, k -> new ArrayDeque<>()).addLast(a);
            pooledBytes += bytes;
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

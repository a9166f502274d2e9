package dev.diti4j.core.backend;

/**
 * Memory accounting of one device.
 *
 * @param liveBytes   bytes held by storages that have not been released
 * @param pooledBytes bytes released and kept for reuse
 * @param allocations buffers obtained from the system (not from the pool) since start
 * @param reuses      buffers served from the pool since start
 * @param peakLiveBytes the most bytes live at once since start or since the last
 *                    {@link Backend#resetPeakLiveBytes()}
 */
public record MemoryStats(long liveBytes, long pooledBytes, long allocations, long reuses, long peakLiveBytes) {
}

package dev.diti4j.core.testing;

import dev.diti4j.core.Device;
import dev.diti4j.core.backend.PooledStorage;
import java.util.concurrent.atomic.AtomicLong;

/** A reference-backend buffer: doubles, exactly {@code numel} of them, never pooled. */
final class RefStorage extends PooledStorage {
    final double[] data;

    RefStorage(double[] data, AtomicLong liveBytes) {
        super(freeAction(liveBytes, 8L * data.length));
        this.data = data;
    }

    // a static factory so the action cannot capture the storage itself (it would never be collected)
    private static Runnable freeAction(AtomicLong liveBytes, long bytes) {
        return () -> liveBytes.addAndGet(-bytes);
    }

    @Override
    public Device device() {
        return Device.CPU;
    }

    @Override
    public long numel() {
        return data.length;
    }
}

package dev.diti4j.core.cpu;

import dev.diti4j.core.Device;
import dev.diti4j.core.backend.PooledStorage;

/** A CPU buffer: a float array from the {@link BufferPool}. */
public final class CpuStorage extends PooledStorage {
    /** The elements; only {@code [0, numel)} is meaningful. */
    public final float[] data;

    CpuStorage(float[] data, BufferPool pool) {
        super(() -> pool.giveBack(data));
        this.data = data;
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

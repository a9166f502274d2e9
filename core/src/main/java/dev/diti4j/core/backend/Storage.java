package dev.diti4j.core.backend;

import dev.diti4j.core.Device;

/**
 * A flat float32 buffer owned by one backend, shared by every tensor that views it (a reshape
 * shares its input's storage). Each such tensor holds one reference: {@link #retain()} adds one,
 * {@link #release()} drops one, and the last release returns the memory to the backend's pool.
 * Memory whose tensors are dropped without a release goes back when the storage becomes
 * unreachable.
 */
public interface Storage {
    Device device();

    /** Capacity in elements. */
    long numel();

    /** Adds a reference; fails if the storage was already freed. */
    void retain();

    /** Drops a reference; the last one frees the memory. */
    void release();

    /** True once the memory went back to the pool. */
    boolean isReleased();
}

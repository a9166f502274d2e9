package dev.diti4j.diffusion.train;

import dev.diti4j.core.Tensor;

/**
 * An endless stream of training batches whose position can be saved and restored. To resume a
 * run exactly, the batch after {@link #seek}{@code (p)} must be the batch that followed position
 * {@code p} in the uninterrupted run.
 */
public interface BatchSource extends AutoCloseable {
    /**
     * Where a stream is: the epoch and the index of the next batch within it.
     *
     * @param epoch 0-based epoch
     * @param batch 0-based index of the next batch in that epoch
     */
    record Position(long epoch, long batch) {
        public Position {
            if (epoch < 0 || batch < 0) {
                throw new IllegalArgumentException("batch position must be non-negative, got epoch " + epoch
                        + ", batch " + batch);
            }
        }

        /** The start of the first epoch. */
        public static final Position START = new Position(0, 0);
    }

    /**
     * The next batch of clean images (B, C, H, W) in [−1, 1]. It is created on the calling thread,
     * so it belongs to the caller's {@code Scope}.
     */
    Tensor next();

    /** The position of the batch {@link #next()} returns next. */
    Position position();

    /** Continues from {@code p}: the next batch is the one at that position. */
    void seek(Position p);

    /** Stops background work (prefetch threads); the default does nothing. */
    @Override
    default void close() {
    }
}

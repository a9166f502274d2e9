package dev.diti4j.nn.layers;

import dev.diti4j.core.Tensor;

/** The resampling a {@link ResBlock} does inside itself (METHOD.md 1.3, ResBlock item 5). */
public enum Resample {
    /** Keep the resolution. */
    NONE,
    /** 2x2 average pooling (no conv). */
    DOWN,
    /** Nearest-neighbour x2 (no conv). */
    UP;

    /** Applies the resampling to (B, C, H, W). */
    public Tensor apply(Tensor x) {
        return switch (this) {
            case NONE -> x;
            case DOWN -> x.avgPool2x2();
            case UP -> x.upsampleNearest2x();
        };
    }
}

package dev.diti4j.nn;

import dev.diti4j.core.Tensor;

/** A module with one input and one output (Linear, Conv2d, GroupNorm, SiLU, Dropout, attention). */
public interface Layer {
    Tensor forward(Tensor x);
}

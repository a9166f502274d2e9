package dev.diti4j.core.ops;

/** Distributions the Philox stream can be turned into (see {@code Philox} for the exact mapping). */
public enum Distribution {
    /** U[0, 1): the top 24 bits of each 32-bit word times 2^-24. */
    UNIFORM,
    /** N(0, 1) by Box-Muller on pairs of words. */
    NORMAL
}

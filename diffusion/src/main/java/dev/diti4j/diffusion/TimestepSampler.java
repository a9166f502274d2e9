package dev.diti4j.diffusion;

import dev.diti4j.core.random.Philox;

/** Draws training time steps t ~ Uniform{0 … T−1}, one per sample (METHOD 2.3). */
public final class TimestepSampler {
    private final int steps;

    public TimestepSampler(int steps) {
        if (steps < 1) {
            throw new IllegalArgumentException("time-step sampler needs at least one step, got " + steps);
        }
        this.steps = steps;
    }

    public int steps() {
        return steps;
    }

    /** {@code batch} independent uniform time steps; consumes {@code batch} blocks of {@code rng}. */
    public int[] sample(int batch, Philox rng) {
        if (batch < 0) {
            throw new IllegalArgumentException("batch size must be non-negative, got " + batch);
        }
        int[] t = new int[batch];
        for (int i = 0; i < batch; i++) {
            t[i] = rng.nextInt(steps);
        }
        return t;
    }
}

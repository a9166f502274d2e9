package dev.diti4j.diffusion;

/** Receives progress from a sampler or an inversion, once per network evaluation. */
@FunctionalInterface
public interface StepListener {
    /** A listener that ignores progress. */
    StepListener NONE = (done, total, t) -> { };

    /**
     * Called after each step.
     *
     * @param done  steps finished so far (1 … total)
     * @param total steps in the whole loop
     * @param t     the original time step the network was evaluated at in this step
     */
    void onStep(int done, int total, int t);
}

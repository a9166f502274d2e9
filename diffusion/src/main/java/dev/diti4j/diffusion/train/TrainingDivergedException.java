package dev.diti4j.diffusion.train;

/**
 * A training step produced a non-finite loss, gradient or weight. The message is one sentence
 * naming the step and the first non-finite tensor; the step's update was not applied when the loss
 * or a gradient was the problem, and no checkpoint is written after it.
 */
public final class TrainingDivergedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final long step;
    private final String tensor;

    public TrainingDivergedException(long step, String tensor, String message) {
        super(message);
        this.step = step;
        this.tensor = tensor;
    }

    /** The step (1-based) that diverged. */
    public long step() {
        return step;
    }

    /** The name of the first non-finite tensor (a parameter name), or null when none could be named. */
    public String tensor() {
        return tensor;
    }
}

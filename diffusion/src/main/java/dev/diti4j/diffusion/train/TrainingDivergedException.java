package dev.diti4j.diffusion.train;

/**
 * A training step produced a non-finite loss, gradient or weight. The message is one sentence
 * naming the step and the first non-finite tensor; the step's update was not applied when the loss
 * or a gradient was the problem, and no checkpoint is written after it.
 */
public final class TrainingDivergedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** What was found non-finite first. */
    public enum Cause {
        /** The loss, with finite weights (the forward pass overflowed). */
        LOSS,
        /** A gradient (or the gradient norm), with a finite loss. */
        GRADIENT,
        /** A weight, right after this step's update. */
        UPDATE,
        /** A weight that was already non-finite before the step (the trainer was given broken weights). */
        WEIGHTS
    }

    private final long step;
    private final String tensor;
    private final Cause cause;

    public TrainingDivergedException(long step, String tensor, Cause cause, String message) {
        super(message);
        this.step = step;
        this.tensor = tensor;
        this.cause = cause;
    }

    /** What was found non-finite first; all but {@link Cause#WEIGHTS} mean the training itself diverged. */
    public Cause reason() {
        return cause;
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

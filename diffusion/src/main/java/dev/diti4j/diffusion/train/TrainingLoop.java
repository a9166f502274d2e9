package dev.diti4j.diffusion.train;

import dev.diti4j.core.Scope;
import dev.diti4j.core.Tensor;
import java.nio.file.Path;

/**
 * The training skeleton's loop, written once for every trainer (the DM trainer through
 * {@link TrainingRun}, the DiTi trainer directly): draws batches from a {@link BatchSource}, steps
 * the trainer, saves checkpoints every N steps and at the end through {@link TrainingCheckpoints},
 * and stops at a step count, a time budget or on request (from another thread, for example a
 * Ctrl-C or SIGTERM handler), always leaving a checkpoint of the last step behind. A step that is
 * not finite ({@link TrainingDivergedException}) ends the loop with nothing saved after it.
 *
 * @param <R> what one step of the trainer reports
 */
public final class TrainingLoop<R> {
    /** A trainer the loop can drive: one step per batch, plus what checkpoints need. */
    public interface Trainer<R> extends ResumableTrainer {
        /** One optimisation step on a clean batch; the step count is one higher afterwards. */
        R step(Tensor x0);
    }

    /**
     * Receives progress on the training thread. Per step the calls come in this order: {@link #onStep},
     * the step's checkpoint if one is due, {@link #onCheckpoint}, then {@link #afterStep}. If
     * {@code onStep} or {@code afterStep} throws, the loop saves a checkpoint of the last completed
     * step (unless it has one) and then rethrows.
     */
    public interface Listener<R> {
        /** After every step, outside its scope, before its checkpoint. */
        default void onStep(R r) {
        }

        /** After a checkpoint is written. */
        default void onCheckpoint(long step, Path file) {
        }

        /** After every step and its checkpoint, if one was due. */
        default void afterStep(R r) {
        }
    }

    private final Trainer<R> trainer;
    private final BatchSource source;
    private final TrainingRun.Plan plan;
    private volatile boolean stopRequested;
    private long lastSaved;

    public TrainingLoop(Trainer<R> trainer, BatchSource source, TrainingRun.Plan plan) {
        this.trainer = trainer;
        this.source = source;
        this.plan = plan;
    }

    /** Asks the loop to stop after the current step (and save). Safe from any thread. */
    public void requestStop() {
        stopRequested = true;
    }

    /**
     * Trains until the plan's step count, its time budget or a stop request. The budget is checked
     * before each step, so a call that starts with steps left does at least one.
     *
     * @throws TrainingDivergedException when a step is not finite: nothing is saved after it, so the
     *                                   newest checkpoint is the last good one
     */
    public TrainingRun.Outcome run(Listener<? super R> listener) {
        long start = System.nanoTime();
        long budgetNanos = plan.budget() == null ? Long.MAX_VALUE : plan.budget().toNanos();
        Path last = null;
        lastSaved = trainer.stepCount();   // a resumed run does not rewrite the checkpoint it came from
        TrainingRun.Stop reason = TrainingRun.Stop.STEPS;
        long firstStep = trainer.stepCount();
        while (trainer.stepCount() < plan.totalSteps()) {
            if (stopRequested) {
                reason = TrainingRun.Stop.REQUESTED;
                break;
            }
            if (trainer.stepCount() > firstStep && System.nanoTime() - start >= budgetNanos) {
                reason = TrainingRun.Stop.BUDGET;
                break;
            }
            R r;
            try (Scope s = Scope.open()) {
                Tensor x0 = source.next();    // (B, C, H, W), released with this scope
                r = trainer.step(x0);
            }
            long done = trainer.stepCount();
            try {
                listener.onStep(r);
            } catch (RuntimeException | Error e) {
                saveAfterFailure(e);
                throw e;
            }
            if (plan.checkpointDir() != null && plan.checkpointEvery() > 0 && done % plan.checkpointEvery() == 0) {
                last = save();
                listener.onCheckpoint(done, last);
            }
            try {
                listener.afterStep(r);
            } catch (RuntimeException | Error e) {
                saveAfterFailure(e);
                throw e;
            }
        }
        if (plan.checkpointDir() != null && trainer.stepCount() != lastSaved) {
            last = save();
            listener.onCheckpoint(trainer.stepCount(), last);
        }
        return new TrainingRun.Outcome(trainer.stepCount(), last, reason);
    }

    /** A listener failed after a good step: keep that step (a failure to save is attached to {@code e}). */
    private void saveAfterFailure(Throwable e) {
        if (plan.checkpointDir() == null || trainer.stepCount() == lastSaved) {
            return;
        }
        try {
            save();
        } catch (RuntimeException | Error s) {
            e.addSuppressed(s);
        }
    }

    private Path save() {
        Path file = TrainingCheckpoints.save(trainer, plan.checkpointDir(), source.position(), plan.metadata().get(),
                plan.keepCheckpoints());
        lastSaved = trainer.stepCount();
        return file;
    }
}

package dev.diti4j.diffusion.train;

import dev.diti4j.core.Scope;
import dev.diti4j.core.Tensor;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The training loop: draws batches, steps the trainer, saves checkpoints every N steps and at
 * the end, and stops at a step count, a time budget or on request (from another thread, for
 * example a Ctrl-C handler), always leaving a checkpoint of the last step behind.
 */
public final class TrainingRun {
    /**
     * What to do.
     *
     * @param totalSteps      stop when the trainer has done this many steps in all
     * @param checkpointEvery save every this many steps (0 = only at the end)
     * @param checkpointDir   where checkpoints go (null = never save)
     * @param keepCheckpoints keep the newest this many step files (0 = all)
     * @param budget          stop after this much wall time in this call (null = no limit)
     * @param metadata        extra metadata entries for each checkpoint, asked for when it is written
     */
    public record Plan(long totalSteps, long checkpointEvery, Path checkpointDir, int keepCheckpoints, Duration budget,
            Supplier<Map<String, String>> metadata) {
        public Plan {
            if (totalSteps < 0 || checkpointEvery < 0 || keepCheckpoints < 0) {
                throw new IllegalArgumentException("training plan counts must be non-negative: steps " + totalSteps
                        + ", checkpoint every " + checkpointEvery + ", keep " + keepCheckpoints);
            }
            if (metadata == null) {
                metadata = Map::of;
            }
        }

        /** A plan whose checkpoints all get the same extra metadata. */
        public Plan(long totalSteps, long checkpointEvery, Path checkpointDir, int keepCheckpoints, Duration budget,
                Map<String, String> metadata) {
            this(totalSteps, checkpointEvery, checkpointDir, keepCheckpoints, budget, constant(metadata));
        }

        private static Supplier<Map<String, String>> constant(Map<String, String> m) {
            Map<String, String> copy = Map.copyOf(m == null ? Map.of() : m);
            return () -> copy;
        }
    }

    /**
     * Receives progress on the training thread. Per step the calls come in this order: {@link #onStep},
     * the step's checkpoint if one is due, {@link #onCheckpoint}, then {@link #afterStep}. Work that may
     * fail without harming the run (sample grids) belongs in {@code afterStep}, so the step is saved
     * first. If {@code onStep} or {@code afterStep} throws, the loop saves a checkpoint of the last
     * completed step (unless it has one) and then rethrows.
     */
    public interface Listener {
        /** After every step, outside its scope, before its checkpoint. */
        default void onStep(DmTrainer.StepResult r) {
        }

        /** After a checkpoint is written. */
        default void onCheckpoint(long step, Path file) {
        }

        /** After every step and its checkpoint, if one was due. */
        default void afterStep(DmTrainer.StepResult r) {
        }
    }

    /** Why the loop ended. */
    public enum Stop { STEPS, BUDGET, REQUESTED }

    /** The result: steps done in all, the newest checkpoint (null if none was saved) and why it stopped. */
    public record Outcome(long steps, Path lastCheckpoint, Stop reason) {
    }

    private final DmTrainer trainer;
    private final BatchSource source;
    private final Plan plan;
    private volatile boolean stopRequested;
    private long lastSaved;

    public TrainingRun(DmTrainer trainer, BatchSource source, Plan plan) {
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
    public Outcome run(Listener listener) {
        long start = System.nanoTime();
        long budgetNanos = plan.budget() == null ? Long.MAX_VALUE : plan.budget().toNanos();
        Path last = null;
        lastSaved = trainer.stepCount();   // a resumed run does not rewrite the checkpoint it came from
        Stop reason = Stop.STEPS;
        long firstStep = trainer.stepCount();
        while (trainer.stepCount() < plan.totalSteps()) {
            if (stopRequested) {
                reason = Stop.REQUESTED;
                break;
            }
            if (trainer.stepCount() > firstStep && System.nanoTime() - start >= budgetNanos) {
                reason = Stop.BUDGET;
                break;
            }
            DmTrainer.StepResult r;
            try (Scope s = Scope.open()) {
                Tensor x0 = source.next();    // (B, C, H, W), released with this scope
                r = trainer.step(x0);
            }
            try {
                listener.onStep(r);
            } catch (RuntimeException | Error e) {
                saveAfterFailure(e);
                throw e;
            }
            if (plan.checkpointDir() != null && plan.checkpointEvery() > 0 && r.step() % plan.checkpointEvery() == 0) {
                last = save();
                listener.onCheckpoint(r.step(), last);
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
        return new Outcome(trainer.stepCount(), last, reason);
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

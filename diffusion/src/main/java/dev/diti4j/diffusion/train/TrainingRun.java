package dev.diti4j.diffusion.train;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The DM trainer's face of the shared {@link TrainingLoop} (which the DiTi trainer uses too), and
 * the home of its {@link Plan}, {@link Stop} and {@link Outcome}. The training loop: draws batches, steps the trainer, saves checkpoints every N steps and at
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
    public interface Listener extends TrainingLoop.Listener<DmTrainer.StepResult> {
        /** After every step, outside its scope, before its checkpoint. */
        @Override
        default void onStep(DmTrainer.StepResult r) {
        }

        /** After a checkpoint is written. */
        @Override
        default void onCheckpoint(long step, Path file) {
        }

        /** After every step and its checkpoint, if one was due. */
        @Override
        default void afterStep(DmTrainer.StepResult r) {
        }
    }

    /** Why the loop ended. */
    public enum Stop { STEPS, BUDGET, REQUESTED }

    /** The result: steps done in all, the newest checkpoint (null if none was saved) and why it stopped. */
    public record Outcome(long steps, Path lastCheckpoint, Stop reason) {
    }

    private final TrainingLoop<DmTrainer.StepResult> loop;

    public TrainingRun(DmTrainer trainer, BatchSource source, Plan plan) {
        this.loop = new TrainingLoop<>(trainer, source, plan);
    }

    /** Asks the loop to stop after the current step (and save). Safe from any thread. */
    public void requestStop() {
        loop.requestStop();
    }

    /**
     * Trains until the plan's step count, its time budget or a stop request. The budget is checked
     * before each step, so a call that starts with steps left does at least one.
     *
     * @throws TrainingDivergedException when a step is not finite: nothing is saved after it, so the
     *                                   newest checkpoint is the last good one
     */
    public Outcome run(Listener listener) {
        return loop.run(listener);
    }
}

package dev.diti4j.diffusion.train;

import java.nio.file.Path;
import java.util.Map;

/**
 * What the shared training skeleton needs from a trainer to checkpoint it: its step count and a
 * way to save everything that continues it exactly. {@link DmTrainer} and the DiTi trainer both
 * implement it, so {@link TrainingCheckpoints} (step files, {@code latest}, pruning) is written
 * once for both.
 */
public interface ResumableTrainer {
    /** Steps done so far. */
    long stepCount();

    /**
     * Saves the full training state (weights, EMA, optimizer, generators, step and the data
     * position, plus {@code extra} metadata entries) atomically to {@code file}.
     */
    void save(Path file, BatchSource.Position position, Map<String, String> extra);
}

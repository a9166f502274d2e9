package dev.diti4j.nn.checkpoint;

import dev.diti4j.core.Tensor;
import java.util.Map;

/**
 * State that a {@link Checkpoint} saves next to the model: an optimizer's moments, EMA shadows.
 * The tensors are the live state, restored in place with {@link Tensor#assign}; their names and
 * shapes are what a checkpoint must contain to be loaded.
 */
public interface Checkpointable {
    /** The live state tensors by name (names without dots at either end). */
    Map<String, Tensor> stateTensors();

    /** The non-tensor state (counters, settings) as a JSON object. */
    String stateMetadata();

    /**
     * Restores the non-tensor state from {@link #stateMetadata()}'s JSON.
     *
     * @throws IllegalArgumentException (one sentence) when the JSON does not fit this object
     */
    void restoreMetadata(String json);
}

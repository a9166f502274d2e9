/**
 * Checkpoints in the safetensors format: {@link dev.diti4j.nn.checkpoint.Safetensors} reads and
 * atomically writes the files, validating every structural property;
 * {@link dev.diti4j.nn.checkpoint.Checkpoint} stores modules, optimiser and EMA state
 * ({@link dev.diti4j.nn.checkpoint.Checkpointable}), the config, the step and generator states in
 * one file and loads them back with name and shape checks. Every failure is a
 * {@link dev.diti4j.nn.checkpoint.CheckpointException} of one sentence.
 */
package dev.diti4j.nn.checkpoint;

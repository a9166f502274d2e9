/**
 * Training and sampling the diffusion model from the command line's point of view: which data
 * set and model a run uses ({@link dev.diti4j.diti.data.DataSpec}, {@link dev.diti4j.diti.ModelPresets}),
 * the adapter from a {@link dev.diti4j.diti.data.DataLoader} to the trainer's batch source, the run
 * folder a training run writes ({@link dev.diti4j.cli.dm.DmTraining}: config, metrics, loss curve,
 * sample grids, checkpoints) and sampling from a checkpoint ({@link dev.diti4j.cli.dm.DmSampling}).
 */
package dev.diti4j.cli.dm;

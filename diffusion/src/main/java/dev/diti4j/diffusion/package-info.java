/**
 * The diffusion process of METHOD 1, 2.3 and 6: the noise schedule and its derived tables
 * ({@link dev.diti4j.diffusion.NoiseSchedule}), the forward process
 * ({@link dev.diti4j.diffusion.ForwardProcess}), the time-step-weighted ε-prediction loss
 * ({@link dev.diti4j.diffusion.TimestepWeights}, {@link dev.diti4j.diffusion.EpsilonLoss}), DDPM
 * ancestral sampling ({@link dev.diti4j.diffusion.DdpmSampler}) and deterministic DDIM sampling and
 * inversion on the two grids the method uses ({@link dev.diti4j.diffusion.DdimGrid},
 * {@link dev.diti4j.diffusion.DdimSampler}). Networks plug in through
 * {@link dev.diti4j.diffusion.EpsilonModel}. See docs/internals/diffusion.md for the equations.
 */
package dev.diti4j.diffusion;

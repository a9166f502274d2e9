/**
 * The DiTi trainer (METHOD 4.7) on the shared training skeleton of
 * {@code dev.diti4j.diffusion.train}: {@link dev.diti4j.diti.train.DitiTrainer},
 * {@link dev.diti4j.diti.train.DitiSettings} and the per-time-step loss-reduction histogram
 * {@link dev.diti4j.diti.train.LossReductionHistogram} (METHOD 4.3, 9).
 */
package dev.diti4j.diti.train;

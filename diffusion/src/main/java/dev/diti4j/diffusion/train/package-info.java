/**
 * Training the ε-prediction diffusion model (METHOD 1.2, 2.3, 9 stage A): {@link
 * dev.diti4j.diffusion.train.DmTrainer} runs one scoped AdamW step per batch on the weighted loss
 * of {@link dev.diti4j.diffusion.EpsilonLoss}, keeps an EMA of the weights, and saves and restores
 * everything a run needs to continue exactly ({@link dev.diti4j.diffusion.train.TrainingCheckpoints}).
 * Data arrives through {@link dev.diti4j.diffusion.train.BatchSource}, so this package knows no
 * dataset.
 */
package dev.diti4j.diffusion.train;

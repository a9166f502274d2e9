/**
 * The layers of the diffusion U-Net (METHOD.md 1.3): {@link dev.diti4j.nn.layers.Linear},
 * {@link dev.diti4j.nn.layers.Conv2d}, {@link dev.diti4j.nn.layers.GroupNorm},
 * {@link dev.diti4j.nn.layers.SiLU}, {@link dev.diti4j.nn.layers.Dropout}, the legacy-layout
 * {@link dev.diti4j.nn.layers.AttentionBlock}, the scale-shift {@link dev.diti4j.nn.layers.ResBlock}
 * with optional in-block resampling and optional second (z) modulation, and the sinusoidal
 * {@link dev.diti4j.nn.layers.TimeEmbedding}. Each is a composition of core tensor ops, so its
 * backward comes from autograd.
 */
package dev.diti4j.nn.layers;

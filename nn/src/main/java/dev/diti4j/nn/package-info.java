/**
 * Trainable building blocks: {@link dev.diti4j.nn.Module} (a tree of named children and
 * {@link dev.diti4j.nn.Parameter}s with a train/eval mode and freezing), the {@link dev.diti4j.nn.Layer}
 * contract of single-input modules, and PyTorch-default initialisation ({@link dev.diti4j.nn.Init}).
 *
 * <p>Sub-packages: {@code layers} (Linear, Conv2d, GroupNorm, attention, ResBlock, time embedding),
 * {@code unet} (the diffusion U-Net of METHOD.md 1.3), {@code optim} (AdamW, EMA) and
 * {@code checkpoint} (safetensors files).
 */
package dev.diti4j.nn;

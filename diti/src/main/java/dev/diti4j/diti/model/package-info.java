/**
 * The DiTi model (METHOD 2–4): the {@link dev.diti4j.diti.model.Partition} of z into k subsets tied
 * to time steps and its {@link dev.diti4j.diti.model.Masks}; the encoder
 * {@link dev.diti4j.diti.model.FeatureEncoder} E(x_0) → z; the frozen pre-trained U-Net
 * {@link dev.diti4j.diti.model.FrozenDm}; the trainable shift decoder
 * {@link dev.diti4j.diti.model.ShiftDecoder} G; the three together as
 * {@link dev.diti4j.diti.model.DitiModel}; and the loss {@link dev.diti4j.diti.model.DitiLoss} in the
 * three {@link dev.diti4j.diti.model.LossMode}s. {@link dev.diti4j.diti.model.ReferenceLayout} maps
 * parameter names onto the reference implementation's. docs/internals/diti-model.md walks through it.
 */
package dev.diti4j.diti.model;

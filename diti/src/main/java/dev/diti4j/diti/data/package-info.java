/**
 * Image datasets and their loader: the {@link dev.diti4j.diti.data.Dataset} abstraction (pixels
 * in [−1, 1], integer labels with named values), the procedurally rendered
 * {@link dev.diti4j.diti.data.SyntheticShapes} with ground-truth factors, Fashion-MNIST from its
 * IDX files, image folders with optional CelebA attributes, the seeded prefetching
 * {@link dev.diti4j.diti.data.DataLoader} and the PNG {@link dev.diti4j.diti.data.ImageGrid}
 * writer.
 */
package dev.diti4j.diti.data;

/**
 * A sample-quality number for models trained on synthetic shapes: a small factor classifier
 * trained on real rendered images ({@link dev.diti4j.diti.eval.FactorClassifier},
 * {@link dev.diti4j.diti.eval.ClassifierTraining}) reads every factor of a generated image, and
 * {@link dev.diti4j.diti.eval.SampleQuality} reports how often all factors are read with high
 * confidence and how the predicted factors are distributed, for generated images, for images of an
 * untrained model and for real images ({@link dev.diti4j.cli.eval.QualityReport}). See
 * docs/usage/train-dm.md for the exact definitions.
 */
package dev.diti4j.diti.eval;

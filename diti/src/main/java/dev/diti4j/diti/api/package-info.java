/**
 * Using a trained DiTi model from a JVM program: {@link dev.diti4j.diti.api.TrainedDiti} loads a
 * train-diti run folder or checkpoint (EMA weights, evaluation mode) and encodes images or tensors
 * into z; {@link dev.diti4j.diti.api.DitiLoadException} says, in one sentence, why a model could
 * not be loaded.
 *
 * <pre>{@code
 * TrainedDiti diti = TrainedDiti.load(Path.of("runs/shapes16-diti"));
 * float[] z = diti.encode(ImageIO.read(new File("photo.png")))[0];
 * }</pre>
 */
package dev.diti4j.diti.api;

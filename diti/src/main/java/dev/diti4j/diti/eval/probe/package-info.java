/**
 * Evaluation of a frozen representation z by linear probes, on host arrays of features
 * (METHOD 7.1, 7.2, 9 "Evaluation"; docs/internals/evaluation.md).
 *
 * <ul>
 *   <li>Probes: {@link dev.diti4j.diti.eval.probe.MultiLabelProbe} (BCE, per-label AP and mean AP;
 *       CelebA), {@link dev.diti4j.diti.eval.probe.SoftmaxProbe} (accuracy and one-vs-rest AP;
 *       Fashion-MNIST, synthetic-shapes factors) and
 *       {@link dev.diti4j.diti.eval.probe.RegressionProbe} (closed-form ridge, Pearson r and MSE;
 *       LFW), all returning a {@link dev.diti4j.diti.eval.probe.LinearModel} whose weights can be
 *       read; optional {@link dev.diti4j.diti.eval.probe.Standardizer}.</li>
 *   <li>Metrics and uncertainty: {@link dev.diti4j.diti.eval.probe.Metrics} (AP exactly as
 *       scikit-learn), {@link dev.diti4j.diti.eval.probe.Intervals} (Wilson),
 *       {@link dev.diti4j.diti.eval.probe.Bootstrap} (seeded percentile intervals).</li>
 *   <li>Structure of z: {@link dev.diti4j.diti.eval.probe.SubsetProbes} (factors × subsets,
 *       prefixes and single subsets of a {@link dev.diti4j.diti.model.Partition}) and
 *       {@link dev.diti4j.diti.eval.probe.Dci} (disentanglement and completeness, per dimension or
 *       per subset).</li>
 * </ul>
 *
 * Every result is a function of the inputs and a seed: randomness comes from
 * {@link dev.diti4j.core.random.Philox}, transcendental functions from {@link java.lang.StrictMath}
 * and every sum runs in a fixed order, so optional parallelism does not change a bit. Bad inputs
 * are refused with one {@link java.lang.IllegalArgumentException} sentence naming the argument and
 * the place.
 */
package dev.diti4j.diti.eval.probe;

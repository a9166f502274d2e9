package dev.diti4j.diti.eval.probe;

/**
 * How a gradient-trained linear probe ({@link MultiLabelProbe}, {@link SoftmaxProbe}) is trained:
 * Adam (β₁ = 0.9, β₂ = 0.999, ε = 1e−8) in double precision for a fixed number of epochs, the
 * epoch with the best validation score kept (METHOD 7.1 "Model selection").
 *
 * <p>{@link #reference()} is METHOD 7.1's protocol: lr 1e−3, batch 128, 15 epochs, an unshuffled
 * loader, raw z (METHOD 8 item 14). Its one addition is a small L2 weight decay. On CelebA's
 * 160,000 training images that is about 19,000 Adam steps; on a split of a few thousand it is a
 * few hundred steps of size 1e−3, too few for the weights to settle. {@link #fullBatch()} suits
 * small splits: 200 full-batch steps of lr 0.05.
 *
 * @param epochs       passes over the training split (≥ 1); with full-batch training one epoch is
 *                     one Adam step, so use a few hundred then
 * @param learningRate Adam's step size (&gt; 0)
 * @param weightDecay  λ of the L2 penalty: λ·W is added to the weight gradient before Adam, as
 *                     PyTorch's {@code Adam(weight_decay=λ)} does; the bias is not decayed (≥ 0)
 * @param batchSize    examples per step; 0 (or anything ≥ n) trains full-batch
 * @param shuffle      visit the training examples in a new seeded order every epoch (METHOD 7.2's
 *                     loader shuffles, 7.1's does not)
 * @param standardize  train on (z − μ)/σ with μ, σ from the training split ({@link Standardizer});
 *                     the returned {@link LinearModel} applies it itself
 * @param seed         Philox key of the shuffling (the weights start at zero)
 * @param parallel     spread each step over the common fork-join pool (or the pool the call runs
 *                     in). Every number is still computed by one task in a fixed order, so the
 *                     result is bit-identical with and without it and for any pool size
 */
public record ProbeConfig(int epochs, double learningRate, double weightDecay, int batchSize, boolean shuffle,
                          boolean standardize, long seed, boolean parallel) {
    public ProbeConfig {
        if (epochs < 1) {
            throw new IllegalArgumentException("a probe needs at least one epoch, got " + epochs);
        }
        if (!(learningRate > 0) || !Double.isFinite(learningRate)) {
            throw new IllegalArgumentException("the probe learning rate must be a positive number, got "
                    + learningRate);
        }
        if (!(weightDecay >= 0) || !Double.isFinite(weightDecay)) {
            throw new IllegalArgumentException("the probe weight decay must be >= 0, got " + weightDecay);
        }
        if (batchSize < 0) {
            throw new IllegalArgumentException("the probe batch size must be >= 0 (0 = full batch), got " + batchSize);
        }
    }

    /** METHOD 7.1: Adam lr 1e−3, batch 128, 15 epochs, no shuffle, raw z; weight decay 1e−4, seed 0. */
    public static ProbeConfig reference() {
        return new ProbeConfig(15, 1e-3, 1e-4, 128, false, false, 0L, false);
    }

    /**
     * For small splits (a few thousand examples): full-batch Adam, lr 0.05, 200 steps (epochs),
     * weight decay 1e−4, raw z, seed 0.
     */
    public static ProbeConfig fullBatch() {
        return new ProbeConfig(200, 0.05, 1e-4, 0, false, false, 0L, false);
    }

    public ProbeConfig withEpochs(int e) {
        return new ProbeConfig(e, learningRate, weightDecay, batchSize, shuffle, standardize, seed, parallel);
    }

    public ProbeConfig withLearningRate(double lr) {
        return new ProbeConfig(epochs, lr, weightDecay, batchSize, shuffle, standardize, seed, parallel);
    }

    public ProbeConfig withWeightDecay(double wd) {
        return new ProbeConfig(epochs, learningRate, wd, batchSize, shuffle, standardize, seed, parallel);
    }

    public ProbeConfig withBatchSize(int b) {
        return new ProbeConfig(epochs, learningRate, weightDecay, b, shuffle, standardize, seed, parallel);
    }

    public ProbeConfig withShuffle(boolean s) {
        return new ProbeConfig(epochs, learningRate, weightDecay, batchSize, s, standardize, seed, parallel);
    }

    public ProbeConfig withStandardize(boolean s) {
        return new ProbeConfig(epochs, learningRate, weightDecay, batchSize, shuffle, s, seed, parallel);
    }

    public ProbeConfig withSeed(long s) {
        return new ProbeConfig(epochs, learningRate, weightDecay, batchSize, shuffle, standardize, s, parallel);
    }

    public ProbeConfig withParallel(boolean p) {
        return new ProbeConfig(epochs, learningRate, weightDecay, batchSize, shuffle, standardize, seed, p);
    }
}

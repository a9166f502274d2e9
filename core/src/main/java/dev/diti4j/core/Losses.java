package dev.diti4j.core;

import java.util.Arrays;

/** Loss functions, composed from tensor ops (their gradients come from those ops). */
public final class Losses {
    private Losses() {
    }

    /**
     * mean(w * (pred - target)^2) over all elements. {@code weights} may be null (plain MSE),
     * per-element (broadcastable to pred), or per-sample: shape (B) for pred (B, ...), applied to
     * every element of sample b.
     */
    public static Tensor weightedMse(Tensor pred, Tensor target, Tensor weights) {
        Checks.live("weighted_mse", pred, target, weights);
        if (!pred.shape().equals(target.shape())) {
            throw new TensorException.ShapeMismatch("weighted_mse", "prediction " + pred.shape() + " vs target "
                    + target.shape(), pred.device());
        }
        Tensor sq = pred.sub(target).square();
        if (weights != null) {
            Tensor w = weights;
            if (w.rank() == 1 && pred.rank() > 1 && w.dim(0) == pred.dim(0)) {
                int[] d = new int[pred.rank()];
                Arrays.fill(d, 1);
                d[0] = w.dim(0);
                w = w.reshape(d);
            }
            Shape bs = Shape.broadcastOrNull(w.shape(), pred.shape());
            if (bs == null || !bs.equals(pred.shape())) {
                throw new TensorException.NotBroadcastable("weighted_mse", "weights " + weights.shape()
                        + " are neither per-sample nor broadcastable to " + pred.shape(), pred.device());
            }
            sq = sq.mul(w);
        }
        return sq.mean();
    }

    /**
     * Mean cross-entropy of logits (N, C) against class labels in [0, C), computed through
     * log-softmax.
     */
    public static Tensor crossEntropy(Tensor logits, int[] labels) {
        Checks.live("cross_entropy", logits);
        Checks.rank("cross_entropy", "logits", logits, 2);
        int n = logits.dim(0);
        int c = logits.dim(1);
        if (labels.length != n) {
            throw new TensorException.ShapeMismatch("cross_entropy", labels.length + " labels for logits "
                    + logits.shape(), logits.device());
        }
        float[] onehot = new float[n * c];
        for (int i = 0; i < n; i++) {
            if (labels[i] < 0 || labels[i] >= c) {
                throw new TensorException.BadArgument("cross_entropy", "label " + labels[i] + " at row " + i
                        + " outside [0, " + c + ") for logits " + logits.shape(), logits.device());
            }
            onehot[i * c + labels[i]] = 1f;
        }
        Tensor target = Tensor.of(logits.backend(), onehot, n, c);
        return logits.logSoftmax().mul(target).sum().mul(-1f / n);
    }

    /**
     * Mean binary cross-entropy of logits against targets in [0, 1] (same shape), in the stable
     * form max(x, 0) - x*y + log(1 + exp(-|x|)).
     */
    public static Tensor bceWithLogits(Tensor logits, Tensor targets) {
        Checks.live("bce_with_logits", logits, targets);
        if (!logits.shape().equals(targets.shape())) {
            throw new TensorException.ShapeMismatch("bce_with_logits", "logits " + logits.shape() + " vs targets "
                    + targets.shape(), logits.device());
        }
        Tensor softplusNegAbs = logits.abs().neg().exp().add(1f).log();
        return logits.relu().sub(logits.mul(targets)).add(softplusNegAbs).mean();
    }
}

package dev.diti4j.diffusion;

import dev.diti4j.core.Tensor;
import dev.diti4j.core.TensorException;
import java.util.function.IntToDoubleFunction;

/**
 * Builds per-sample coefficient tensors of shape (B, 1, …, 1) that broadcast against a batch
 * (B, C, H, W): the tensor form of "extract the schedule value at each sample's t".
 */
public final class PerSample {
    private PerSample() {
    }

    /**
     * {@code table(t[b])} for each sample b, as a tensor of shape (B, 1, …, 1) with the rank of
     * {@code like}, on {@code like}'s backend. The table is evaluated in double and rounded once.
     */
    public static Tensor at(IntToDoubleFunction table, int[] t, Tensor like) {
        checkBatch("per_sample", t, like);
        float[] v = new float[t.length];
        for (int b = 0; b < t.length; b++) {
            v[b] = (float) table.applyAsDouble(t[b]);
        }
        return Tensor.of(like.backend(), v, columnDims(t.length, like.rank()));
    }

    /** The dimensions (B, 1, …, 1) of the given rank. */
    public static int[] columnDims(int batch, int rank) {
        int[] d = new int[Math.max(rank, 1)];
        java.util.Arrays.fill(d, 1);
        d[0] = batch;
        return d;
    }

    /** Checks that {@code t} has one entry per sample of {@code x}. */
    static void checkBatch(String op, int[] t, Tensor x) {
        if (x.rank() < 1 || t.length != x.dim(0)) {
            throw new TensorException.ShapeMismatch(op, t.length + " time steps for a batch of shape " + x.shape(),
                    x.device());
        }
    }
}

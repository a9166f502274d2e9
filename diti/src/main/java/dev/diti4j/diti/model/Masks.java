package dev.diti4j.diti.model;

import dev.diti4j.core.Tensor;
import dev.diti4j.core.backend.Backend;

/**
 * The three 0/1 masks of a {@link Partition} (METHOD 4.4), each a k × d table. With e_i the end
 * dimension of subset i and e_{−1} = 0:
 *
 * <ul>
 *   <li>M[i] ({@link #cumulative}) is 1 on [0, e_i): the condition z ⊙ M[i(t)] that G sees at step t;</li>
 *   <li>K[i] ({@link #newest}) is 1 on [e_{i−1}, e_i): subset i alone;</li>
 *   <li>R[i] ({@link #older}) is 1 on [0, e_{i−1}): the subsets before i.</li>
 * </ul>
 *
 * M = K + R. With k = 1, M = K = all ones and R = 0, so DiTi with one subset is exactly PDAE.
 * Masking multiplies by 0 or 1: z keeps its length d (METHOD 8 item 6).
 *
 * <p>{@link #condition} forms the condition of {@link LossMode#BASE} and
 * {@link LossMode#STOP_GRAD} for a batch. Stop-gradient uses {@link Tensor#detach()}, a tensor
 * with the same storage and no graph history: sg(z) ⊙ R + z ⊙ K has exactly the bits of z ⊙ M
 * (in every dimension one of the two products is a signed zero of the same sign as z ⊙ 0), while
 * the gradient reaches z only through z ⊙ K.
 */
public final class Masks {
    private final Partition partition;

    public Masks(Partition partition) {
        this.partition = partition;
    }

    public Partition partition() {
        return partition;
    }

    /** M[i]: 1 on [0, e_i), 0 elsewhere; length d. */
    public float[] cumulative(int i) {
        return ones(0, partition.end(i));
    }

    /** K[i]: 1 on [e_{i−1}, e_i), 0 elsewhere; length d. */
    public float[] newest(int i) {
        return ones(partition.start(i), partition.end(i));
    }

    /** R[i]: 1 on [0, e_{i−1}), 0 elsewhere (all zero for i = 0); length d. */
    public float[] older(int i) {
        return ones(0, partition.start(i));
    }

    private float[] ones(int from, int to) {
        float[] m = new float[partition.latentDim()];
        java.util.Arrays.fill(m, from, to, 1f);
        return m;
    }

    /** Rows M[i(t_b)], shape (B, d), on backend {@code b}. */
    public Tensor cumulative(int[] t, Backend b) {
        return rows(t, b, 0);
    }

    /** Rows K[i(t_b)], shape (B, d). */
    public Tensor newest(int[] t, Backend b) {
        return rows(t, b, 1);
    }

    /** Rows R[i(t_b)], shape (B, d). */
    public Tensor older(int[] t, Backend b) {
        return rows(t, b, 2);
    }

    private Tensor rows(int[] t, Backend backend, int which) {
        if (t == null || t.length == 0) {
            throw new IllegalArgumentException("masks need at least one time step");
        }
        int d = partition.latentDim();
        float[] out = new float[Math.multiplyExact(t.length, d)];
        for (int b = 0; b < t.length; b++) {
            int i = partition.subsetOf(t[b]);
            int from = which == 1 ? partition.start(i) : 0;
            int to = which == 2 ? partition.start(i) : partition.end(i);
            java.util.Arrays.fill(out, b * d + from, b * d + to, 1f);
        }
        return Tensor.of(backend, out, t.length, d);
    }

    /**
     * The condition G reads for features z (B, d) at time steps t (METHOD 4.5):
     * z ⊙ M[i(t)] for {@link LossMode#BASE}, sg(z) ⊙ R[i(t)] + z ⊙ K[i(t)] for
     * {@link LossMode#STOP_GRAD}. {@link LossMode#DUAL} uses both, so it is refused here.
     */
    public Tensor condition(Tensor z, int[] t, LossMode mode) {
        checkFeatures(z, t);
        return switch (mode) {
            case BASE -> z.maskedMul(cumulative(t, z.backend()));
            case STOP_GRAD -> z.detach().maskedMul(older(t, z.backend())).add(z.maskedMul(newest(t, z.backend())));
            case DUAL -> throw new IllegalArgumentException("the dual mode has two conditions: form the base and the"
                    + " stop_grad condition separately");
        };
    }

    private void checkFeatures(Tensor z, int[] t) {
        if (z.rank() != 2 || z.dim(1) != partition.latentDim()) {
            throw new IllegalArgumentException("the features must have shape (B, " + partition.latentDim() + "), got "
                    + z.shape());
        }
        if (t == null || t.length != z.dim(0)) {
            throw new IllegalArgumentException("the condition needs one time step per sample: batch " + z.dim(0)
                    + " but " + (t == null ? 0 : t.length) + " time steps");
        }
    }
}

package dev.diti4j.diffusion;

import dev.diti4j.core.Tensor;
import dev.diti4j.core.backend.Backend;

/**
 * The per-time-step weight λ_t of the ε-prediction loss mean(λ_t (ε − ε_θ)²), as a table.
 *
 * <ul>
 *   <li>{@link Kind#UNIFORM}: λ_t = 1, the plain DDPM loss used to pre-train the DM (METHOD 1.2).</li>
 *   <li>{@link Kind#PDAE}: λ_t = SNR_t^γ / (1 + SNR_t) with γ = 0.1 (METHOD 2.3), which equals PDAE's
 *       (1/(1+SNR))^{1−γ} (SNR/(1+SNR))^γ. It is tiny at small t (2.5e-4 at t = 0), peaks at 0.722
 *       at t = 475 and ends at 0.364: the representation is trained mostly where the frozen DM's
 *       posterior mean loses the most information about x_0.</li>
 * </ul>
 */
public final class TimestepWeights {
    /** The weighting families. */
    public enum Kind { UNIFORM, PDAE }

    /** PDAE's γ (METHOD 2.3). */
    public static final double PDAE_GAMMA = 0.1;

    private final Kind kind;
    private final double[] table;

    private TimestepWeights(Kind kind, double[] table) {
        this.kind = kind;
        this.table = table;
    }

    /** λ_t = 1 for T steps. */
    public static TimestepWeights uniform(int steps) {
        if (steps < 1) {
            throw new IllegalArgumentException("weights need at least one step, got " + steps);
        }
        double[] w = new double[steps];
        java.util.Arrays.fill(w, 1.0);
        return new TimestepWeights(Kind.UNIFORM, w);
    }

    /** PDAE's λ_t with γ = 0.1. */
    public static TimestepWeights pdae(NoiseSchedule schedule) {
        return pdae(schedule, PDAE_GAMMA);
    }

    /** λ_t = SNR_t^γ / (1 + SNR_t). */
    public static TimestepWeights pdae(NoiseSchedule schedule, double gamma) {
        if (!(gamma >= 0 && gamma <= 1)) {
            throw new IllegalArgumentException("PDAE gamma must be in [0, 1], got " + gamma);
        }
        double[] w = new double[schedule.steps()];
        for (int t = 0; t < w.length; t++) {
            double snr = schedule.snr(t);
            w[t] = StrictMath.pow(snr, gamma) / (1.0 + snr);
        }
        return new TimestepWeights(Kind.PDAE, w);
    }

    /** The weights of a family for a schedule. */
    public static TimestepWeights of(Kind kind, NoiseSchedule schedule) {
        return switch (kind) {
            case UNIFORM -> uniform(schedule.steps());
            case PDAE -> pdae(schedule);
        };
    }

    public Kind kind() {
        return kind;
    }

    public int steps() {
        return table.length;
    }

    /** λ_t. */
    public double weight(int t) {
        if (t < 0 || t >= table.length) {
            throw new IllegalArgumentException("time step " + t + " is outside [0, " + table.length + ")");
        }
        return table[t];
    }

    /** A copy of λ_0 … λ_{T−1}. */
    public double[] table() {
        return table.clone();
    }

    /** The time step with the largest weight (the first one on ties). */
    public int argmax() {
        int best = 0;
        for (int t = 1; t < table.length; t++) {
            if (table[t] > table[best]) {
                best = t;
            }
        }
        return best;
    }

    /** λ_{t[b]} for each sample, shape (B), on backend {@code b}: the weights argument of Losses.weightedMse. */
    public Tensor perSample(int[] t, Backend b) {
        float[] v = new float[t.length];
        for (int i = 0; i < t.length; i++) {
            v[i] = (float) weight(t[i]);
        }
        return Tensor.of(b, v, t.length);
    }

    @Override
    public String toString() {
        return kind == Kind.UNIFORM ? "uniform" : "pdae(gamma=" + PDAE_GAMMA + ")";
    }
}

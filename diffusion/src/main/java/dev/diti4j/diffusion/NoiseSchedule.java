package dev.diti4j.diffusion;

import java.util.Arrays;

/**
 * A discrete diffusion noise schedule and every table derived from it, in double precision
 * (METHOD 1.1). Time steps are 0-based: t = 0 … T−1. With β_t the per-step noise variance:
 *
 * <pre>
 *   α_t        = 1 − β_t
 *   ᾱ_t        = ∏_{s ≤ t} α_s              (alphasCumprod; ᾱ_{−1} = 1 by convention)
 *   SNR_t      = ᾱ_t / (1 − ᾱ_t)
 *   β̃_t        = β_t (1 − ᾱ_{t−1}) / (1 − ᾱ_t)          posterior variance of q(x_{t−1} | x_t, x_0)
 *   log β̃_t    clipped: at t = 0 (where β̃_0 = 0) the value at t = 1 is used   (METHOD 1.2)
 *   μ̃_t(x_t, x_0) = [β_t √ᾱ_{t−1} / (1 − ᾱ_t)] x_0 + [√α_t (1 − ᾱ_{t−1}) / (1 − ᾱ_t)] x_t
 *   c_t        = √α_t (1 − ᾱ_{t−1}) / √(1 − ᾱ_t)        PDAE's training shift coefficient (METHOD 2.3)
 * </pre>
 *
 * Instances are immutable. Accessors take a time step and throw
 * {@link IllegalArgumentException} outside [0, T).
 */
public final class NoiseSchedule {
    /** The schedule families. */
    public enum Kind {
        /** β_t = linspace(β_start, β_end, T) (Ho et al.; METHOD 1.1 uses 1e-4 … 0.02, T = 1000). */
        LINEAR,
        /** ᾱ(τ) = cos²((τ + s)/(1 + s) · π/2) with s = 0.008, β clipped at 0.999 (Nichol &amp; Dhariwal). */
        COSINE,
        /** Betas given explicitly. */
        CUSTOM
    }

    /** T of METHOD 1.1. */
    public static final int DEFAULT_STEPS = 1000;
    public static final double LINEAR_BETA_START = 1e-4;
    public static final double LINEAR_BETA_END = 0.02;
    /** The cosine schedule's offset s, which keeps β_0 from being vanishingly small. */
    public static final double COSINE_OFFSET = 0.008;
    /** The cosine schedule's β ceiling, which keeps the last steps from being singular. */
    public static final double COSINE_MAX_BETA = 0.999;

    private final Kind kind;
    private final double[] betas;
    private final double[] alphas;
    private final double[] abar;
    private final double[] abarPrev;
    private final double[] posteriorVariance;
    private final double[] posteriorLogVarianceClipped;

    private NoiseSchedule(Kind kind, double[] betas) {
        this.kind = kind;
        int n = betas.length;
        if (n < 2) {
            throw new IllegalArgumentException("a noise schedule needs at least 2 steps, got " + n);
        }
        for (int t = 0; t < n; t++) {
            if (!(betas[t] > 0 && betas[t] < 1)) {
                throw new IllegalArgumentException("beta_" + t + " = " + betas[t] + " is outside (0, 1)");
            }
        }
        this.betas = betas.clone();
        this.alphas = new double[n];
        this.abar = new double[n];
        this.abarPrev = new double[n];
        this.posteriorVariance = new double[n];
        this.posteriorLogVarianceClipped = new double[n];
        double prod = 1.0;
        for (int t = 0; t < n; t++) {
            alphas[t] = 1.0 - betas[t];
            abarPrev[t] = prod;
            prod *= alphas[t];
            abar[t] = prod;
            posteriorVariance[t] = betas[t] * (1.0 - abarPrev[t]) / (1.0 - abar[t]);
        }
        // β̃_0 = 0, so its log is clipped to the value at t = 1 (METHOD 1.2).
        for (int t = 0; t < n; t++) {
            posteriorLogVarianceClipped[t] = StrictMath.log(posteriorVariance[t == 0 ? 1 : t]);
        }
    }

    /** The schedule of METHOD 1.1: linear β from 1e-4 to 0.02 over T = 1000 steps. */
    public static NoiseSchedule linear() {
        return linear(DEFAULT_STEPS, LINEAR_BETA_START, LINEAR_BETA_END);
    }

    /**
     * Linear β_t = βstart + t (βend − βstart)/(T − 1), t = 0 … T−1 (numpy/torch linspace,
     * computed in double).
     */
    public static NoiseSchedule linear(int steps, double betaStart, double betaEnd) {
        requireSteps(steps);
        if (!(betaStart > 0 && betaEnd < 1 && betaStart <= betaEnd)) {
            throw new IllegalArgumentException("linear schedule needs 0 < beta_start <= beta_end < 1, got "
                    + betaStart + " .. " + betaEnd);
        }
        double[] b = new double[steps];
        double step = (betaEnd - betaStart) / (steps - 1);
        for (int t = 0; t < steps; t++) {
            b[t] = betaStart + t * step;
        }
        b[steps - 1] = betaEnd;
        return new NoiseSchedule(Kind.LINEAR, b);
    }

    /** The cosine schedule with T = 1000. */
    public static NoiseSchedule cosine() {
        return cosine(DEFAULT_STEPS);
    }

    /**
     * Cosine schedule: with f(τ) = cos²((τ + s)/(1 + s) · π/2), β_t = min(1 − f((t+1)/T)/f(t/T),
     * 0.999), so ᾱ_t = f((t+1)/T)/f(0) until the clip takes over near t = T−1.
     */
    public static NoiseSchedule cosine(int steps) {
        requireSteps(steps);
        double[] b = new double[steps];
        for (int t = 0; t < steps; t++) {
            double f0 = cosineAbar((double) t / steps);
            double f1 = cosineAbar((double) (t + 1) / steps);
            b[t] = Math.min(1.0 - f1 / f0, COSINE_MAX_BETA);
        }
        return new NoiseSchedule(Kind.COSINE, b);
    }

    private static double cosineAbar(double tau) {
        double c = StrictMath.cos((tau + COSINE_OFFSET) / (1.0 + COSINE_OFFSET) * Math.PI / 2.0);
        return c * c;
    }

    /** A schedule of a family with its default parameters and {@code steps} steps. */
    public static NoiseSchedule of(Kind kind, int steps) {
        return switch (kind) {
            case LINEAR -> {
                // Ho et al.'s rescaling keeps the total noise level when T != 1000.
                double scale = (double) DEFAULT_STEPS / steps;
                yield linear(steps, scale * LINEAR_BETA_START, scale * LINEAR_BETA_END);
            }
            case COSINE -> cosine(steps);
            case CUSTOM -> throw new IllegalArgumentException("a custom schedule needs its betas: use fromBetas");
        };
    }

    /** A schedule with explicit betas, each in (0, 1). */
    public static NoiseSchedule fromBetas(double[] betas) {
        return new NoiseSchedule(Kind.CUSTOM, betas);
    }

    private static void requireSteps(int steps) {
        if (steps < 2) {
            throw new IllegalArgumentException("a noise schedule needs at least 2 steps, got " + steps);
        }
    }

    // ---- tables ---------------------------------------------------------------------------

    public Kind kind() {
        return kind;
    }

    /** T, the number of steps; valid time steps are 0 … T−1. */
    public int steps() {
        return betas.length;
    }

    public double beta(int t) {
        return betas[check(t)];
    }

    public double alpha(int t) {
        return alphas[check(t)];
    }

    /** ᾱ_t. */
    public double abar(int t) {
        return abar[check(t)];
    }

    /** ᾱ_{t−1}, with ᾱ_{−1} = 1. */
    public double abarPrev(int t) {
        return abarPrev[check(t)];
    }

    /** √ᾱ_t, the signal scale of x_t. */
    public double sqrtAbar(int t) {
        return Math.sqrt(abar(t));
    }

    /** √(1 − ᾱ_t), the noise scale of x_t; also the sampling-time shift coefficient (METHOD 6.1). */
    public double sqrtOneMinusAbar(int t) {
        return Math.sqrt(1.0 - abar(t));
    }

    /** √(1/ᾱ_t). */
    public double sqrtRecipAbar(int t) {
        return Math.sqrt(1.0 / abar(t));
    }

    /** √(1/ᾱ_t − 1). */
    public double sqrtRecipAbarMinusOne(int t) {
        return Math.sqrt(1.0 / abar(t) - 1.0);
    }

    /** SNR_t = ᾱ_t / (1 − ᾱ_t). */
    public double snr(int t) {
        double a = abar(t);
        return a / (1.0 - a);
    }

    /** β̃_t = β_t (1 − ᾱ_{t−1}) / (1 − ᾱ_t); zero at t = 0. */
    public double posteriorVariance(int t) {
        return posteriorVariance[check(t)];
    }

    /** log β̃_t, with the t = 0 entry replaced by the t = 1 entry (METHOD 1.2). */
    public double posteriorLogVarianceClipped(int t) {
        return posteriorLogVarianceClipped[check(t)];
    }

    /** The x_0 coefficient of the posterior mean μ̃_t: β_t √ᾱ_{t−1} / (1 − ᾱ_t). */
    public double posteriorMeanCoefX0(int t) {
        check(t);
        return betas[t] * Math.sqrt(abarPrev[t]) / (1.0 - abar[t]);
    }

    /** The x_t coefficient of the posterior mean μ̃_t: √α_t (1 − ᾱ_{t−1}) / (1 − ᾱ_t). */
    public double posteriorMeanCoefXt(int t) {
        check(t);
        return Math.sqrt(alphas[t]) * (1.0 - abarPrev[t]) / (1.0 - abar[t]);
    }

    /**
     * PDAE's training shift coefficient c_t = √α_t (1 − ᾱ_{t−1}) / √(1 − ᾱ_t) (METHOD 2.3): the
     * loss compares ε with ε_θ − c_t·G. It is 0 at t = 0, so G is never trained there.
     */
    public double shiftCoefficient(int t) {
        check(t);
        return Math.sqrt(alphas[t]) * (1.0 - abarPrev[t]) / Math.sqrt(1.0 - abar[t]);
    }

    /** A copy of β_0 … β_{T−1}. */
    public double[] betas() {
        return betas.clone();
    }

    /** A copy of ᾱ_0 … ᾱ_{T−1}. */
    public double[] alphasCumprod() {
        return abar.clone();
    }

    private int check(int t) {
        if (t < 0 || t >= betas.length) {
            throw new IllegalArgumentException("time step " + t + " is outside [0, " + betas.length + ")");
        }
        return t;
    }

    @Override
    public String toString() {
        return switch (kind) {
            case LINEAR -> "linear(" + betas[0] + ".." + betas[betas.length - 1] + ", T=" + betas.length + ")";
            case COSINE -> "cosine(T=" + betas.length + ")";
            case CUSTOM -> "custom(T=" + betas.length + ")";
        };
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof NoiseSchedule s && s.kind == kind && Arrays.equals(s.betas, betas);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(betas);
    }
}

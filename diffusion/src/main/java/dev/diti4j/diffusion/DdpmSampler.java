package dev.diti4j.diffusion;

import dev.diti4j.core.GradMode;
import dev.diti4j.core.Scope;
import dev.diti4j.core.Tensor;
import dev.diti4j.core.TensorException;
import dev.diti4j.core.random.Philox;
import java.util.Arrays;

/**
 * DDPM ancestral sampling over all T steps (METHOD 1.2): x_{t−1} = μ + σ_t z with z ~ N(0, I),
 * σ_t² the clipped posterior variance (exp of {@link NoiseSchedule#posteriorLogVarianceClipped})
 * and no noise at t = 0. The mean μ comes from the predicted noise in one of two equivalent
 * forms:
 *
 * <ul>
 *   <li>{@link Mean#FROM_EPS}: μ = (x_t − β_t/√(1−ᾱ_t) ε̂) / √α_t;</li>
 *   <li>{@link Mean#FROM_X0}: x̂_0 = (x_t − √(1−ᾱ_t) ε̂)/√ᾱ_t, optionally clamped to [−1, 1],
 *       then μ = μ̃_t(x_t, x̂_0) = [β_t √ᾱ_{t−1}/(1−ᾱ_t)] x̂_0 + [√α_t (1−ᾱ_{t−1})/(1−ᾱ_t)] x_t.</li>
 * </ul>
 *
 * Without clamping the two are the same number up to rounding.
 */
public final class DdpmSampler {
    /** Which form of the posterior mean to use. */
    public enum Mean { FROM_EPS, FROM_X0 }

    private final NoiseSchedule schedule;
    private final Mean mean;
    private final boolean clampX0;

    /**
     * @param clampX0 clamp x̂_0 to [−1, 1]; only meaningful with {@link Mean#FROM_X0}
     */
    public DdpmSampler(NoiseSchedule schedule, Mean mean, boolean clampX0) {
        if (clampX0 && mean != Mean.FROM_X0) {
            throw new IllegalArgumentException("clamping x0 needs the FROM_X0 posterior mean");
        }
        this.schedule = schedule;
        this.mean = mean;
        this.clampX0 = clampX0;
    }

    /** The mean from ε̂ without clamping, as the DM's own DDPM sampler. */
    public DdpmSampler(NoiseSchedule schedule) {
        this(schedule, Mean.FROM_EPS, false);
    }

    /**
     * Runs t = T−1 … 0 from {@code xT} (B, C, H, W); the noise of each step comes from {@code rng}
     * (one draw of B·C·H·W normals per step with t &gt; 0, in loop order).
     */
    public Tensor sample(EpsilonModel model, Tensor xT, Philox rng, StepListener listener) {
        if (xT.rank() < 1) {
            throw new TensorException.RankMismatch("ddpm", "needs a batch (B, C, H, W), got " + xT.shape(),
                    xT.device());
        }
        int batch = xT.dim(0);
        int total = schedule.steps();
        Tensor x = xT;
        try (GradMode _ = GradMode.off()) {
            for (int t = total - 1; t >= 0; t--) {
                Tensor next;
                try (Scope s = Scope.open()) {
                    int[] tv = new int[batch];
                    Arrays.fill(tv, t);
                    Tensor eps = model.predictEps(x, tv);
                    next = s.keep(step(x, eps, t, rng));
                }
                if (x != xT) {
                    x.release();
                }
                x = next;
                listener.onStep(total - t, total, t);
            }
        }
        return x;
    }

    public Tensor sample(EpsilonModel model, Tensor xT, Philox rng) {
        return sample(model, xT, rng, StepListener.NONE);
    }

    /** One ancestral step x_t → x_{t−1} given ε̂ = {@code eps}; draws noise from {@code rng} when t &gt; 0. */
    public Tensor step(Tensor xt, Tensor eps, int t, Philox rng) {
        if (!xt.shape().equals(eps.shape())) {
            throw new TensorException.ShapeMismatch("ddpm_step", "state " + xt.shape() + " vs noise estimate "
                    + eps.shape(), xt.device());
        }
        Tensor mu = posteriorMean(xt, eps, t);
        if (t == 0) {
            return mu;
        }
        float sigma = (float) StrictMath.exp(0.5 * schedule.posteriorLogVarianceClipped(t));
        Tensor z = Tensor.randn(rng, xt.backend(), xt.shape().dims());
        return mu.add(z.mul(sigma));
    }

    /** The model's posterior mean μ_θ(x_t, t) for a noise estimate. */
    public Tensor posteriorMean(Tensor xt, Tensor eps, int t) {
        return switch (mean) {
            case FROM_EPS -> {
                float a = (float) (1.0 / Math.sqrt(schedule.alpha(t)));
                float b = (float) (schedule.beta(t) / (Math.sqrt(schedule.alpha(t)) * schedule.sqrtOneMinusAbar(t)));
                yield xt.mul(a).sub(eps.mul(b));
            }
            case FROM_X0 -> {
                Tensor x0 = xt.mul((float) schedule.sqrtRecipAbar(t))
                        .sub(eps.mul((float) schedule.sqrtRecipAbarMinusOne(t)));
                if (clampX0) {
                    x0 = x0.clamp(-1f, 1f);
                }
                yield x0.mul((float) schedule.posteriorMeanCoefX0(t))
                        .add(xt.mul((float) schedule.posteriorMeanCoefXt(t)));
            }
        };
    }
}

package dev.diti4j.diffusion;

import dev.diti4j.core.Losses;
import dev.diti4j.core.Tensor;
import dev.diti4j.core.TensorException;
import dev.diti4j.core.random.Philox;

/**
 * The ε-prediction loss L = mean_{b,c,h,w}[ λ_{t_b} (ε − ε_θ(x_t, t))² ] (METHOD 1.2 with λ ≡ 1;
 * METHOD 2.3 with PDAE's λ_t). A plain mean over all elements: no per-image sum and no
 * normalisation of λ.
 */
public final class EpsilonLoss {
    private final ForwardProcess forward;
    private final TimestepWeights weights;
    private final TimestepSampler sampler;

    public EpsilonLoss(NoiseSchedule schedule, TimestepWeights weights) {
        if (weights.steps() != schedule.steps()) {
            throw new IllegalArgumentException("weights have " + weights.steps() + " steps but the schedule has "
                    + schedule.steps());
        }
        this.forward = new ForwardProcess(schedule);
        this.weights = weights;
        this.sampler = new TimestepSampler(schedule.steps());
    }

    public TimestepWeights weights() {
        return weights;
    }

    public ForwardProcess forward() {
        return forward;
    }

    /**
     * mean(λ_t (ε − ε̂)²) for given noise, prediction and time steps.
     *
     * @param eps     the true noise (B, C, H, W)
     * @param epsPred the prediction, same shape
     * @param t       time step per sample, length B
     */
    public Tensor loss(Tensor eps, Tensor epsPred, int[] t) {
        PerSample.checkBatch("epsilon_loss", t, eps);
        if (!eps.shape().equals(epsPred.shape())) {
            throw new TensorException.ShapeMismatch("epsilon_loss", "noise " + eps.shape() + " vs prediction "
                    + epsPred.shape(), eps.device());
        }
        Tensor w = weights.kind() == TimestepWeights.Kind.UNIFORM ? null : weights.perSample(t, eps.backend());
        return Losses.weightedMse(epsPred, eps, w);
    }

    /** The loss of one batch and the time steps it drew. */
    public record Sampled(Tensor loss, int[] t) {
    }

    /**
     * One training loss: draws t ~ U{0…T−1} per sample, then ε ~ N(0, I), both from {@code rng}
     * in that order, forms x_t and evaluates the model.
     *
     * @param x0 clean images (B, C, H, W) in [−1, 1]
     */
    public Sampled sample(EpsilonModel model, Tensor x0, Philox rng) {
        int[] t = sampler.sample(x0.dim(0), rng);
        Tensor eps = Tensor.randn(rng, x0.backend(), x0.shape().dims());
        Tensor xt = forward.qSample(x0, t, eps);
        return new Sampled(loss(eps, model.predictEps(xt, t), t), t);
    }
}

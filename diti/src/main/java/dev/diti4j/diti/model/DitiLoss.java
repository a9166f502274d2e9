package dev.diti4j.diti.model;

import dev.diti4j.core.Losses;
import dev.diti4j.core.Tensor;
import dev.diti4j.core.random.Philox;
import dev.diti4j.diffusion.ForwardProcess;
import dev.diti4j.diffusion.NoiseSchedule;
import dev.diti4j.diffusion.PerSample;
import dev.diti4j.diffusion.TimestepSampler;
import dev.diti4j.diffusion.TimestepWeights;

/**
 * The DiTi loss (METHOD 4.6), PDAE's loss (METHOD 2.3) with a time-dependent mask on z:
 *
 * <pre>
 *   L = mean over batch, channels and pixels of λ_t · (ε − ε_θ(x_t, t) − c_t · G(x_t, z ⊙ M[i(t)], t))²
 * </pre>
 *
 * with λ_t = SNR_t^γ / (1 + SNR_t), γ = 0.1 ({@link TimestepWeights#pdae}) and
 * c_t = √α_t (1 − ᾱ_{t−1}) / √(1 − ᾱ_t) ({@link NoiseSchedule#shiftCoefficient}), a plain mean over
 * every element. It is computed as {@code Losses.weightedMse(ε_θ + c_t·G, ε, λ)}, the form
 * {@link dev.diti4j.diffusion.EpsilonLoss} uses for ε_θ alone: with G = 0 (step 0) the two give the
 * same bits, and with k = 1 (M = 1) the loss has the bits of PDAE's loss computed without masks.
 *
 * <p>The three {@link LossMode}s differ in the condition (METHOD 4.5); {@link LossMode#DUAL} runs the
 * shift decoder twice on the same frozen features and adds the two losses.
 */
public final class DitiLoss {
    private final NoiseSchedule schedule;
    private final ForwardProcess forward;
    private final TimestepWeights weights;
    private final TimestepSampler sampler;

    /** The loss with PDAE's λ_t (γ = 0.1). */
    public DitiLoss(NoiseSchedule schedule) {
        this(schedule, TimestepWeights.pdae(schedule));
    }

    /** The loss with other per-step weights (for ablations; DiTi uses {@link TimestepWeights#pdae}). */
    public DitiLoss(NoiseSchedule schedule, TimestepWeights weights) {
        if (weights.steps() != schedule.steps()) {
            throw new IllegalArgumentException("the weights have " + weights.steps() + " steps but the schedule has "
                    + schedule.steps());
        }
        this.schedule = schedule;
        this.forward = new ForwardProcess(schedule);
        this.weights = weights;
        this.sampler = new TimestepSampler(schedule.steps());
    }

    public NoiseSchedule schedule() {
        return schedule;
    }

    public TimestepWeights weights() {
        return weights;
    }

    /**
     * mean(λ_t (ε − ε_θ − c_t G)²).
     *
     * @param eps      the true noise (B, C, H, W)
     * @param epsTheta the frozen model's prediction, same shape
     * @param g        the shift decoder's output, same shape
     * @param t        the time step of each sample
     */
    public Tensor shiftedLoss(Tensor eps, Tensor epsTheta, Tensor g, int[] t) {
        if (!g.shape().equals(eps.shape()) || !epsTheta.shape().equals(eps.shape())) {
            throw new IllegalArgumentException("the noise " + eps.shape() + ", the prediction " + epsTheta.shape()
                    + " and G " + g.shape() + " must have the same shape");
        }
        Tensor c = PerSample.at(schedule::shiftCoefficient, t, eps);              // (B, 1, 1, 1)
        return weightedLoss(eps, epsTheta.add(g.mul(c)), t);
    }

    /** mean(λ_t (ε − ε_θ)²): the frozen model's own weighted loss, G absent. */
    public Tensor frozenLoss(Tensor eps, Tensor epsTheta, int[] t) {
        return weightedLoss(eps, epsTheta, t);
    }

    private Tensor weightedLoss(Tensor eps, Tensor pred, int[] t) {
        Tensor w = weights.kind() == TimestepWeights.Kind.UNIFORM ? null : weights.perSample(t, eps.backend());
        return Losses.weightedMse(pred, eps, w);
    }

    /**
     * What one loss evaluation computed.
     *
     * @param loss   the scalar loss, with its graph back to the encoder and the shift decoder
     * @param t      the time step of each sample
     * @param z      E(x_0), unmasked (B, d)
     * @param frozen the frozen model's features and ε_θ for x_t
     * @param g      the shift decoder's output G (for {@link LossMode#DUAL}, that of the base condition)
     */
    public record Result(Tensor loss, int[] t, Tensor z, FrozenDm.Pass frozen, Tensor g) {
    }

    /**
     * The loss of one batch at given time steps and noise (METHOD 4.7 steps 1 to 5 without the
     * optimiser): z = E(x_0), x_t = √ᾱ_t x_0 + √(1 − ᾱ_t) ε, one frozen pass, one shift-decoder
     * pass per condition (two for {@link LossMode#DUAL}).
     *
     * @param x0  clean images (B, C, H, W) in [−1, 1] (already flipped, if the trainer flips)
     * @param t   time step per sample, in [0, T)
     * @param eps noise, the shape of x0
     */
    public Result loss(DitiModel model, Tensor x0, int[] t, Tensor eps, LossMode mode) {
        check(model, t);
        return loss(model, x0, model.encode(x0), t, eps, mode);
    }

    /**
     * The same loss for features z computed elsewhere (for example a leaf tensor, to read ∂L/∂z,
     * or z from another encoder pass).
     *
     * @param z the features of x0 (B, d)
     */
    public Result loss(DitiModel model, Tensor x0, Tensor z, int[] t, Tensor eps, LossMode mode) {
        check(model, t);
        Tensor xt = forward.qSample(x0, t, eps);
        FrozenDm.Pass frozen = model.frozen().run(xt, t);
        Masks masks = model.masks();
        LossMode first = mode == LossMode.STOP_GRAD ? LossMode.STOP_GRAD : LossMode.BASE;
        Tensor g = model.shift(frozen.features(), masks.condition(z, t, first));
        Tensor loss = shiftedLoss(eps, frozen.eps(), g, t);
        if (mode == LossMode.DUAL) {
            Tensor stop = shiftedLoss(eps, frozen.eps(), model.shift(frozen.features(),
                    masks.condition(z, t, LossMode.STOP_GRAD)), t);
            loss = loss.add(stop);
        }
        return new Result(loss, t, z, frozen, g);
    }

    private void check(DitiModel model, int[] t) {
        Partition p = model.partition();
        if (p.steps() != schedule.steps()) {
            throw new IllegalArgumentException("the partition divides " + p.steps() + " time steps but the schedule has "
                    + schedule.steps());
        }
        p.subsetsOf(t); // refuses steps outside [0, T) before any work
    }

    /**
     * One training loss with drawn time steps and noise: t ~ U{0 … T−1} per sample, then
     * ε ~ N(0, I), both from {@code rng} in that order (as {@link dev.diti4j.diffusion.EpsilonLoss#sample}).
     */
    public Result sample(DitiModel model, Tensor x0, Philox rng, LossMode mode) {
        int[] t = sampler.sample(x0.dim(0), rng);
        Tensor eps = Tensor.randn(rng, x0.backend(), x0.shape().dims());
        return loss(model, x0, t, eps, mode);
    }
}

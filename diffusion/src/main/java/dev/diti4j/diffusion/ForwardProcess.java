package dev.diti4j.diffusion;

import dev.diti4j.core.Tensor;
import dev.diti4j.core.TensorException;

/**
 * The forward (noising) process q(x_t | x_0) and its inverse relations (METHOD 1.1, 1.2), with a
 * time step per sample. All of it is tensor code: per-sample coefficients are (B, 1, 1, 1)
 * tensors that broadcast over (B, C, H, W), so gradients flow through x_0 when it needs them.
 */
public final class ForwardProcess {
    private final NoiseSchedule schedule;

    public ForwardProcess(NoiseSchedule schedule) {
        this.schedule = schedule;
    }

    public NoiseSchedule schedule() {
        return schedule;
    }

    /**
     * x_t = √ᾱ_t · x_0 + √(1 − ᾱ_t) · ε (METHOD 1.1).
     *
     * @param x0  clean images (B, C, H, W)
     * @param t   time step per sample, length B, each in [0, T)
     * @param eps noise, same shape as x0
     */
    public Tensor qSample(Tensor x0, int[] t, Tensor eps) {
        check("q_sample", x0, t, eps);
        Tensor a = PerSample.at(schedule::sqrtAbar, t, x0);          // (B,1,1,1)
        Tensor s = PerSample.at(schedule::sqrtOneMinusAbar, t, x0);  // (B,1,1,1)
        return x0.mul(a).add(eps.mul(s));
    }

    /** The x_0 implied by x_t and a noise estimate: x̂_0 = (x_t − √(1−ᾱ_t) ε)/√ᾱ_t. */
    public Tensor predictX0(Tensor xt, int[] t, Tensor eps) {
        check("predict_x0", xt, t, eps);
        Tensor a = PerSample.at(schedule::sqrtRecipAbar, t, xt);
        Tensor b = PerSample.at(schedule::sqrtRecipAbarMinusOne, t, xt);
        return xt.mul(a).sub(eps.mul(b));
    }

    /** The noise implied by x_t and an estimate of x_0: ε = (x_t − √ᾱ_t x_0)/√(1−ᾱ_t). */
    public Tensor predictEps(Tensor xt, int[] t, Tensor x0) {
        check("predict_eps", xt, t, x0);
        Tensor a = PerSample.at(schedule::sqrtAbar, t, xt);
        Tensor s = PerSample.at(schedule::sqrtOneMinusAbar, t, xt);
        return xt.sub(x0.mul(a)).div(s);
    }

    private void check(String op, Tensor x, int[] t, Tensor other) {
        PerSample.checkBatch(op, t, x);
        if (!x.shape().equals(other.shape())) {
            throw new TensorException.ShapeMismatch(op, "input " + x.shape() + " vs " + other.shape(), x.device());
        }
        for (int v : t) {
            if (v < 0 || v >= schedule.steps()) {
                throw new TensorException.BadArgument(op, "time step " + v + " is outside [0, " + schedule.steps()
                        + ")", x.device());
            }
        }
    }
}

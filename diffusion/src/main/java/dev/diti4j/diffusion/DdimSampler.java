package dev.diti4j.diffusion;

import dev.diti4j.core.GradMode;
import dev.diti4j.core.Scope;
import dev.diti4j.core.Tensor;
import dev.diti4j.core.TensorException;
import java.util.Arrays;
import java.util.List;

/**
 * Deterministic DDIM (η = 0) sampling x_T → x_0 and its inversion x_0 → x_T (METHOD 6.1, 6.2).
 * One update, from a state with ᾱ = ᾱ_t to ᾱ_next, with ε̂ = ε_θ(x_t, t):
 *
 * <pre>
 *   x̂_0    = clamp((x_t − √(1−ᾱ_t) ε̂) / √ᾱ_t, −1, 1)          (clamp optional)
 *   ε̃      = (x_t/√ᾱ_t − x̂_0) / √(1/ᾱ_t − 1)                  (= ε̂ when nothing was clamped)
 *   x_next = √ᾱ_next · x̂_0 + √(1 − ᾱ_next) · ε̃
 * </pre>
 *
 * The same update walks the grid down (sampling) or up (inversion); {@link DdimGrid} says which
 * ᾱ_next each step uses. Loops run without autograd and release every step's temporaries, so
 * memory stays flat however many steps there are.
 */
public final class DdimSampler {
    private final NoiseSchedule schedule;
    private final DdimGrid grid;
    private final boolean clampX0;

    /**
     * @param clampX0 clamp the predicted x_0 to [−1, 1] at every step, as the reference does for
     *                images (METHOD 6.1)
     */
    public DdimSampler(NoiseSchedule schedule, DdimGrid grid, boolean clampX0) {
        this.schedule = schedule;
        this.grid = grid;
        this.clampX0 = clampX0;
    }

    /** A clamping sampler on a grid of {@code ddimSteps} steps of the given kind. */
    public static DdimSampler of(NoiseSchedule schedule, DdimGrid.Kind kind, int ddimSteps) {
        return new DdimSampler(schedule, DdimGrid.of(kind, schedule, ddimSteps), true);
    }

    public DdimGrid grid() {
        return grid;
    }

    public boolean clampsX0() {
        return clampX0;
    }

    /** Sampling: runs the grid's reverse steps from {@code xT} (B, C, H, W). */
    public Tensor sample(EpsilonModel model, Tensor xT, StepListener listener) {
        return run(model, xT, grid.reverseSteps(), listener);
    }

    public Tensor sample(EpsilonModel model, Tensor xT) {
        return sample(model, xT, StepListener.NONE);
    }

    /** Inversion: runs the grid's forward steps from {@code x0} (B, C, H, W), giving x_T. */
    public Tensor invert(EpsilonModel model, Tensor x0, StepListener listener) {
        return run(model, x0, grid.forwardSteps(), listener);
    }

    public Tensor invert(EpsilonModel model, Tensor x0) {
        return invert(model, x0, StepListener.NONE);
    }

    private Tensor run(EpsilonModel model, Tensor start, List<DdimGrid.Step> steps, StepListener listener) {
        if (start.rank() < 1) {
            throw new TensorException.RankMismatch("ddim", "needs a batch (B, C, H, W), got " + start.shape(),
                    start.device());
        }
        int batch = start.dim(0);
        Tensor x = start;
        try (GradMode _ = GradMode.off()) {
            int done = 0;
            for (DdimGrid.Step step : steps) {
                Tensor next;
                try (Scope s = Scope.open()) {
                    int[] t = new int[batch];
                    Arrays.fill(t, step.t());
                    Tensor eps = model.predictEps(x, t);
                    next = s.keep(update(x, eps, schedule.abar(step.t()), step.abarNext(), clampX0));
                }
                if (x != start) {
                    x.release();
                }
                x = next;
                listener.onStep(++done, steps.size(), step.t());
            }
        }
        return x;
    }

    /**
     * One DDIM update (METHOD 6.1 steps 1–3) from a state with ᾱ = {@code abar} to
     * {@code abarNext}, given the noise estimate {@code eps} (same shape as {@code xt}).
     */
    public static Tensor update(Tensor xt, Tensor eps, double abar, double abarNext, boolean clampX0) {
        if (!xt.shape().equals(eps.shape())) {
            throw new TensorException.ShapeMismatch("ddim_update", "state " + xt.shape() + " vs noise estimate "
                    + eps.shape(), xt.device());
        }
        float recip = (float) Math.sqrt(1.0 / abar);
        float recipM1 = (float) Math.sqrt(1.0 / abar - 1.0);
        Tensor scaled = xt.mul(recip);                    // x_t / √ᾱ_t
        Tensor x0 = scaled.sub(eps.mul(recipM1));         // (B,C,H,W)
        Tensor epsTilde = eps;
        if (clampX0) {
            x0 = x0.clamp(-1f, 1f);
            epsTilde = scaled.sub(x0).div(recipM1);
        }
        if (abarNext >= 1.0) {
            return x0;
        }
        if (abarNext <= 0.0) {
            return epsTilde.copy();
        }
        return x0.mul((float) Math.sqrt(abarNext)).add(epsTilde.mul((float) Math.sqrt(1.0 - abarNext)));
    }
}

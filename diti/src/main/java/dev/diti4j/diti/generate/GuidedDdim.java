package dev.diti4j.diti.generate;

import dev.diti4j.core.Tensor;
import dev.diti4j.diffusion.DdimGrid;
import dev.diti4j.diffusion.DdimSampler;
import dev.diti4j.diffusion.NoiseSchedule;
import dev.diti4j.diffusion.StepListener;
import dev.diti4j.diti.model.DitiModel;

/**
 * Deterministic DDIM (η = 0, x̂_0 clamped to [−1, 1]) guided by a DiTi model's shift decoder:
 * sampling x_T → x̂_0 and inversion x_0 → x_T, each step using the shifted prediction
 * {@link ShiftedEpsilon} for a feature z (METHOD 6.1, 6.2). The update itself is
 * {@link DdimSampler}'s; this class only chooses the grid and what G is given.
 *
 * <ul>
 *   <li>{@link #masked} is DiTi's {@code masked_guided_ddim} (METHOD 6.2b): the strided grid
 *       0, s, 2s, … with s = ⌊T/S⌋, and at each step t the condition z ⊙ M[⌊t·k/T⌋]. Sampling ends
 *       with ᾱ_next = 1, so it returns x̂_0; inversion's last step has ᾱ_next = 0, so x_T = ε̃.</li>
 *   <li>{@link #pdae} is PDAE's DDIM class (METHOD 6.2a): the respaced grid of linspace(0, T−1,
 *       S+1) and the whole z at every step. The reference inverts images this way before a
 *       manipulation (METHOD 6.5 step 5).</li>
 *   <li>{@link #of} combines any grid with any {@link Conditioning}, e.g. the strided grid with an
 *       unmasked z, which is how the reference generates edited images (METHOD 8 item 13).</li>
 * </ul>
 *
 * Inputs are checked: images (B, C, S, S) with the model's channels and the encoder's image size,
 * z (B, d) with the partition's d. Loops run without a graph and release each step's temporaries
 * ({@link DdimSampler}), so memory does not grow with the number of steps.
 */
public final class GuidedDdim {
    private final DitiModel model;
    private final NoiseSchedule schedule;
    private final DdimSampler sampler;
    private final Conditioning conditioning;

    private GuidedDdim(DitiModel model, NoiseSchedule schedule, DdimGrid.Kind kind, int steps,
            Conditioning conditioning) {
        Inputs.sameSteps(model, schedule);
        if (kind == null || conditioning == null) {
            throw new IllegalArgumentException("guided DDIM needs a grid kind and a conditioning");
        }
        Inputs.steps("DDIM steps", steps, schedule);
        this.model = model;
        this.schedule = schedule;
        this.sampler = new DdimSampler(schedule, DdimGrid.of(kind, schedule, steps), true);
        this.conditioning = conditioning;
    }

    /** DiTi's masked DDIM with S = {@code steps} (METHOD 6.2b): strided grid, z ⊙ M[i(t)]. */
    public static GuidedDdim masked(DitiModel model, NoiseSchedule schedule, int steps) {
        return new GuidedDdim(model, schedule, DdimGrid.Kind.STRIDED, steps, Conditioning.MASKED);
    }

    /** PDAE's DDIM with S = {@code steps} (METHOD 6.2a): respaced grid, the whole z at every t. */
    public static GuidedDdim pdae(DitiModel model, NoiseSchedule schedule, int steps) {
        return new GuidedDdim(model, schedule, DdimGrid.Kind.RESPACED, steps, Conditioning.UNMASKED);
    }

    /**
     * Any grid with any conditioning. With {@link Conditioning#OFF} the loops run the plain frozen
     * model and the z arguments may be null.
     *
     * @throws IllegalArgumentException when steps is outside [1, T] or the model's partition and
     *         the schedule disagree on T
     */
    public static GuidedDdim of(DitiModel model, NoiseSchedule schedule, DdimGrid.Kind kind, int steps,
            Conditioning conditioning) {
        return new GuidedDdim(model, schedule, kind, steps, conditioning);
    }

    /** Sampling from x_T (B, C, S, S) conditioned on z (B, d); returns x̂_0 (a new tensor). */
    public Tensor sample(Tensor xT, Tensor z) {
        return sample(xT, z, StepListener.NONE);
    }

    /** {@link #sample(Tensor, Tensor)} reporting each step to {@code listener}. */
    public Tensor sample(Tensor xT, Tensor z, StepListener listener) {
        Inputs.images("x_T", xT, model);
        return sampler.sample(epsilon(z, xT.dim(0)), xT, listener);
    }

    /** Inversion of x_0 (B, C, S, S) conditioned on z (B, d); returns x_T (a new tensor). */
    public Tensor invert(Tensor x0, Tensor z) {
        return invert(x0, z, StepListener.NONE);
    }

    /** {@link #invert(Tensor, Tensor)} reporting each step to {@code listener}. */
    public Tensor invert(Tensor x0, Tensor z, StepListener listener) {
        Inputs.images("x_0", x0, model);
        return sampler.invert(epsilon(z, x0.dim(0)), x0, listener);
    }

    /** The prediction the loops use for features z (B, d): shifted, or the plain ε_θ when off. */
    public ShiftedEpsilon epsilon(Tensor z) {
        return conditioning == Conditioning.OFF ? ShiftedEpsilon.guidanceOff(model, schedule)
                : new ShiftedEpsilon(model, schedule, z, conditioning);
    }

    private ShiftedEpsilon epsilon(Tensor z, int batch) {
        if (conditioning != Conditioning.OFF) {
            Inputs.features("z", z, batch, model);
            Inputs.evaluationMode(model);
        }
        return epsilon(z);
    }

    public DitiModel model() {
        return model;
    }

    public NoiseSchedule schedule() {
        return schedule;
    }

    public DdimGrid grid() {
        return sampler.grid();
    }

    public Conditioning conditioning() {
        return conditioning;
    }

    /** The underlying DDIM loop (grid, clamping). */
    public DdimSampler sampler() {
        return sampler;
    }

    @Override
    public String toString() {
        return "GuidedDdim[" + sampler.grid() + ", " + conditioning.name().toLowerCase(java.util.Locale.ROOT) + "]";
    }
}

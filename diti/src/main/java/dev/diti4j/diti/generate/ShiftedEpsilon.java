package dev.diti4j.diti.generate;

import dev.diti4j.core.GradMode;
import dev.diti4j.core.Scope;
import dev.diti4j.core.Tensor;
import dev.diti4j.diffusion.EpsilonModel;
import dev.diti4j.diffusion.NoiseSchedule;
import dev.diti4j.diffusion.PerSample;
import dev.diti4j.diti.model.DitiModel;
import dev.diti4j.diti.model.FrozenDm;
import dev.diti4j.diti.model.LossMode;

/**
 * The noise prediction a DiTi model samples with (METHOD 6.1), for one fixed feature z:
 *
 * <pre>
 *   ε̂(x_t, t) = ε_θ(x_t, t) − √(1 − ᾱ_t) · G(x_t, z̃_t, t)
 *   z̃_t      = z ⊙ M[i(t)]    ({@link Conditioning#MASKED}, METHOD 4.4)
 *             = z             ({@link Conditioning#UNMASKED}, PDAE)
 * </pre>
 *
 * The coefficient is the classifier-guidance one, √(1 − ᾱ_t), and <em>not</em> the training
 * coefficient c_t = √α_t (1 − ᾱ_{t−1}) / √(1 − ᾱ_t) (METHOD 8 item 8): the two differ most at
 * small t, and at t = 0, where c_0 = 0, sampling still applies G with √(1 − ᾱ_0) = 0.01 for the
 * linear schedule. With {@link Conditioning#OFF} (see {@link #guidanceOff}) the prediction is the
 * plain ε_θ and G is not evaluated.
 *
 * <p>Each call runs the frozen U-Net once ({@link FrozenDm#run}): the encoder half's features feed
 * both the frozen decoder (giving ε_θ) and the shift decoder (giving G). Everything runs without
 * a graph, and every temporary of a call is released before it returns; only ε̂ survives.
 *
 * <p>The shift decoder must be in evaluation mode (no dropout): a model in training mode is refused
 * with an {@link IllegalStateException}. Any sampler that takes an {@link EpsilonModel} can use
 * this class; {@link GuidedDdim} wraps it for the DDIM loops.
 */
public final class ShiftedEpsilon implements EpsilonModel {
    private final DitiModel model;
    private final NoiseSchedule schedule;
    private final Tensor z;
    private final Conditioning conditioning;

    /**
     * @param z            the features (B, d); the batch of every x_t must be B
     * @param conditioning {@link Conditioning#MASKED} or {@link Conditioning#UNMASKED}; for
     *                     {@link Conditioning#OFF} use {@link #guidanceOff}
     * @throws IllegalArgumentException when z is not (B, d) for the partition's d, the schedule's
     *         T differs from the partition's, or the conditioning is OFF or missing
     */
    public ShiftedEpsilon(DitiModel model, NoiseSchedule schedule, Tensor z, Conditioning conditioning) {
        Inputs.sameSteps(model, schedule);
        if (conditioning == null || conditioning == Conditioning.OFF) {
            throw new IllegalArgumentException("a shifted prediction needs MASKED or UNMASKED conditioning, got "
                    + conditioning + "; use ShiftedEpsilon.guidanceOff for the plain frozen model");
        }
        Inputs.features("z", z, model);
        this.model = model;
        this.schedule = schedule;
        this.z = z;
        this.conditioning = conditioning;
    }

    private ShiftedEpsilon(DitiModel model, NoiseSchedule schedule) {
        Inputs.sameSteps(model, schedule);
        this.model = model;
        this.schedule = schedule;
        this.z = null;
        this.conditioning = Conditioning.OFF;
    }

    /**
     * The plain frozen ε_θ(x_t, t), with no shift at all (METHOD 8 item 11): the reference's
     * {@code use_guide = False}, not G applied to a zero feature.
     */
    public static ShiftedEpsilon guidanceOff(DitiModel model, NoiseSchedule schedule) {
        return new ShiftedEpsilon(model, schedule);
    }

    /**
     * The shift coefficient at sampling time, √(1 − ᾱ_t) (METHOD 6.1), in double.
     */
    public static double coefficient(NoiseSchedule schedule, int t) {
        return schedule.sqrtOneMinusAbar(t);
    }

    /**
     * ε̂ for a batch.
     *
     * @param xt noisy images (B, C, H, W), B the batch of z
     * @param t  each sample's 0-based time step, length B, in [0, T)
     * @return ε̂, the shape of {@code xt}, without graph
     */
    @Override
    public Tensor predictEps(Tensor xt, int[] t) {
        checkBatch(xt, t);
        if (conditioning != Conditioning.OFF) {
            Inputs.evaluationMode(model);
        }
        try (GradMode _ = GradMode.off(); Scope s = Scope.open()) {
            FrozenDm.Pass pass = model.frozen().run(xt, t);
            if (conditioning == Conditioning.OFF) {
                return s.keep(pass.eps());
            }
            Tensor g = model.shift(pass.features(), condition(t));
            Tensor coef = PerSample.at(schedule::sqrtOneMinusAbar, t, xt);        // (B,1,1,1)
            return s.keep(pass.eps().sub(coef.mul(g)));
        }
    }

    /**
     * The condition G reads at time steps t: z ⊙ M[i(t_b)] row by row when masked, z itself when
     * unmasked (METHOD 4.4, 6.2).
     *
     * @throws IllegalArgumentException with guidance off (there is no condition), or for a t of
     *         the wrong length or outside [0, T)
     */
    public Tensor condition(int[] t) {
        if (conditioning == Conditioning.OFF) {
            throw new IllegalArgumentException("with guidance off G is not evaluated, so there is no condition");
        }
        if (t == null || t.length != z.dim(0)) {
            throw new IllegalArgumentException("the condition needs one time step per feature row: " + z.dim(0)
                    + " rows but " + (t == null ? 0 : t.length) + " time steps");
        }
        for (int v : t) {
            checkStep(v);
        }
        return conditioning == Conditioning.MASKED ? model.masks().condition(z, t, LossMode.BASE) : z;
    }

    private void checkBatch(Tensor xt, int[] t) {
        if (xt == null || xt.rank() < 1) {
            throw new IllegalArgumentException("x_t must be a batch (B, C, H, W), got "
                    + (xt == null ? "nothing" : xt.shape().toString()));
        }
        if (t == null || t.length != xt.dim(0)) {
            throw new IllegalArgumentException("x_t has a batch of " + xt.dim(0) + " but " + (t == null ? 0 : t.length)
                    + " time steps were given");
        }
        if (z != null && z.dim(0) != xt.dim(0)) {
            throw new IllegalArgumentException("x_t has a batch of " + xt.dim(0) + " but z has " + z.dim(0) + " rows");
        }
        for (int v : t) {
            checkStep(v);
        }
    }

    private void checkStep(int t) {
        if (t < 0 || t >= schedule.steps()) {
            throw new IllegalArgumentException("time step " + t + " is outside [0, " + schedule.steps() + ")");
        }
    }

    public DitiModel model() {
        return model;
    }

    public NoiseSchedule schedule() {
        return schedule;
    }

    /** The features (B, d) this prediction is conditioned on; null with guidance off. */
    public Tensor features() {
        return z;
    }

    public Conditioning conditioning() {
        return conditioning;
    }
}

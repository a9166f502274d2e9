package dev.diti4j.diti.generate;

import dev.diti4j.core.GradMode;
import dev.diti4j.core.Scope;
import dev.diti4j.core.Tensor;
import dev.diti4j.core.random.Philox;
import dev.diti4j.diffusion.NoiseSchedule;
import dev.diti4j.diti.model.DitiModel;

/**
 * Generating an image from its feature z (METHOD 6.3):
 *
 * <ol>
 *   <li>encode z = E(x_0);</li>
 *   <li>invert x_T = DDIM-forward(x_0; z) along the masked grid with the shifted ε̂;</li>
 *   <li>decode x̂ = DDIM-reverse(x_T; z) along the same kind of grid.</li>
 * </ol>
 *
 * The two loops have their own step counts: the reference inverts with 1000 steps and decodes
 * with 100 in its autoencoding evaluation, and uses 50 and 50 in its notebooks. Decoding from a
 * random x_T ~ N(0, I) instead ({@link #decodeFromNoise}) gives stochastic samples that share the
 * attributes z encodes and vary in the rest.
 *
 * <p>Both loops use {@link Conditioning#MASKED} (the condition z ⊙ M[i(t)]); for a model with
 * k = 1 this is PDAE's unmasked reconstruction. Everything runs without a graph; the model's shift
 * decoder must be in evaluation mode.
 */
public final class Reconstruction {
    private final DitiModel model;
    private final GuidedDdim inversion;
    private final GuidedDdim generation;

    /**
     * @param inversionSteps  S of the inversion loop, in [1, T]
     * @param generationSteps S of the decoding loop, in [1, T]
     */
    public Reconstruction(DitiModel model, NoiseSchedule schedule, int inversionSteps, int generationSteps) {
        Inputs.sameSteps(model, schedule);
        Inputs.steps("inversion steps", inversionSteps, schedule);
        Inputs.steps("generation steps", generationSteps, schedule);
        this.model = model;
        this.inversion = GuidedDdim.masked(model, schedule, inversionSteps);
        this.generation = GuidedDdim.masked(model, schedule, generationSteps);
    }

    /** z, x_T and x̂ of one reconstruction, each with the batch of the input images. */
    public record Result(Tensor z, Tensor xT, Tensor images) {
    }

    /** z = E(x_0) for images (B, C, S, S), without graph (METHOD 3). */
    public Tensor encode(Tensor x0) {
        return encode(model, x0);
    }

    static Tensor encode(DitiModel model, Tensor x0) {
        Inputs.images("x_0", x0, model);
        try (GradMode _ = GradMode.off()) {
            return model.encode(x0);
        }
    }

    /** x_T = DDIM-forward(x_0; z) along the masked grid (METHOD 6.3 step 2). */
    public Tensor invert(Tensor x0, Tensor z) {
        return inversion.invert(x0, z);
    }

    /** x̂ = DDIM-reverse(x_T; z) along the masked grid (METHOD 6.3 step 3). */
    public Tensor decode(Tensor xT, Tensor z) {
        return generation.sample(xT, z);
    }

    /** Encodes, inverts and decodes images (B, C, S, S) (METHOD 6.3). */
    public Result reconstruct(Tensor x0) {
        Tensor z = encode(x0);
        Tensor xT = invert(x0, z);
        return new Result(z, xT, decode(xT, z));
    }

    /**
     * Stochastic decodes (METHOD 6.3, last paragraph): for each of the B rows of z, {@code perFeature}
     * decodes from independent x_T ~ N(0, I) drawn from {@code rng}, in one batched DDIM pass.
     *
     * @param z          features (B, d)
     * @param perFeature decodes per feature, at least 1
     * @return images (B·perFeature, C, S, S): row b of a grid with {@code perFeature} columns holds
     *         the decodes of z_b
     */
    public Tensor decodeFromNoise(Tensor z, int perFeature, Philox rng) {
        int batch = Inputs.features("z", z, model);
        if (perFeature < 1) {
            throw new IllegalArgumentException("decodes per feature must be at least 1, got " + perFeature);
        }
        if (rng == null) {
            throw new IllegalArgumentException("stochastic decodes need a random generator");
        }
        int c = model.frozen().unet().config().inChannels();
        int s = model.encoder().config().imageSize();
        int n = Math.multiplyExact(batch, perFeature);
        try (Scope scope = Scope.open()) {
            Tensor zs = repeatRows(z, perFeature);
            Tensor xT = Tensor.randn(rng, z.backend(), n, c, s, s);
            return scope.keep(decode(xT, zs));
        }
    }

    /** Row b of x repeated {@code times} times in a row: (B, …) → (B·times, …). */
    static Tensor repeatRows(Tensor x, int times) {
        if (times == 1) {
            return x;
        }
        int[] idx = new int[Math.multiplyExact(x.dim(0), times)];
        for (int i = 0; i < idx.length; i++) {
            idx[i] = i / times;
        }
        try (GradMode _ = GradMode.off()) {
            return x.gather(idx);
        }
    }

    public DitiModel model() {
        return model;
    }

    /** The inversion loop (masked grid, the inversion step count). */
    public GuidedDdim inversion() {
        return inversion;
    }

    /** The decoding loop (masked grid, the generation step count). */
    public GuidedDdim generation() {
        return generation;
    }
}

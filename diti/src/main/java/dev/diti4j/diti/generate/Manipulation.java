package dev.diti4j.diti.generate;

import dev.diti4j.core.Scope;
import dev.diti4j.core.Tensor;
import dev.diti4j.diffusion.DdimGrid;
import dev.diti4j.diffusion.NoiseSchedule;
import dev.diti4j.diti.model.DitiModel;

/**
 * Editing an image along a direction in feature space, usually a linear classifier's weight row
 * (METHOD 6.5 steps 4–5). With the training set's statistics μ, σ ({@link FeatureStats}), a
 * direction w of length d and a scale s:
 *
 * <pre>
 *   ẑ  = (z − μ)/σ
 *   ẑ′ = ẑ + s · √d · w/‖w‖₂          a move of exactly |s|·√d along the unit vector w/‖w‖
 *   z′ = ẑ′ · σ + μ
 * </pre>
 *
 * computed in double and rounded once to float. The image is then made as the reference makes it:
 *
 * <ol>
 *   <li>x_T by PDAE-style DDIM inversion: the respaced grid and the <em>unmasked</em> z
 *       (METHOD 6.2a; the reference uses 500 or 50 steps);</li>
 *   <li>generation along the strided grid ({@code masked_guided_ddim}; 200 or 50 steps) with z′.
 *       The reference passes no masks there, so z′ is given <b>unmasked at every step</b> even for
 *       DiTi models (METHOD 8 item 13). That is this class's default; pass
 *       {@link Conditioning#MASKED} to give z′ ⊙ M[i(t)] instead, as in training.</li>
 * </ol>
 *
 * The reference's optional probabilistic mask ("ProMask", METHOD 6.5 step 3) restricts the
 * classifier to d′ learned dimensions; it is not implemented here. A binary mask obtained
 * elsewhere can be applied to the direction with {@link #direction(float[], float[])}.
 *
 * <p>Several scales are generated in one batched DDIM pass: row b of the result holds image b
 * edited with each scale in turn. Scales may be any finite numbers (negative ones move against w).
 */
public final class Manipulation {
    /** The scales the reference's notebook sweeps (the evaluation script uses ±0.3). */
    private static final double[] NOTEBOOK_SCALES = {-1, -0.5, 0, 0.5, 1};

    private final DitiModel model;
    private final FeatureStats stats;
    private final GuidedDdim inversion;
    private final GuidedDdim generation;

    /**
     * The reference's procedure: z′ is given unmasked at every generation step.
     *
     * @param inversionSteps  S of the PDAE-style inversion, in [1, T]
     * @param generationSteps S of the generation along the strided grid, in [1, T]
     */
    public Manipulation(DitiModel model, NoiseSchedule schedule, FeatureStats stats, int inversionSteps,
            int generationSteps) {
        this(model, schedule, stats, inversionSteps, generationSteps, Conditioning.UNMASKED);
    }

    /**
     * @param generation what G is given while generating the edited images: UNMASKED (the
     *                   reference), MASKED (z′ ⊙ M[i(t)]) or OFF (the plain frozen model, which
     *                   ignores z′; only useful as a control)
     */
    public Manipulation(DitiModel model, NoiseSchedule schedule, FeatureStats stats, int inversionSteps,
            int generationSteps, Conditioning generation) {
        Inputs.sameSteps(model, schedule);
        if (stats == null || stats.dim() != model.partition().latentDim()) {
            throw new IllegalArgumentException("the feature statistics must have the partition's d = "
                    + model.partition().latentDim() + " dimensions, got " + (stats == null ? 0 : stats.dim()));
        }
        if (generation == null) {
            throw new IllegalArgumentException("choose the generation's conditioning: UNMASKED, MASKED or OFF");
        }
        Inputs.steps("inversion steps", inversionSteps, schedule);
        Inputs.steps("generation steps", generationSteps, schedule);
        this.model = model;
        this.stats = stats;
        this.inversion = GuidedDdim.pdae(model, schedule, inversionSteps);
        this.generation = GuidedDdim.of(model, schedule, DdimGrid.Kind.STRIDED, generationSteps, generation);
    }

    /** {−1, −0.5, 0, 0.5, 1}, the scales of the reference's notebook (a copy). */
    public static double[] notebookScales() {
        return NOTEBOOK_SCALES.clone();
    }

    /**
     * w ⊙ m: a classifier's weight row restricted to the dimensions a 0/1 mask keeps
     * (METHOD 6.5 step 4).
     *
     * @throws IllegalArgumentException when the lengths differ
     */
    public static float[] direction(float[] weightRow, float[] mask) {
        if (weightRow == null || mask == null || weightRow.length != mask.length) {
            throw new IllegalArgumentException("the weight row and the mask must have the same length, got "
                    + (weightRow == null ? 0 : weightRow.length) + " and " + (mask == null ? 0 : mask.length));
        }
        float[] w = new float[weightRow.length];
        for (int j = 0; j < w.length; j++) {
            w[j] = weightRow[j] * mask[j];
        }
        return w;
    }

    /** The image results of {@link #manipulate}: one row per input image, one column per scale. */
    public record Result(Tensor z, Tensor xT, Tensor edited, Tensor images, int columns) {
        /** The number of rows of the grid (input images). */
        public int rows() {
            return images.dim(0) / columns;
        }
    }

    /** z′ for one scale: (B, d) → (B, d). */
    public Tensor edit(Tensor z, float[] w, double scale) {
        return edit(z, w, new double[] {scale});
    }

    /**
     * z′ for every row of z (B, d) and every scale: (B·n, d), row b·n + c for image b and scale c.
     *
     * @throws IllegalArgumentException when z is not (B, d), w has the wrong length, is not finite or
     *         has zero norm, or the scales are empty or not finite
     */
    public Tensor edit(Tensor z, float[] w, double[] scales) {
        int batch = Inputs.features("z", z, model);
        double[] unit = unitDirection(w, model.partition().latentDim());
        checkScales(scales);
        int d = unit.length;
        double[] mu = stats.mean();
        double[] sigma = stats.std();
        double root = Math.sqrt(d);
        double[] zHat = stats.standardizeExact(z.toArray());
        float[] out = new float[Math.multiplyExact(batch * scales.length, d)];
        for (int b = 0; b < batch; b++) {
            for (int c = 0; c < scales.length; c++) {
                int row = (b * scales.length + c) * d;
                for (int j = 0; j < d; j++) {
                    double moved = zHat[b * d + j] + scales[c] * root * unit[j];   // ẑ′
                    out[row + j] = (float) (moved * sigma[j] + mu[j]);             // z′
                }
            }
        }
        return Tensor.of(z.backend(), out, batch * scales.length, d);
    }

    /** x_T by PDAE-style inversion: respaced grid, the whole z at every step (METHOD 6.5 step 5). */
    public Tensor invert(Tensor x0, Tensor z) {
        return inversion.invert(x0, z);
    }

    /** Images from x_T (B, C, S, S) and edited features (B, d) along the strided grid. */
    public Tensor generate(Tensor xT, Tensor edited) {
        return generation.sample(xT, edited);
    }

    /**
     * Encodes images (B, C, S, S), inverts them once, edits each feature with every scale and
     * generates all B·n images in one DDIM pass, each from its own image's x_T.
     */
    public Result manipulate(Tensor x0, float[] w, double[] scales) {
        Inputs.images("x_0", x0, model);
        unitDirection(w, model.partition().latentDim());
        checkScales(scales);
        try (Scope s = Scope.open()) {
            Tensor z = Reconstruction.encode(model, x0);
            Tensor xT = invert(x0, z);
            Tensor edited = edit(z, w, scales);
            Tensor noise = Reconstruction.repeatRows(xT, scales.length);
            Tensor images = generate(noise, edited);
            return new Result(s.keep(z), s.keep(xT), s.keep(edited), s.keep(images), scales.length);
        }
    }

    /** w/‖w‖₂ in double, after checking w. */
    static double[] unitDirection(float[] w, int d) {
        if (w == null || w.length != d) {
            throw new IllegalArgumentException("the direction w has length " + (w == null ? 0 : w.length)
                    + ", not the feature length d = " + d);
        }
        double sq = 0;
        for (int j = 0; j < d; j++) {
            if (!Float.isFinite(w[j])) {
                throw new IllegalArgumentException("the direction w has a non-finite value in dimension " + j);
            }
            sq += (double) w[j] * w[j];
        }
        if (sq == 0) {
            throw new IllegalArgumentException("the direction w has zero norm");
        }
        double norm = Math.sqrt(sq);
        double[] unit = new double[d];
        for (int j = 0; j < d; j++) {
            unit[j] = w[j] / norm;
        }
        return unit;
    }

    private static void checkScales(double[] scales) {
        if (scales == null || scales.length == 0) {
            throw new IllegalArgumentException("the edit needs at least one scale");
        }
        for (double s : scales) {
            if (!Double.isFinite(s)) {
                throw new IllegalArgumentException("edit scales must be finite, got " + s);
            }
        }
    }

    public DitiModel model() {
        return model;
    }

    public FeatureStats stats() {
        return stats;
    }

    /** The PDAE-style inversion (respaced grid, unmasked z). */
    public GuidedDdim inversion() {
        return inversion;
    }

    /** The generation (strided grid, the chosen conditioning). */
    public GuidedDdim generation() {
        return generation;
    }
}

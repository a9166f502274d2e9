package dev.diti4j.diti.data;

import dev.diti4j.core.random.Philox;
import java.util.Arrays;
import java.util.List;

/**
 * Procedurally rendered RGB images of one object on a plain background, with seven independent
 * ground-truth factors ordered from fine to coarse: the object's texture, its hue, its shape, its
 * scale, its x and y position, and the background hue. Each factor is drawn uniformly and
 * independently from a Philox stream keyed by the seed, so image {@code i} is a pure function of
 * (seed, i, image size, anti-aliasing) and needs no files.
 *
 * <p>Geometry at 32 px (everything scales with the image size; 16, 32 and 64 px are supported):
 * object boxes of 12, 16 or 20 px centred at 10, 16 or 22 px on each axis, so the largest
 * object still fits at every position; textures are 2-px stripes (period 4) or a 2-px
 * checkerboard, measured from the object's box, so the pattern looks the same wherever the
 * object is. The texture alternates the full object colour with a half-bright shade of it, and the
 * backgrounds are darker still, so hue, texture and silhouette all stay visible. With
 * anti-aliasing, edge pixels blend object and background by the coverage of 4×4 sub-samples;
 * the texture itself stays pixel-exact.
 */
public final class SyntheticShapes implements Dataset {
    /** The factors, in label-column order (fine to coarse). */
    public enum Factor {
        TEXTURE("texture", "flat", "horizontal stripes", "vertical stripes", "checkerboard"),
        OBJECT_HUE("object hue", "red", "yellow", "green", "cyan", "blue", "magenta"),
        SHAPE("shape", "square", "circle", "triangle", "cross"),
        SCALE("scale", "small", "medium", "large"),
        X_POSITION("x position", "left", "centre", "right"),
        Y_POSITION("y position", "top", "middle", "bottom"),
        BACKGROUND_HUE("background hue", "grey", "brown", "navy", "dark green");

        private final Dataset.LabelSpec spec;

        Factor(String name, String... values) {
            this.spec = new Dataset.LabelSpec(name, List.of(values));
        }

        public Dataset.LabelSpec spec() {
            return spec;
        }

        public int cardinality() {
            return spec.cardinality();
        }
    }

    public static final int DEFAULT_IMAGE_SIZE = 32;
    public static final int DEFAULT_SIZE = 50_000;

    /** Object colours (RGB in [0, 1]): six fully saturated hues 60° apart. */
    private static final float[][] OBJECT_RGB = {
        {1f, 0f, 0f}, {1f, 1f, 0f}, {0f, 1f, 0f}, {0f, 1f, 1f}, {0f, 0f, 1f}, {1f, 0f, 1f},
    };
    /** Background colours: dark and desaturated, so never confused with an object hue. */
    private static final float[][] BACKGROUND_RGB = {
        {0.20f, 0.20f, 0.20f}, {0.25f, 0.15f, 0.06f}, {0.06f, 0.09f, 0.25f}, {0.06f, 0.20f, 0.10f},
    };
    /** Brightness of the texture's second tone relative to the object colour. */
    static final float SHADE = 0.5f;
    /** Object box sides and centre offsets at 32 px. */
    private static final int[] SIDES_32 = {12, 16, 20};
    private static final int POSITION_STEP_32 = 6;
    private static final int SUBSAMPLES = 4;
    private static final List<Dataset.LabelSpec> LABELS =
            Arrays.stream(Factor.values()).map(Factor::spec).toList();

    private final int imageSize;
    private final int size;
    private final long seed;
    private final boolean antialias;

    /** 50,000 images of 32 px, seed 0, anti-aliased. */
    public SyntheticShapes() {
        this(DEFAULT_IMAGE_SIZE, DEFAULT_SIZE, 0L, true);
    }

    /**
     * @param imageSize 16, 32 or 64
     * @param size      number of images (≥ 1)
     * @param seed      the Philox key of the factor stream
     * @param antialias blend edge pixels by sub-sample coverage
     */
    public SyntheticShapes(int imageSize, int size, long seed, boolean antialias) {
        if (imageSize != 16 && imageSize != 32 && imageSize != 64) {
            throw new IllegalArgumentException("synthetic shapes are rendered at 16, 32 or 64 px, got " + imageSize);
        }
        if (size < 1) {
            throw new IllegalArgumentException("synthetic shapes need at least one image, got " + size);
        }
        this.imageSize = imageSize;
        this.size = size;
        this.seed = seed;
        this.antialias = antialias;
    }

    /** The factor label columns, in {@link Factor} order. */
    public static List<Dataset.LabelSpec> factorSpecs() {
        return LABELS;
    }

    @Override
    public String name() {
        return "synthetic-shapes(" + imageSize + "px, " + size + ", seed " + seed + ")";
    }

    @Override
    public int size() {
        return size;
    }

    @Override
    public int channels() {
        return 3;
    }

    @Override
    public int height() {
        return imageSize;
    }

    @Override
    public int width() {
        return imageSize;
    }

    @Override
    public List<Dataset.LabelSpec> labels() {
        return LABELS;
    }

    public long seed() {
        return seed;
    }

    @Override
    public Sample get(int index) {
        int[] f = factors(index);
        return new Sample(render(f), f);
    }

    /**
     * The factors of image {@code index}: words of Philox blocks 2i and 2i+1 under the seed, each
     * mapped to [0, cardinality) by a 32×32-bit multiply-shift.
     */
    public int[] factors(int index) {
        Dataset.checkIndex(this, index);
        int[] w = new int[8];
        int[] block = new int[4];
        Philox.block(seed, 2L * index, block);
        System.arraycopy(block, 0, w, 0, 4);
        Philox.block(seed, 2L * index + 1, block);
        System.arraycopy(block, 0, w, 4, 4);
        Factor[] all = Factor.values();
        int[] f = new int[all.length];
        for (int i = 0; i < all.length; i++) {
            f[i] = (int) (((w[i] & 0xFFFFFFFFL) * all[i].cardinality()) >>> 32);
        }
        return f;
    }

    /**
     * Renders one image for explicit factor values (in {@link Factor} order): (3, H, W) row-major,
     * in [−1, 1].
     */
    public float[] render(int[] factors) {
        Factor[] all = Factor.values();
        if (factors.length != all.length) {
            throw new IllegalArgumentException("expected " + all.length + " factor values, got " + factors.length);
        }
        for (int i = 0; i < all.length; i++) {
            if (factors[i] < 0 || factors[i] >= all[i].cardinality()) {
                throw new IllegalArgumentException(all[i].spec().name() + " value " + factors[i]
                        + " is outside [0, " + all[i].cardinality() + ")");
            }
        }
        int n = imageSize;
        int texture = factors[Factor.TEXTURE.ordinal()];
        float[] obj = OBJECT_RGB[factors[Factor.OBJECT_HUE.ordinal()]];
        float[] bg = BACKGROUND_RGB[factors[Factor.BACKGROUND_HUE.ordinal()]];
        int shape = factors[Factor.SHAPE.ordinal()];
        int unit = n / 16;                       // 1, 2 or 4 px: 32 px geometry is in steps of 2 units
        int side = SIDES_32[factors[Factor.SCALE.ordinal()]] * unit / 2;
        int step = POSITION_STEP_32 * unit / 2;
        double cx = n / 2.0 + (factors[Factor.X_POSITION.ordinal()] - 1) * step;
        double cy = n / 2.0 + (factors[Factor.Y_POSITION.ordinal()] - 1) * step;
        double half = side / 2.0;
        int left = (int) Math.round(cx - half);
        int top = (int) Math.round(cy - half);
        int cell = unit;                         // texture cell: 1, 2 or 4 px

        float[] out = new float[3 * n * n];
        int plane = n * n;
        for (int y = 0; y < n; y++) {
            for (int x = 0; x < n; x++) {
                double cover = coverage(shape, x, y, cx, cy, half);
                float shade = 1f;
                if (cover > 0) {
                    int u = Math.floorDiv(x - left, cell);
                    int v = Math.floorDiv(y - top, cell);
                    boolean dark = switch (texture) {
                        case 0 -> false;
                        case 1 -> (v & 1) == 1;
                        case 2 -> (u & 1) == 1;
                        default -> ((u + v) & 1) == 1;
                    };
                    shade = dark ? SHADE : 1f;
                }
                for (int c = 0; c < 3; c++) {
                    double value = cover * obj[c] * shade + (1 - cover) * bg[c];
                    out[c * plane + y * n + x] = (float) (value * 2 - 1);
                }
            }
        }
        return out;
    }

    /** Fraction of pixel (x, y) covered by the shape (centre sample only without anti-aliasing). */
    private double coverage(int shape, int x, int y, double cx, double cy, double half) {
        if (!antialias) {
            return inside(shape, x + 0.5 - cx, y + 0.5 - cy, half) ? 1 : 0;
        }
        int hits = 0;
        for (int sy = 0; sy < SUBSAMPLES; sy++) {
            for (int sx = 0; sx < SUBSAMPLES; sx++) {
                double px = x + (sx + 0.5) / SUBSAMPLES - cx;
                double py = y + (sy + 0.5) / SUBSAMPLES - cy;
                if (inside(shape, px, py, half)) {
                    hits++;
                }
            }
        }
        return hits / (double) (SUBSAMPLES * SUBSAMPLES);
    }

    /** Whether offset (dx, dy) from the centre is inside a shape whose box has half-side h. */
    static boolean inside(int shape, double dx, double dy, double h) {
        return switch (shape) {
            case 0 -> Math.abs(dx) <= h && Math.abs(dy) <= h;                        // square
            case 1 -> dx * dx + dy * dy <= h * h;                                     // circle
            case 2 -> dy <= h && dy >= -h && Math.abs(dx) <= (dy + h) / 2;            // triangle, apex up
            default -> {                                                              // cross, arms h/3 thick
                double a = h / 3;
                yield (Math.abs(dx) <= h && Math.abs(dy) <= a) || (Math.abs(dy) <= h && Math.abs(dx) <= a);
            }
        };
    }

    /** The RGB colour of an object hue, in [0, 1]. */
    static float[] objectRgb(int hue) {
        return OBJECT_RGB[hue].clone();
    }

    /** The RGB colour of a background hue, in [0, 1]. */
    static float[] backgroundRgb(int hue) {
        return BACKGROUND_RGB[hue].clone();
    }
}

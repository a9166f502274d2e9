package dev.diti4j.diti.model;

import dev.diti4j.nn.json.Json;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The layout and sizes of the encoder E(x_0) → z (METHOD 3). Validated on construction: every
 * violation is one {@link IllegalArgumentException} sentence.
 *
 * @param layout     the sequence of layers ({@link Layout})
 * @param inChannels image channels
 * @param imageSize  the side of the square input images; the flattened feature map has
 *                   {@link #flattenSize()} values
 * @param latentDim  d, the length of z
 * @param groups     GroupNorm groups (32 in the reference layouts, 8 in the small one)
 */
public record EncoderConfig(Layout layout, int inChannels, int imageSize, int latentDim, int groups) {

    /**
     * The encoder layouts of METHOD 3. Each is a stack of 3×3 convolutions with stride 2 and
     * padding 1 of the given widths, the first reading the image directly and every later one
     * preceded by GN and SiLU; optionally one attention block after one of them; then GN, SiLU,
     * flatten and one Linear to d.
     */
    public enum Layout {
        /** CelebA 64 px: conv widths 64, 128, 128, 128 (64 → 4 px), attention(128, 4 heads) after the second. */
        CELEBA64(new int[] {64, 128, 128, 128}, 1, 4),
        /** FFHQ 128 px: conv widths 64, 128, 256, 256, 256 (128 → 4 px), attention(256, 4 heads) after the third. */
        FFHQ128(new int[] {64, 128, 256, 256, 256}, 2, 4),
        /** The small recipe (16–32 px, METHOD 9 stage B): conv widths 32, 64, 64, no attention. */
        SMALL(new int[] {32, 64, 64}, -1, 0);

        private final int[] widths;
        private final int attentionAfter;
        private final int heads;

        Layout(int[] widths, int attentionAfter, int heads) {
            this.widths = widths;
            this.attentionAfter = attentionAfter;
            this.heads = heads;
        }

        /** The output channels of each stride-2 convolution, in order. */
        public int[] convWidths() {
            return widths.clone();
        }

        /** The index of the convolution the attention block follows, or −1 for none. */
        public int attentionAfter() {
            return attentionAfter;
        }

        /** The attention block's heads (0 without attention). */
        public int attentionHeads() {
            return heads;
        }
    }

    public EncoderConfig {
        if (layout == null) {
            throw new IllegalArgumentException("EncoderConfig: the layout must be one of "
                    + Arrays.toString(Layout.values()));
        }
        check(inChannels >= 1, "inChannels must be >= 1, got " + inChannels);
        check(latentDim >= 1, "latentDim must be >= 1, got " + latentDim);
        check(groups >= 1, "groups must be >= 1, got " + groups);
        check(imageSize >= 1 && imageSize <= 1 << 16, "imageSize must be in [1, 65536], got " + imageSize);
        for (int w : layout.widths) {
            check(w % groups == 0, "the " + layout + " layout's " + w + " channels are not divisible by groups "
                    + groups);
        }
        long flat = (long) layout.widths[layout.widths.length - 1] * side(layout, imageSize) * side(layout, imageSize);
        check(flat * latentDim <= Integer.MAX_VALUE, "a " + imageSize + " px image gives " + flat
                + " flattened features, too many for a Linear to d = " + latentDim);
    }

    private static void check(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException("EncoderConfig: " + message);
        }
    }

    private static int side(Layout layout, int imageSize) {
        int s = imageSize;
        for (int i = 0; i < layout.widths.length; i++) {
            s = (s + 1) / 2; // 3x3, stride 2, padding 1: floor((s - 1) / 2) + 1
        }
        return s;
    }

    // ---- presets --------------------------------------------------------------------------

    /** METHOD 3 "CelebA 64": 3×64×64 → d = 512; 1,487,104 parameters. */
    public static EncoderConfig celeba64() {
        return celeba64(512);
    }

    /** The CelebA 64 layout with latent size d. */
    public static EncoderConfig celeba64(int latentDim) {
        return new EncoderConfig(Layout.CELEBA64, 3, 64, latentDim, 32);
    }

    /** METHOD 3 "FFHQ 128" (also the reference's Bedroom encoder): 3×128×128 → d = 512; 3,914,240 parameters. */
    public static EncoderConfig ffhq128() {
        return ffhq128(512);
    }

    /** The FFHQ 128 layout with latent size d. */
    public static EncoderConfig ffhq128(int latentDim) {
        return new EncoderConfig(Layout.FFHQ128, 3, 128, latentDim, 32);
    }

    /**
     * METHOD 3 "small" / METHOD 9 stage B for 16–32 px images, with GroupNorm 8. At 28 or 32 px
     * the map is 64×4×4 before the Linear; with one channel and d = 64 that is 121,664 parameters.
     */
    public static EncoderConfig small(int inChannels, int imageSize, int latentDim) {
        return new EncoderConfig(Layout.SMALL, inChannels, imageSize, latentDim, 8);
    }

    /** A copy with another latent size. */
    public EncoderConfig withLatentDim(int d) {
        return new EncoderConfig(layout, inChannels, imageSize, d, groups);
    }

    /** A copy with another GroupNorm group count. */
    public EncoderConfig withGroups(int g) {
        return new EncoderConfig(layout, inChannels, imageSize, latentDim, g);
    }

    // ---- derived quantities ---------------------------------------------------------------

    /** The side of the last feature map (4 for the reference layouts at their sizes, and at 28–32 px). */
    public int featureSide() {
        return side(layout, imageSize);
    }

    /** The channels of the last feature map. */
    public int featureChannels() {
        return layout.widths[layout.widths.length - 1];
    }

    /** The input length of the final Linear: channels × side². */
    public int flattenSize() {
        return featureChannels() * featureSide() * featureSide();
    }

    // ---- JSON -----------------------------------------------------------------------------

    /** The config as a JSON object with the record's component names (the layout by name). */
    public String toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("layout", layout.name().toLowerCase(Locale.ROOT));
        m.put("inChannels", inChannels);
        m.put("imageSize", imageSize);
        m.put("latentDim", latentDim);
        m.put("groups", groups);
        return Json.write(m);
    }

    /** Parses {@link #toJson()}'s format; a missing or mistyped field fails naming it. */
    public static EncoderConfig fromJson(String json) {
        Map<String, Object> m;
        try {
            m = Json.parseObject(json);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("EncoderConfig: malformed JSON: " + e.getMessage(), e);
        }
        String name = Json.getString(m, "layout");
        Layout layout = null;
        for (Layout l : Layout.values()) {
            if (l.name().equalsIgnoreCase(name)) {
                layout = l;
            }
        }
        if (layout == null) {
            throw new IllegalArgumentException("EncoderConfig JSON: unknown layout " + Json.quote(name)
                    + "; use celeba64, ffhq128 or small");
        }
        return new EncoderConfig(layout, Json.getInt(m, "inChannels"), Json.getInt(m, "imageSize"),
                Json.getInt(m, "latentDim"), Json.getInt(m, "groups"));
    }
}

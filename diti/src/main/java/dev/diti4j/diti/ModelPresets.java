package dev.diti4j.diti;

import dev.diti4j.nn.unet.UNetConfig;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The U-Net configurations a run can name, and explicit overrides of their fields. Channels always
 * follow the data (1 for Fashion-MNIST, 3 otherwise).
 *
 * <table>
 *   <caption>presets</caption>
 *   <tr><th>name</th><th>layout</th><th>use</th></tr>
 *   <tr><td>tiny</td><td>base 8, [1,2], attention ds 2, 2 heads, GN 4, no dropout</td><td>tests, smoke runs</td></tr>
 *   <tr><td>small</td><td>base 16, [1,2,4], attention ds 4, GN 8, no dropout</td><td>16 px shapes (the demo)</td></tr>
 *   <tr><td>shapes32</td><td>base 32, [1,2,2,2], attention ds 4, GN 8, dropout 0.1</td><td>32 px shapes</td></tr>
 *   <tr><td>fashion-mnist</td><td>base 32, [1,2,2], attention ds 4, GN 8, dropout 0.1 (METHOD 9)</td><td>28/32 px</td></tr>
 *   <tr><td>celeba64, ffhq128</td><td>METHOD 1.4</td><td>large images (GPU)</td></tr>
 * </table>
 */
public final class ModelPresets {
    private static final Map<String, Supplier<UNetConfig>> PRESETS = new LinkedHashMap<>();

    static {
        PRESETS.put("tiny", UNetConfig::tinyTest);
        PRESETS.put("small", ModelPresets::small);
        PRESETS.put("shapes32", UNetConfig::shapes32);
        PRESETS.put("fashion-mnist", UNetConfig::fashionMnist);
        PRESETS.put("celeba64", UNetConfig::celeba64);
        PRESETS.put("ffhq128", UNetConfig::ffhq128);
    }

    private ModelPresets() {
    }

    /**
     * Explicit fields; null leaves the preset's value.
     */
    public record Overrides(Integer base, int[] mult, Integer resBlocks, int[] attentionDs, Integer heads,
            Float dropout, Integer groups) {
        public static final Overrides NONE = new Overrides(null, null, null, null, null, null, null);

        public boolean any() {
            return base != null || mult != null || resBlocks != null || attentionDs != null || heads != null
                    || dropout != null || groups != null;
        }
    }

    /**
     * The demo model for 16 px images: base 16, [1, 2, 4] (16 ch at 16 px, 32 at 8 px, 64 at 4 px),
     * attention at 4 px, no dropout, 8 groups; 794,547 parameters. Channels grow as the resolution
     * falls, so each level costs about the same and most capacity sits where the layout of the
     * image is decided.
     */
    public static UNetConfig small() {
        return new UNetConfig(3, 3, 16, new int[] {1, 2, 4}, 1, new int[] {4}, 1, 0f, 8);
    }

    /** The preset names, in a stable order. */
    public static java.util.Set<String> names() {
        return PRESETS.keySet();
    }

    /**
     * A preset with overrides, for images with {@code channels} channels.
     *
     * @throws IllegalArgumentException (one sentence) for an unknown preset or an invalid result
     */
    public static UNetConfig resolve(String preset, Overrides o, int channels) {
        Supplier<UNetConfig> p = PRESETS.get(preset);
        if (p == null) {
            throw new IllegalArgumentException("unknown model preset '" + preset + "': use one of "
                    + String.join(", ", PRESETS.keySet()));
        }
        UNetConfig c = p.get();
        return new UNetConfig(channels, channels, o.base() != null ? o.base() : c.baseChannels(),
                o.mult() != null ? o.mult() : c.channelMult(),
                o.resBlocks() != null ? o.resBlocks() : c.numResBlocks(),
                o.attentionDs() != null ? o.attentionDs() : c.attentionDs(),
                o.heads() != null ? o.heads() : c.heads(),
                o.dropout() != null ? o.dropout() : c.dropout(),
                o.groups() != null ? o.groups() : c.groups());
    }

    /** Checks that the model can take images of this side. */
    public static void checkImageSize(UNetConfig c, int imageSize) {
        int m = c.maxDownsampling();
        if (imageSize % m != 0) {
            throw new IllegalArgumentException("a U-Net with " + c.levels() + " levels needs an image size that is a"
                    + " multiple of " + m + ", got " + imageSize);
        }
    }

    /**
     * Checks that a batch of {@code batch} images of side {@code imageSize} keeps every tensor of the
     * forward pass within what one tensor holds: the activations of each level (the decoder's
     * concatenations have twice the level's channels) and the attention scores (heads × positions²
     * per image).
     *
     * @throws IllegalArgumentException (one sentence) naming the tensor that would be too large
     */
    public static void checkTensorSizes(UNetConfig c, int imageSize, int batch) {
        for (int l = 0; l < c.levels(); l++) {
            long side = imageSize >> l;
            long acts = (long) batch * 2 * c.channels(l) * side * side;
            if (acts > Integer.MAX_VALUE) {
                throw new IllegalArgumentException(String.format(Locale.ROOT, "a batch of %d images of %d px makes"
                        + " activations of %,d values at level %d, more than one tensor holds: use a smaller --batch,"
                        + " --image-size or model", batch, imageSize, acts, l));
            }
        }
        for (int ds : c.attentionDs()) {
            long positions = (long) (imageSize / ds) * (imageSize / ds);
            long scores = (long) batch * c.heads() * positions * positions;
            if (scores > Integer.MAX_VALUE) {
                throw new IllegalArgumentException(String.format(Locale.ROOT, "attention at down-sampling factor %d"
                        + " compares %,d positions of a %d px image with each other, %,d scores for a batch of %d,"
                        + " more than one tensor holds: use a smaller --image-size or --batch, or --attention-ds with"
                        + " larger factors", ds, positions, imageSize, scores, batch));
            }
        }
    }
}

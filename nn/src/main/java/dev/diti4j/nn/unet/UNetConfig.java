package dev.diti4j.nn.unet;

import dev.diti4j.nn.json.Json;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The hyper-parameters of the U-Net (METHOD.md 1.3, 1.4, 9). Validated on construction: every
 * violation is one {@link IllegalArgumentException} sentence naming the field.
 *
 * @param inChannels   image channels in
 * @param outChannels  channels predicted (epsilon: the same as inChannels)
 * @param baseChannels width of level 0 before its multiplier; the time code has this dimension
 *                     and the time embedding 4 times it
 * @param channelMult  per-level width multipliers; the number of levels is its length
 * @param numResBlocks ResBlocks per level in the encoder (the decoder has one more)
 * @param attentionDs  down-sampling factors (1, 2, 4, ...) whose blocks get attention, not pixel sizes
 * @param heads        attention heads
 * @param dropout      dropout probability inside ResBlocks
 * @param groups       GroupNorm groups (32 in the reference models, 8 for the small recipe)
 */
public record UNetConfig(int inChannels, int outChannels, int baseChannels, int[] channelMult, int numResBlocks,
        int[] attentionDs, int heads, float dropout, int groups) {

    public UNetConfig {
        channelMult = channelMult == null ? null : channelMult.clone();
        attentionDs = attentionDs == null ? null : attentionDs.clone();
        validate(inChannels, outChannels, baseChannels, channelMult, numResBlocks, attentionDs, heads, dropout, groups);
    }

    private static void validate(int inChannels, int outChannels, int base, int[] mult, int nRes, int[] attn, int heads,
            float dropout, int groups) {
        check(inChannels >= 1, "inChannels must be >= 1, got " + inChannels);
        check(outChannels >= 1, "outChannels must be >= 1, got " + outChannels);
        check(base >= 2 && base % 2 == 0, "baseChannels must be even and >= 2 (the time code splits it into"
                + " cos and sin halves), got " + base);
        check(mult != null && mult.length >= 1, "channelMult must hold at least one level");
        check(nRes >= 1, "numResBlocks must be >= 1, got " + nRes);
        check(attn != null, "attentionDs must not be null (use an empty array for no attention)");
        check(heads >= 1, "heads must be >= 1, got " + heads);
        check(dropout >= 0f && dropout < 1f, "dropout must be in [0, 1), got " + dropout);
        check(groups >= 1, "groups must be >= 1, got " + groups);
        for (int l = 0; l < mult.length; l++) {
            check(mult[l] >= 1, "channelMult[" + l + "] must be >= 1, got " + mult[l]);
            int ch = base * mult[l];
            check(ch % groups == 0, "channels " + ch + " of level " + l + " (" + base + " x " + mult[l]
                    + ") are not divisible by groups " + groups);
        }
        int maxDs = 1 << (mult.length - 1);
        for (int ds : attn) {
            check(ds >= 1 && Integer.bitCount(ds) == 1 && ds <= maxDs, "attention at down-sampling factor " + ds
                    + " is never reached: the " + mult.length + " levels have factors 1.." + maxDs
                    + " (powers of two)");
            int ch = base * mult[Integer.numberOfTrailingZeros(ds)];
            check(ch % heads == 0, "channels " + ch + " at down-sampling factor " + ds + " are not divisible by "
                    + heads + " heads");
        }
        int mid = base * mult[mult.length - 1];
        check(mid % heads == 0, "middle-block channels " + mid + " are not divisible by " + heads + " heads");
    }

    private static void check(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException("UNetConfig: " + message);
        }
    }

    // ---- presets --------------------------------------------------------------------------

    /**
     * The small recipe of METHOD.md 9 for 28x28 or 32x32 greyscale images (Fashion-MNIST): base 32,
     * multipliers [1, 2, 2], one ResBlock per level, attention at ds 4 with one head, dropout 0.1,
     * GroupNorm with 8 groups. 1,369,953 parameters (the 1.37 M of METHOD.md 1.4).
     */
    public static UNetConfig fashionMnist() {
        return new UNetConfig(1, 1, 32, new int[] {1, 2, 2}, 1, new int[] {4}, 1, 0.1f, 8);
    }

    /**
     * 32x32 RGB images (synthetic shapes): base 32, multipliers [1, 2, 2, 2] (32 -> 16 -> 8 -> 4),
     * one ResBlock per level, attention at ds 4 (8x8) with one head, dropout 0.1, 8 groups.
     * 1,914,723 parameters.
     */
    public static UNetConfig shapes32() {
        return new UNetConfig(3, 3, 32, new int[] {1, 2, 2, 2}, 1, new int[] {4}, 1, 0.1f, 8);
    }

    /**
     * The inferred CelebA-64 model of METHOD.md 1.4: base 64, [1, 2, 4, 8], two ResBlocks per level,
     * attention at ds 4 (16 px), one head, dropout 0.1, 32 groups. 63,958,019 parameters.
     */
    public static UNetConfig celeba64() {
        return new UNetConfig(3, 3, 64, new int[] {1, 2, 4, 8}, 2, new int[] {4}, 1, 0.1f, 32);
    }

    /**
     * The Diff-AE FFHQ-128 / Bedroom-128 model of METHOD.md 1.4: base 128, [1, 1, 2, 3, 4], two
     * ResBlocks per level, attention at ds 8 (16 px), one head, dropout 0.1, 32 groups.
     * 98,618,499 parameters.
     */
    public static UNetConfig ffhq128() {
        return new UNetConfig(3, 3, 128, new int[] {1, 1, 2, 3, 4}, 2, new int[] {8}, 1, 0.1f, 32);
    }

    /**
     * A tiny model for tests (8x8 RGB inputs and up): base 8, [1, 2], one ResBlock per level,
     * attention at ds 2 with two heads, no dropout, 4 groups. 53,275 parameters.
     */
    public static UNetConfig tinyTest() {
        return new UNetConfig(3, 3, 8, new int[] {1, 2}, 1, new int[] {2}, 2, 0f, 4);
    }

    /** A copy with another dropout probability. */
    public UNetConfig withDropout(float p) {
        return new UNetConfig(inChannels, outChannels, baseChannels, channelMult, numResBlocks, attentionDs, heads, p,
                groups);
    }

    /** A copy with other image channels in and out. */
    public UNetConfig withChannels(int in, int out) {
        return new UNetConfig(in, out, baseChannels, channelMult, numResBlocks, attentionDs, heads, dropout, groups);
    }

    // ---- derived quantities ---------------------------------------------------------------

    public int levels() {
        return channelMult.length;
    }

    /** Width of level {@code l}: base * mult[l]. */
    public int channels(int level) {
        return baseChannels * channelMult[level];
    }

    /** Width of the time (and z) embedding: 4 * base. */
    public int embDim() {
        return 4 * baseChannels;
    }

    /** The largest down-sampling factor, 2^(levels-1); image sides must be multiples of it. */
    public int maxDownsampling() {
        return 1 << (levels() - 1);
    }

    public boolean attentionAt(int ds) {
        for (int a : attentionDs) {
            if (a == ds) {
                return true;
            }
        }
        return false;
    }

    /** Channels of every skip the encoder pushes, in push order (input conv first). */
    public int[] skipChannels() {
        List<Integer> out = new ArrayList<>();
        int ch = channels(0);
        out.add(ch);
        for (int l = 0; l < levels(); l++) {
            for (int i = 0; i < numResBlocks; i++) {
                ch = channels(l);
                out.add(ch);
            }
            if (l != levels() - 1) {
                out.add(ch);
            }
        }
        return out.stream().mapToInt(Integer::intValue).toArray();
    }

    @Override
    public int[] channelMult() {
        return channelMult.clone();
    }

    @Override
    public int[] attentionDs() {
        return attentionDs.clone();
    }

    // ---- JSON -----------------------------------------------------------------------------

    /** The config as a JSON object with the record's component names. */
    public String toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("inChannels", inChannels);
        m.put("outChannels", outChannels);
        m.put("baseChannels", baseChannels);
        m.put("channelMult", channelMult);
        m.put("numResBlocks", numResBlocks);
        m.put("attentionDs", attentionDs);
        m.put("heads", heads);
        m.put("dropout", dropout);
        m.put("groups", groups);
        return Json.write(m);
    }

    /** Parses {@link #toJson()}'s format; a missing or mistyped field fails naming it. */
    public static UNetConfig fromJson(String json) {
        Map<String, Object> m;
        try {
            m = Json.parseObject(json);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("UNetConfig: malformed JSON: " + e.getMessage(), e);
        }
        try {
            return new UNetConfig(Json.getInt(m, "inChannels"), Json.getInt(m, "outChannels"),
                    Json.getInt(m, "baseChannels"), Json.getIntArray(m, "channelMult"), Json.getInt(m, "numResBlocks"),
                    Json.getIntArray(m, "attentionDs"), Json.getInt(m, "heads"), (float) Json.getDouble(m, "dropout"),
                    Json.getInt(m, "groups"));
        } catch (IllegalArgumentException e) {
            String msg = e.getMessage();
            throw new IllegalArgumentException(msg.startsWith("UNetConfig") ? msg : "UNetConfig JSON: " + msg, e);
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof UNetConfig c && inChannels == c.inChannels && outChannels == c.outChannels
                && baseChannels == c.baseChannels && Arrays.equals(channelMult, c.channelMult)
                && numResBlocks == c.numResBlocks && Arrays.equals(attentionDs, c.attentionDs) && heads == c.heads
                && Float.compare(dropout, c.dropout) == 0 && groups == c.groups;
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hash(inChannels, outChannels, baseChannels, Arrays.hashCode(channelMult), numResBlocks,
                Arrays.hashCode(attentionDs), heads, dropout, groups);
    }

    @Override
    public String toString() {
        return "UNetConfig[in=" + inChannels + ", out=" + outChannels + ", base=" + baseChannels + ", mult="
                + Arrays.toString(channelMult) + ", res=" + numResBlocks + ", attentionDs=" + Arrays.toString(attentionDs)
                + ", heads=" + heads + ", dropout=" + dropout + ", groups=" + groups + "]";
    }
}

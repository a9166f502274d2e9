package dev.diti4j.diti.train;

import dev.diti4j.diti.model.LossMode;
import dev.diti4j.nn.json.Json;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The DiTi training recipe (METHOD 9): Adam (no weight decay) at a constant learning rate, EMA of
 * the encoder and shift decoder, the loss mode, the seed of every generator and the bin width of
 * the loss-reduction histogram in time steps.
 */
public record DitiSettings(long seed, float lr, float emaDecay, LossMode mode, int histogramBinWidth) {
    public DitiSettings {
        if (!(lr > 0) || !Float.isFinite(lr)) {
            throw new IllegalArgumentException("the learning rate must be a positive number, got " + lr);
        }
        if (!(emaDecay >= 0 && emaDecay < 1)) {
            throw new IllegalArgumentException("the EMA decay must be in [0, 1), got " + emaDecay);
        }
        if (mode == null) {
            throw new IllegalArgumentException("the loss mode is missing");
        }
        if (histogramBinWidth < 1) {
            throw new IllegalArgumentException("the histogram bin width must be at least 1 time step, got "
                    + histogramBinWidth);
        }
    }

    /** METHOD 9's defaults: lr 1e-4, EMA 0.999, base mode, bins of 10 steps. */
    public static DitiSettings recipe(long seed) {
        return new DitiSettings(seed, 1e-4f, 0.999f, LossMode.BASE, 10);
    }

    public DitiSettings withLr(float v) {
        return new DitiSettings(seed, v, emaDecay, mode, histogramBinWidth);
    }

    public DitiSettings withEma(float v) {
        return new DitiSettings(seed, lr, v, mode, histogramBinWidth);
    }

    public DitiSettings withMode(LossMode v) {
        return new DitiSettings(seed, lr, emaDecay, v, histogramBinWidth);
    }

    public DitiSettings withHistogramBinWidth(int v) {
        return new DitiSettings(seed, lr, emaDecay, mode, v);
    }

    public String toJson() {
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("seed", seed);
        o.put("lr", (double) lr);
        o.put("ema", (double) emaDecay);
        o.put("mode", mode.toString());
        o.put("histogram_bin_width", histogramBinWidth);
        return Json.write(o);
    }

    /** Parses {@link #toJson()}'s format; a missing or mistyped field fails naming it. */
    public static DitiSettings fromJson(String json) {
        Map<String, Object> o = Json.parseObject(json);
        return new DitiSettings(Json.getLong(o, "seed"), (float) Json.getDouble(o, "lr"),
                (float) Json.getDouble(o, "ema"), LossMode.parse(Json.getString(o, "mode")),
                Json.getInt(o, "histogram_bin_width"));
    }
}

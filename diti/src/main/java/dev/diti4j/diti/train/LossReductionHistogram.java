package dev.diti4j.diti.train;

import dev.diti4j.nn.json.Json;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The per-time-step loss reduction of METHOD 4.3 / 9: for every trained sample, its weighted loss
 * λ_t · mean((ε − ε_θ)²) under the frozen model alone and λ_t · mean((ε − ε_θ − c_t G)²) with the
 * shift, summed in bins of {@code binWidth} time steps. The reduction of a bin is
 * (frozen − shifted) / frozen of its sums: 0 at step 0 (G = 0), positive where z helps.
 *
 * <p>Sums are kept in double and saved in the checkpoint, so a resumed run ends with the same
 * histogram as an uninterrupted one.
 */
public final class LossReductionHistogram {
    private final int steps;
    private final int binWidth;
    private final double[] frozen;
    private final double[] shifted;
    private final long[] count;

    public LossReductionHistogram(int steps, int binWidth) {
        if (steps < 1 || binWidth < 1) {
            throw new IllegalArgumentException("the histogram needs at least one step and a bin width of at least 1, got "
                    + steps + " steps and width " + binWidth);
        }
        this.steps = steps;
        this.binWidth = binWidth;
        int bins = (steps + binWidth - 1) / binWidth;
        this.frozen = new double[bins];
        this.shifted = new double[bins];
        this.count = new long[bins];
    }

    /** Adds one sample's two weighted losses at time step {@code t}. */
    public void add(int t, double frozenLoss, double shiftedLoss) {
        if (t < 0 || t >= steps) {
            throw new IllegalArgumentException("time step " + t + " is outside [0, " + steps + ")");
        }
        int b = t / binWidth;
        frozen[b] += frozenLoss;
        shifted[b] += shiftedLoss;
        count[b]++;
    }

    public int bins() {
        return count.length;
    }

    public int binWidth() {
        return binWidth;
    }

    public long count(int bin) {
        return count[bin];
    }

    /** Mean weighted loss of the frozen model in a bin (NaN when empty). */
    public double frozenMean(int bin) {
        return count[bin] == 0 ? Double.NaN : frozen[bin] / count[bin];
    }

    /** Mean weighted loss with G in a bin (NaN when empty). */
    public double shiftedMean(int bin) {
        return count[bin] == 0 ? Double.NaN : shifted[bin] / count[bin];
    }

    /** (frozen − shifted) / frozen over a bin's sums; NaN for an empty bin or a zero frozen loss. */
    public double reduction(int bin) {
        return count[bin] == 0 || frozen[bin] == 0 ? Double.NaN : (frozen[bin] - shifted[bin]) / frozen[bin];
    }

    /**
     * The exact state as JSON: {@code steps}, {@code bin_width}, and per bin {@code count},
     * {@code frozen_sum}, {@code shifted_sum} (the sums as the hexadecimal bits of the doubles, so they
     * round-trip exactly), plus the readable {@code frozen_mean}, {@code shifted_mean},
     * {@code reduction} (null for empty bins).
     */
    public String toJson() {
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("steps", steps);
        o.put("bin_width", binWidth);
        List<Object> bins = new ArrayList<>();
        for (int b = 0; b < count.length; b++) {
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("first_step", b * binWidth);
            e.put("last_step", Math.min(steps, (b + 1) * binWidth) - 1);
            e.put("count", count[b]);
            e.put("frozen_sum", Long.toHexString(Double.doubleToRawLongBits(frozen[b])));
            e.put("shifted_sum", Long.toHexString(Double.doubleToRawLongBits(shifted[b])));
            e.put("frozen_mean", count[b] == 0 ? null : frozenMean(b));
            e.put("shifted_mean", count[b] == 0 ? null : shiftedMean(b));
            double r = reduction(b);
            e.put("reduction", Double.isNaN(r) ? null : r);
            bins.add(e);
        }
        o.put("bins", bins);
        return Json.write(o);
    }

    /** Parses {@link #toJson()}'s format exactly (the sums from their bits). */
    @SuppressWarnings("unchecked")
    public static LossReductionHistogram fromJson(String json) {
        Map<String, Object> o = Json.parseObject(json);
        LossReductionHistogram h = new LossReductionHistogram(Json.getInt(o, "steps"), Json.getInt(o, "bin_width"));
        Object binsObj = o.get("bins");
        if (!(binsObj instanceof List<?> bins) || bins.size() != h.bins()) {
            throw new IllegalArgumentException("field 'bins' must be a list of " + h.bins() + " bins");
        }
        for (int b = 0; b < h.bins(); b++) {
            if (!(bins.get(b) instanceof Map<?, ?> m)) {
                throw new IllegalArgumentException("bin " + b + " is not an object");
            }
            Map<String, Object> e = (Map<String, Object>) m;
            h.count[b] = Json.getLong(e, "count");
            h.frozen[b] = Double.longBitsToDouble(Long.parseUnsignedLong(Json.getString(e, "frozen_sum"), 16));
            h.shifted[b] = Double.longBitsToDouble(Long.parseUnsignedLong(Json.getString(e, "shifted_sum"), 16));
        }
        return h;
    }
}

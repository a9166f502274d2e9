package dev.diti4j.diffusion.train;

import dev.diti4j.diffusion.NoiseSchedule;
import dev.diti4j.diffusion.TimestepWeights;
import dev.diti4j.nn.json.Json;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The hyper-parameters of diffusion-model training (METHOD 5 and 9 stage A). Validated on
 * construction; each violation is one {@link IllegalArgumentException} sentence naming the field.
 *
 * @param lr           AdamW learning rate after warm-up (betas 0.9/0.999, eps 1e-8, no weight decay)
 * @param warmupSteps  linear learning-rate warm-up: step n (0-based) uses lr·min(1, (n+1)/warmup); 0 = none
 * @param maxGradNorm  clip the global gradient norm to this value; 0 = no clipping
 * @param emaDecay     decay of the exponential moving average of the weights (0.999 for the small recipe)
 * @param emaWarmup    average over a shorter window early on: update n uses min(decay, (1+n)/(10+n)),
 *                     so short runs are not dominated by the initial weights
 * @param weights      the per-time-step loss weight λ_t (uniform for the DM, METHOD 1.2; PDAE's, METHOD 2.3)
 * @param schedule     the noise schedule family (LINEAR or COSINE) with T = {@code timesteps}
 * @param timesteps    T
 * @param seed         seeds the time-step/noise generator and, through a fork, the dropout generator
 */
public record DmSettings(float lr, int warmupSteps, float maxGradNorm, float emaDecay, boolean emaWarmup,
        TimestepWeights.Kind weights, NoiseSchedule.Kind schedule, int timesteps, long seed) {

    public DmSettings {
        check(Float.isFinite(lr) && lr > 0f, "learning rate must be finite and > 0, got " + lr);
        check(warmupSteps >= 0, "warm-up steps must be >= 0, got " + warmupSteps);
        check(maxGradNorm >= 0f && Float.isFinite(maxGradNorm), "max gradient norm must be >= 0 (0 = no clipping), got "
                + maxGradNorm);
        check(emaDecay >= 0f && emaDecay < 1f, "EMA decay must be in [0, 1), got " + emaDecay);
        check(weights != null, "loss weights must be given (uniform or pdae)");
        check(schedule == NoiseSchedule.Kind.LINEAR || schedule == NoiseSchedule.Kind.COSINE,
                "noise schedule must be LINEAR or COSINE, got " + schedule);
        check(timesteps >= 2, "timesteps must be >= 2, got " + timesteps);
    }

    /**
     * The small recipe of METHOD 9 stage A: Adam 2e-4, EMA 0.999 (with warm-up), uniform weights,
     * linear β over T = 1000, no clipping, no LR warm-up.
     */
    public static DmSettings recipe(long seed) {
        return new DmSettings(2e-4f, 0, 0f, 0.999f, true, TimestepWeights.Kind.UNIFORM, NoiseSchedule.Kind.LINEAR,
                NoiseSchedule.DEFAULT_STEPS, seed);
    }

    private static void check(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException("DM training: " + message);
        }
    }

    public DmSettings withLr(float v) {
        return new DmSettings(v, warmupSteps, maxGradNorm, emaDecay, emaWarmup, weights, schedule, timesteps, seed);
    }

    public DmSettings withWarmupSteps(int v) {
        return new DmSettings(lr, v, maxGradNorm, emaDecay, emaWarmup, weights, schedule, timesteps, seed);
    }

    public DmSettings withMaxGradNorm(float v) {
        return new DmSettings(lr, warmupSteps, v, emaDecay, emaWarmup, weights, schedule, timesteps, seed);
    }

    public DmSettings withEma(float decay, boolean warmup) {
        return new DmSettings(lr, warmupSteps, maxGradNorm, decay, warmup, weights, schedule, timesteps, seed);
    }

    public DmSettings withWeights(TimestepWeights.Kind v) {
        return new DmSettings(lr, warmupSteps, maxGradNorm, emaDecay, emaWarmup, v, schedule, timesteps, seed);
    }

    public DmSettings withSeed(long v) {
        return new DmSettings(lr, warmupSteps, maxGradNorm, emaDecay, emaWarmup, weights, schedule, timesteps, v);
    }

    /** The learning rate of step {@code n} (0-based): linear warm-up, then constant. */
    public float lrAt(long n) {
        if (warmupSteps == 0 || n + 1 >= warmupSteps) {
            return lr;
        }
        return (float) (lr * (double) (n + 1) / warmupSteps);
    }

    /** The EMA decay of update {@code n} (0-based). */
    public float emaDecayAt(long n) {
        if (!emaWarmup) {
            return emaDecay;
        }
        return (float) Math.min(emaDecay, (1.0 + n) / (10.0 + n));
    }

    /** The noise schedule these settings train with. */
    public NoiseSchedule noiseSchedule() {
        return NoiseSchedule.of(schedule, timesteps);
    }

    /** The loss weights λ_t for {@link #noiseSchedule()}. */
    public TimestepWeights lossWeights() {
        return TimestepWeights.of(weights, noiseSchedule());
    }

    /** A JSON object with the component names; floats are written exactly (as doubles). */
    public String toJson() {
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("lr", (double) lr);
        o.put("warmupSteps", warmupSteps);
        o.put("maxGradNorm", (double) maxGradNorm);
        o.put("emaDecay", (double) emaDecay);
        o.put("emaWarmup", emaWarmup);
        o.put("weights", weights.name().toLowerCase(Locale.ROOT));
        o.put("schedule", schedule.name().toLowerCase(Locale.ROOT));
        o.put("timesteps", timesteps);
        o.put("seed", seed);
        return Json.write(o);
    }

    /**
     * Parses {@link #toJson()}.
     *
     * @throws IllegalArgumentException (one sentence) for a missing or malformed field
     */
    public static DmSettings fromJson(String json) {
        Map<String, Object> o = Json.parseObject(json);
        if (!(o.get("emaWarmup") instanceof Boolean warm)) {
            throw new IllegalArgumentException("\"emaWarmup\" must be true or false, got " + o.get("emaWarmup"));
        }
        return new DmSettings((float) Json.getDouble(o, "lr"), Json.getInt(o, "warmupSteps"),
                (float) Json.getDouble(o, "maxGradNorm"), (float) Json.getDouble(o, "emaDecay"), warm,
                parseEnum(TimestepWeights.Kind.class, Json.getString(o, "weights"), "weights"),
                parseEnum(NoiseSchedule.Kind.class, Json.getString(o, "schedule"), "schedule"),
                Json.getInt(o, "timesteps"), Json.getLong(o, "seed"));
    }

    private static <E extends Enum<E>> E parseEnum(Class<E> type, String value, String field) {
        try {
            return Enum.valueOf(type, value.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("\"" + field + "\" has unknown value \"" + value + "\"", e);
        }
    }
}

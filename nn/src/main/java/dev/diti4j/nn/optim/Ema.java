package dev.diti4j.nn.optim;

import dev.diti4j.core.GradMode;
import dev.diti4j.core.Scope;
import dev.diti4j.core.Tensor;
import dev.diti4j.nn.Module;
import dev.diti4j.nn.Parameter;
import dev.diti4j.nn.checkpoint.Checkpointable;
import dev.diti4j.nn.json.Json;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Exponential moving average of parameters: after each optimiser step, {@link #update()} sets
 * shadow <- decay * shadow + (1 - decay) * param (METHOD.md 5: decay 0.9999 for the full runs,
 * 0.999 for the small recipe of METHOD.md 9). Evaluation uses the shadows, either copied into a
 * second model ({@link #copyTo}) or swapped into the live one ({@link #swap}, twice to undo).
 * The shadows start as copies of the parameters; construct it outside any {@link Scope}.
 */
public final class Ema implements Checkpointable {
    private final List<Parameter> params;
    private final Tensor[] shadow;
    private final float decay;
    private long updates;

    /** Tracks the module's trainable parameters. */
    public Ema(Module module, float decay) {
        this(module.trainableParameters(), decay);
    }

    public Ema(List<Parameter> params, float decay) {
        if (!(decay >= 0f && decay <= 1f)) {
            throw new IllegalArgumentException("EMA decay must be in [0, 1], got " + decay);
        }
        this.params = List.copyOf(params);
        this.decay = decay;
        this.shadow = new Tensor[this.params.size()];
        var names = new java.util.HashSet<String>();
        for (int i = 0; i < shadow.length; i++) {
            Parameter p = this.params.get(i);
            if (!names.add(p.name())) {
                throw new IllegalArgumentException("EMA: two parameters are named '" + p.name() + "'");
            }
            shadow[i] = p.tensor().copy();
        }
    }

    /** shadow <- decay * shadow + (1 - decay) * param, for every tracked parameter. */
    public void update() {
        update(decay);
    }

    /**
     * One update with another decay for this step only, for warm-up schedules that average over
     * a shorter window while few steps have been taken (e.g. min(decay, (1 + n) / (10 + n))).
     */
    public void update(float decayNow) {
        if (!(decayNow >= 0f && decayNow <= 1f)) {
            throw new IllegalArgumentException("EMA decay must be in [0, 1], got " + decayNow);
        }
        try (GradMode ng = GradMode.off()) {
            for (int i = 0; i < shadow.length; i++) {
                try (Scope s = Scope.open()) {
                    shadow[i].assign(shadow[i].mul(decayNow).add(params.get(i).tensor().mul(1f - decayNow)));
                }
            }
        }
        updates++;
    }

    /**
     * Writes the shadows into {@code target}'s parameters of the same names (names relative to
     * {@code target}, e.g. a second instance of the same model). Every tracked name must exist there
     * with the same shape; the target's other parameters are untouched.
     */
    public void copyTo(Module target) {
        Map<String, Parameter> named = target.namedParameters();
        for (int i = 0; i < shadow.length; i++) {
            String name = params.get(i).name();
            Parameter p = named.get(name);
            if (p == null) {
                throw new IllegalArgumentException("EMA.copyTo: the target module has no parameter '" + name + "'");
            }
            if (!p.shape().equals(shadow[i].shape())) {
                throw new IllegalArgumentException("EMA.copyTo: parameter '" + name + "' is " + p.shape()
                        + " in the target but " + shadow[i].shape() + " in the average");
            }
            p.tensor().assign(shadow[i]);
        }
    }

    /** Exchanges the live parameter values with the averages (call again to restore). */
    public void swap() {
        try (Scope s = Scope.open()) {
            for (int i = 0; i < shadow.length; i++) {
                Tensor live = params.get(i).tensor();
                Tensor tmp = live.copy();
                live.assign(shadow[i]);
                shadow[i].assign(tmp);
            }
        }
    }

    /** The average of parameter {@code name}. */
    public Tensor shadow(String name) {
        for (int i = 0; i < shadow.length; i++) {
            if (params.get(i).name().equals(name)) {
                return shadow[i];
            }
        }
        throw new IllegalArgumentException("EMA tracks no parameter named '" + name + "'");
    }

    public float decay() {
        return decay;
    }

    /** Number of {@link #update()} calls (restored from checkpoints). */
    public long updates() {
        return updates;
    }

    public List<Parameter> parameters() {
        return params;
    }

    /** The shadows under their parameters' names. */
    @Override
    public Map<String, Tensor> stateTensors() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (int i = 0; i < shadow.length; i++) {
            out.put(params.get(i).name(), shadow[i]);
        }
        return out;
    }

    @Override
    public String stateMetadata() {
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("type", "EMA");
        o.put("decay", decay);
        o.put("updates", updates);
        return Json.write(o);
    }

    @Override
    public void restoreMetadata(String json) {
        Map<String, Object> o = Json.parseObject(json);
        if (!"EMA".equals(o.get("type"))) {
            throw new IllegalArgumentException("state is of type " + o.get("type") + ", not EMA");
        }
        long n = Json.getLong(o, "updates");
        if (n < 0) {
            throw new IllegalArgumentException("EMA update count must be >= 0, got " + n);
        }
        updates = n;
    }
}

package dev.diti4j.nn.optim;

import dev.diti4j.core.GradMode;
import dev.diti4j.core.Gradients;
import dev.diti4j.core.Scope;
import dev.diti4j.core.Tensor;
import dev.diti4j.nn.Module;
import dev.diti4j.nn.Parameter;
import dev.diti4j.nn.checkpoint.Checkpointable;
import dev.diti4j.nn.json.Json;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Adam with decoupled weight decay (Loshchilov and Hutter), as PyTorch's {@code AdamW}. For each
 * parameter p with gradient g (after optional global-norm clipping) and its own step count n:
 *
 * <pre>
 *   p <- p * (1 - lr * wd)
 *   m <- beta1 m + (1 - beta1) g
 *   v <- beta2 v + (1 - beta2) g^2
 *   p <- p - (lr / (1 - beta1^n)) * m / (sqrt(v) / sqrt(1 - beta2^n) + eps)
 * </pre>
 *
 * With wd = 0 this is Adam, the optimiser of METHOD.md 5 (lr 1e-4 to 2e-4, betas (0.9, 0.999),
 * eps 1e-8, no clipping). Parameters without a gradient in a step are left alone and their step
 * count does not advance. The moments are created when the optimiser is, on the parameters'
 * device, so construct it outside any {@link Scope}.
 */
public final class AdamW implements Checkpointable {
    /**
     * Hyper-parameters.
     *
     * @param maxGradNorm clip the global gradient norm to this value; 0 disables clipping
     */
    public record Settings(float lr, float beta1, float beta2, float eps, float weightDecay, float maxGradNorm) {
        public Settings {
            if (!(lr >= 0f) || !Float.isFinite(lr)) {
                throw new IllegalArgumentException("AdamW: learning rate must be finite and >= 0, got " + lr);
            }
            if (!(beta1 >= 0f && beta1 < 1f) || !(beta2 >= 0f && beta2 < 1f)) {
                throw new IllegalArgumentException("AdamW: betas must be in [0, 1), got (" + beta1 + ", " + beta2 + ")");
            }
            if (!(eps > 0f)) {
                throw new IllegalArgumentException("AdamW: eps must be > 0, got " + eps);
            }
            if (!(weightDecay >= 0f)) {
                throw new IllegalArgumentException("AdamW: weight decay must be >= 0, got " + weightDecay);
            }
            if (!(maxGradNorm >= 0f)) {
                throw new IllegalArgumentException("AdamW: maxGradNorm must be >= 0 (0 disables clipping), got "
                        + maxGradNorm);
            }
        }

        /** Plain Adam: betas (0.9, 0.999), eps 1e-8, no weight decay, no clipping (METHOD.md 5). */
        public static Settings adam(float lr) {
            return new Settings(lr, 0.9f, 0.999f, 1e-8f, 0f, 0f);
        }

        public Settings withLr(float v) {
            return new Settings(v, beta1, beta2, eps, weightDecay, maxGradNorm);
        }

        public Settings withWeightDecay(float v) {
            return new Settings(lr, beta1, beta2, eps, v, maxGradNorm);
        }

        public Settings withMaxGradNorm(float v) {
            return new Settings(lr, beta1, beta2, eps, weightDecay, v);
        }

        public Settings withBetas(float b1, float b2) {
            return new Settings(lr, b1, b2, eps, weightDecay, maxGradNorm);
        }
    }

    private final List<Parameter> params;
    private final Tensor[] m;
    private final Tensor[] v;
    private final long[] steps;
    private Settings settings;
    private float lastGradNorm = Float.NaN;

    /** Optimises the module's trainable (not frozen) parameters. */
    public AdamW(Module module, Settings settings) {
        this(module.trainableParameters(), settings);
    }

    public AdamW(List<Parameter> params, Settings settings) {
        this.params = List.copyOf(params);
        this.settings = settings;
        var names = new HashSet<String>();
        for (Parameter p : this.params) {
            if (!names.add(p.name())) {
                throw new IllegalArgumentException("AdamW: two parameters are named '" + p.name()
                        + "'; put the modules under one root module so every name is unique");
            }
        }
        int n = this.params.size();
        m = new Tensor[n];
        v = new Tensor[n];
        steps = new long[n];
        for (int i = 0; i < n; i++) {
            Tensor p = this.params.get(i).tensor();
            m[i] = Tensor.full(p.backend(), 0f, p.shape().dims());
            v[i] = Tensor.full(p.backend(), 0f, p.shape().dims());
        }
    }

    /**
     * One update from {@code g}. Returns the global gradient norm before clipping (over the
     * parameters this optimiser holds), which is also what clipping compares with maxGradNorm.
     */
    public float step(Gradients g) {
        float norm = GradNorm.global(g, params);
        lastGradNorm = norm;
        float clip = GradNorm.clipFactor(norm, settings.maxGradNorm());
        float lr = settings.lr();
        float b1 = settings.beta1();
        float b2 = settings.beta2();
        try (GradMode ng = GradMode.off()) {
            for (int i = 0; i < params.size(); i++) {
                Tensor grad = g.get(params.get(i).tensor());
                if (grad == null) {
                    continue;
                }
                try (Scope s = Scope.open()) { // releases this parameter's temporaries before the next one
                    long n = ++steps[i];
                    Tensor p = params.get(i).tensor();
                    Tensor gi = clip < 1f ? grad.mul(clip) : grad;
                    if (settings.weightDecay() > 0f) {
                        p.assign(p.mul(1f - lr * settings.weightDecay()));
                    }
                    m[i].assign(m[i].mul(b1).add(gi.mul(1f - b1)));
                    v[i].assign(v[i].mul(b2).add(gi.square().mul(1f - b2)));
                    double bc1 = 1.0 - StrictMath.pow(b1, n);
                    double bc2 = 1.0 - StrictMath.pow(b2, n);
                    Tensor denom = v[i].sqrt().mul((float) (1.0 / Math.sqrt(bc2))).add(settings.eps());
                    p.assign(p.sub(m[i].div(denom).mul((float) (lr / bc1))));
                }
            }
        }
        return norm;
    }

    public Settings settings() {
        return settings;
    }

    /** Changes the hyper-parameters from the next step on (learning-rate schedules). */
    public void setSettings(Settings s) {
        this.settings = s;
    }

    public void setLearningRate(float lr) {
        this.settings = settings.withLr(lr);
    }

    /** The parameters this optimiser updates, in order. */
    public List<Parameter> parameters() {
        return params;
    }

    /** The gradient norm the last step saw (NaN before the first step). */
    public float lastGradNorm() {
        return lastGradNorm;
    }

    /** The number of steps that updated parameter {@code name}. */
    public long steps(String name) {
        for (int i = 0; i < params.size(); i++) {
            if (params.get(i).name().equals(name)) {
                return steps[i];
            }
        }
        throw new IllegalArgumentException("AdamW holds no parameter named '" + name + "'");
    }

    /** First and second moments as {@code m.<param>} and {@code v.<param>}. */
    @Override
    public Map<String, Tensor> stateTensors() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (int i = 0; i < params.size(); i++) {
            out.put("m." + params.get(i).name(), m[i]);
        }
        for (int i = 0; i < params.size(); i++) {
            out.put("v." + params.get(i).name(), v[i]);
        }
        return out;
    }

    /** {@code {"type":"AdamW", "lr":..., ..., "steps":{"<param>": n, ...}}}. */
    @Override
    public String stateMetadata() {
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("type", "AdamW");
        o.put("lr", settings.lr());
        o.put("beta1", settings.beta1());
        o.put("beta2", settings.beta2());
        o.put("eps", settings.eps());
        o.put("weightDecay", settings.weightDecay());
        o.put("maxGradNorm", settings.maxGradNorm());
        Map<String, Object> st = new LinkedHashMap<>();
        for (int i = 0; i < params.size(); i++) {
            st.put(params.get(i).name(), steps[i]);
        }
        o.put("steps", st);
        return Json.write(o);
    }

    /**
     * Restores the per-parameter step counts. The hyper-parameters stay as constructed (so a run can
     * resume with a new learning rate); the saved ones are informational.
     */
    @Override
    @SuppressWarnings("unchecked")
    public void restoreMetadata(String json) {
        Map<String, Object> o = Json.parseObject(json);
        if (!"AdamW".equals(o.get("type"))) {
            throw new IllegalArgumentException("optimizer state is of type " + o.get("type") + ", not AdamW");
        }
        if (!(o.get("steps") instanceof Map<?, ?> st)) {
            throw new IllegalArgumentException("AdamW state has no \"steps\" object");
        }
        long[] restored = new long[params.size()];
        List<String> missing = new ArrayList<>();
        for (int i = 0; i < params.size(); i++) {
            Object n = ((Map<String, Object>) st).get(params.get(i).name());
            if (n instanceof Long l && l >= 0) {
                restored[i] = l;
            } else {
                missing.add(params.get(i).name());
            }
        }
        if (!missing.isEmpty()) {
            throw new IllegalArgumentException("AdamW state has no step count for parameter '" + missing.get(0) + "'"
                    + (missing.size() > 1 ? " (and " + (missing.size() - 1) + " more)" : ""));
        }
        System.arraycopy(restored, 0, steps, 0, steps.length);
    }
}

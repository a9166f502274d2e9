package dev.diti4j.nn;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.diti4j.core.GradMode;
import dev.diti4j.core.Gradients;
import dev.diti4j.core.Scope;
import dev.diti4j.core.Tensor;
import dev.diti4j.core.random.Philox;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Finite-difference gradient checks for modules.
 *
 * <p>The checked scalar is L = sum(f() * R) with a fixed random R, computed on the host in double
 * precision; the analytic gradient is {@code f().backward(R)}. For each leaf, the coordinate with
 * the largest analytic gradient and a few random ones are perturbed by +-h (h = step * max(1, |x|))
 * and the central difference (L+ - L-) / (x+ - x-) is compared with the analytic value:
 * |fd - an| <= rtol * max(|fd|, |an|) + atol * (largest |an| in that leaf) + 0.01 * atol * (largest
 * |an| of all leaves). Every leaf must have a gradient that is not identically zero.
 *
 * <p>It runs on whatever backend the leaves live on: with {@code Backends.override(Device.CPU,
 * reference)} around the module's construction the same check runs on a double-precision backend
 * with {@link Tolerance#DOUBLE}.
 */
public final class GradCheck {
    /** Fraction of atol applied to the largest gradient of all leaves (float rounding noise). */
    private static final double NOISE_FLOOR = 1e-2;

    private GradCheck() {
    }

    /** Step and tolerances. */
    public record Tolerance(double step, double rtol, double atol) {
        /** float32 storage: a large step keeps rounding noise below the truncation error. */
        public static final Tolerance FLOAT32 = new Tolerance(1e-2, 2e-2, 1e-2);
        /** For a double-precision backend. */
        public static final Tolerance DOUBLE = new Tolerance(1e-5, 1e-5, 1e-6);
    }

    /** Checks with {@link Tolerance#FLOAT32}, requiring a non-zero gradient for every leaf. */
    public static void check(String what, Supplier<Tensor> f, Map<String, Tensor> leaves, int coords, long seed) {
        check(what, f, leaves, coords, seed, Tolerance.FLOAT32);
    }

    public static void check(String what, Supplier<Tensor> f, Map<String, Tensor> leaves, int coords, long seed,
            Tolerance tol) {
        Philox rng = new Philox(seed);
        float[] r;
        int[] outDims;
        Map<Tensor, float[]> analytic = new LinkedHashMap<>();
        try (Scope s = Scope.open()) {
            Tensor out = f.get();
            outDims = out.shape().dims();
            r = new float[(int) out.numel()];
            Philox.fill(true, seed ^ 0x5EEDL, 0, r, 0, r.length);
            Gradients g = out.backward(Tensor.of(out.backend(), r, outDims));
            for (Tensor leaf : leaves.values()) {
                Tensor gl = g.get(leaf);
                analytic.put(leaf, gl == null ? new float[(int) leaf.numel()] : gl.toArray());
            }
        }
        double global = 0; // largest |analytic| over all leaves: sets the rounding-noise floor
        for (float[] an : analytic.values()) {
            for (float v : an) {
                global = Math.max(global, Math.abs(v));
            }
        }
        int checked = 0;
        for (Map.Entry<String, Tensor> e : leaves.entrySet()) {
            Tensor leaf = e.getValue();
            float[] an = analytic.get(leaf);
            int arg = 0;
            double scale = 0;
            for (int i = 0; i < an.length; i++) {
                if (Math.abs(an[i]) > scale) {
                    scale = Math.abs(an[i]);
                    arg = i;
                }
            }
            assertTrue(scale > 0, what + ": the analytic gradient of '" + e.getKey() + "' " + leaf.shape()
                    + " is identically zero, so the check would prove nothing");
            int n = Math.min(coords, an.length);
            for (int c = 0; c < n; c++) {
                int i = c == 0 ? arg : rng.nextInt(an.length);
                double fd = centralDifference(f, leaf, i, r, tol.step());
                double err = Math.abs(fd - an[i]);
                double bound = tol.rtol() * Math.max(Math.abs(fd), Math.abs(an[i])) + tol.atol() * scale
                        + NOISE_FLOOR * tol.atol() * global;
                if (!(err <= bound)) {
                    fail(String.format("%s: d/d %s%s[%d]: analytic %.6g vs finite difference %.6g (error %.3g > %.3g)",
                            what, e.getKey(), leaf.shape(), i, an[i], fd, err, bound));
                }
                checked++;
            }
        }
        assertTrue(checked > 0, what + ": no coordinate was checked");
    }

    private static double centralDifference(Supplier<Tensor> f, Tensor leaf, int i, float[] r, double step) {
        float[] data = leaf.toArray();
        float orig = data[i];
        double h = step * Math.max(1.0, Math.abs(orig));
        float xp = (float) (orig + h);
        float xm = (float) (orig - h);
        data[i] = xp;
        double lp = lossWith(f, leaf, data, r);
        data[i] = xm;
        double lm = lossWith(f, leaf, data, r);
        data[i] = orig;
        set(leaf, data);
        return (lp - lm) / ((double) xp - (double) xm);
    }

    private static double lossWith(Supplier<Tensor> f, Tensor leaf, float[] data, float[] r) {
        set(leaf, data);
        try (GradMode ng = GradMode.off(); Scope s = Scope.open()) {
            float[] o = f.get().toArray();
            double l = 0;
            for (int k = 0; k < o.length; k++) {
                l += (double) o[k] * r[k];
            }
            return l;
        }
    }

    private static void set(Tensor leaf, float[] data) {
        try (Scope s = Scope.open()) {
            leaf.assign(Tensor.of(leaf.backend(), data, leaf.shape().dims()));
        }
    }

    /** Every parameter of a module as a named leaf. */
    public static Map<String, Tensor> leaves(Module m) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (Map.Entry<String, Parameter> e : m.namedParameters().entrySet()) {
            out.put(e.getKey(), e.getValue().tensor());
        }
        return out;
    }

    /**
     * Adds noise to every parameter so no gradient vanishes because of a zero-initialised layer:
     * U(+-0.5/sqrt(fan_in)) for weights, U(+-0.3) for vectors (biases, GroupNorm gamma and beta).
     */
    public static void randomize(Module m, Philox rng) {
        for (Parameter p : m.parameters()) {
            int[] dims = p.shape().dims();
            double fanIn = dims.length >= 2 ? (double) p.numel() / dims[0] : 1.0;
            float bound = dims.length >= 2 ? (float) (0.5 / Math.sqrt(fanIn)) : 0.3f;
            float[] data = p.tensor().toArray();
            float[] u = new float[data.length];
            Philox.fill(false, rng.key(), rng.reserve(u.length), u, 0, u.length);
            for (int i = 0; i < data.length; i++) {
                data[i] += (2f * u[i] - 1f) * bound;
            }
            set(p.tensor(), data);
        }
    }

    /** A random normal leaf tensor that requires a gradient. */
    public static Tensor input(Philox rng, int... dims) {
        return Tensor.randn(rng, dev.diti4j.core.Device.CPU, dims).requiresGrad(true);
    }
}

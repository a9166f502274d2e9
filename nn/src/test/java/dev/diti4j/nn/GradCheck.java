package dev.diti4j.nn;

import dev.diti4j.core.Device;
import dev.diti4j.core.GradMode;
import dev.diti4j.core.Gradients;
import dev.diti4j.core.Scope;
import dev.diti4j.core.Tensor;
import dev.diti4j.core.random.Philox;
import dev.diti4j.core.testing.OnBackend;
import dev.diti4j.core.testing.ReferenceBackend;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Finite-difference gradient checks of modules in double precision, on the
 * {@link ReferenceBackend} (the module-level counterpart of core's
 * {@link dev.diti4j.core.testing.GradCheck}).
 *
 * <p>Build the module, its inputs and the closure inside {@link #reference(Runnable)}: every CPU
 * tensor created there, parameters included, then lives on the reference backend, where every
 * value and every intermediate of the forward and backward pass is a double.
 *
 * <p>The checked scalar is {@code L = sum(w * f())} with fixed random weights w (so no wrong,
 * missing or swapped output element can cancel out); the autograd gradient is
 * {@code f().backward(w)}. For each checked coordinate j of a leaf, the step is applied to the
 * leaf's double storage directly and
 *
 * <pre>
 *   fd_j = (L(x + h e_j) - L(x - h e_j)) / 2h,   h = 1e-6 max(1, |x_j|)
 * </pre>
 *
 * must satisfy {@code |autograd_j - fd_j| <= ATOL + RTOL |fd_j|}. Error budget: truncation
 * h^2 |L'''| / 6 is about 1e-12 for these O(1) models. L is summed with Neumaier compensation, so
 * its rounding comes from the forward pass itself: L(x + h e_j) and L(x - h e_j) are off by a few
 * ulps of L, which for |L| up to about 10 is a noise of at most about 2e-9 in fd_j (measured:
 * coordinates whose exact gradient is 0, such as the key bias of an attention block, show |fd_j|
 * of 4.4e-10 or 1.8e-9, one or four ulps of L over 2h). {@link #ATOL} is ten times that. A wrong
 * backward rule is off by a sizeable fraction of the gradient; a derivative off by a relative 1e-4
 * still fails wherever the gradient exceeds about 2e-4.
 *
 * <p>Leaves with at most {@code coordsPerLeaf} elements are checked everywhere; larger ones at the
 * coordinate of their largest gradient, the first and the last, and seeded random ones. Every
 * leaf must have a gradient of at least {@link #NONZERO_FLOOR} somewhere, so that a layer whose
 * gradient vanishes (a zero-initialised layer downstream, a bias cancelled by a normalisation)
 * cannot pass vacuously.
 */
public final class GradCheck {
    /** The central-difference step for values of magnitude up to 1. */
    public static final double STEP = 1e-6;
    /** Relative slack of autograd versus finite differences. */
    public static final double RTOL = 1e-5;
    /** Absolute slack: ten times the finite differences' rounding noise (see the class comment). */
    public static final double ATOL = 2e-8;
    /** A leaf whose largest gradient is below this would be checked vacuously. */
    public static final double NONZERO_FLOOR = 1e-6;

    private GradCheck() {
    }

    /**
     * What one check saw.
     *
     * @param coordinates   coordinates compared, over all leaves
     * @param maxAbsError   the largest |autograd - fd|
     * @param maxRelError   the largest |autograd - fd| / |fd| among coordinates with |fd| >= 1e-3
     * @param toleranceUsed the largest |autograd - fd| / (ATOL + RTOL |fd|): below 1 passes
     * @param worstAt       where that largest share was used, with both values
     * @param millis        the wall time of the check
     */
    public record Result(String what, int coordinates, double maxAbsError, double maxRelError, double toleranceUsed,
            String worstAt, long millis) {
        @Override
        public String toString() {
            return String.format(Locale.ROOT, "%s: %d coordinates in %d ms, max |autograd - fd| %.2e, max relative"
                    + " %.2e, %.1f%% of the tolerance at %s", what, coordinates, millis, maxAbsError, maxRelError,
                    100 * toleranceUsed, worstAt);
        }
    }

    /** Runs {@code body} with a fresh reference backend serving the CPU device on this thread. */
    public static void reference(Runnable body) {
        on(new ReferenceBackend(), body);
    }

    /** Runs {@code body} with {@code ref} (possibly a deliberately broken subclass) serving the CPU device. */
    public static void on(ReferenceBackend ref, Runnable body) {
        OnBackend.call(Device.CPU, ref, () -> {
            body.run();
            return null;
        });
    }

    /**
     * Checks the gradient of {@code f} with respect to every leaf.
     *
     * @param f             the forward pass; called repeatedly, it must be deterministic (reset
     *                      dropout generators inside it)
     * @param leaves        named leaf tensors on the reference backend
     * @param coordsPerLeaf coordinates checked per leaf at most
     * @throws AssertionError listing, per leaf, the mismatching coordinates, or naming a leaf whose
     *                        gradient is (numerically) zero
     */
    public static Result check(String what, Supplier<Tensor> f, Map<String, Tensor> leaves, int coordsPerLeaf,
            long seed) {
        if (leaves.isEmpty() || coordsPerLeaf < 1) {
            throw new IllegalArgumentException(what + ": nothing to check (" + leaves.size() + " leaves, " + coordsPerLeaf
                    + " coordinates per leaf)");
        }
        long start = System.nanoTime();
        Map<String, double[]> storage = new LinkedHashMap<>();
        for (Map.Entry<String, Tensor> e : leaves.entrySet()) {
            if (!(e.getValue().backend() instanceof ReferenceBackend)) {
                throw new IllegalArgumentException(what + ": leaf '" + e.getKey() + "' is on "
                        + e.getValue().backend().describe() + ", not the reference backend; build it inside"
                        + " GradCheck.reference(...)");
            }
            storage.put(e.getKey(), ReferenceBackend.data(e.getValue()));
        }
        double[] w;
        Map<String, double[]> analytic = new LinkedHashMap<>();
        try (Scope s = Scope.open()) {
            Tensor y = f.get();
            float[] wf = new float[Math.toIntExact(y.numel())];
            Philox.fill(true, new Philox(seed).fork(0xC0FFEEL).key(), 0, wf, 0, wf.length);
            w = new double[wf.length];
            for (int i = 0; i < wf.length; i++) {
                w[i] = wf[i];
            }
            Gradients g = y.backward(Tensor.of(y.backend(), wf, y.shape().dims()));
            for (Map.Entry<String, Tensor> e : leaves.entrySet()) {
                Tensor gl = g.get(e.getValue());
                analytic.put(e.getKey(), gl == null ? new double[(int) e.getValue().numel()] : ReferenceBackend.values(gl));
            }
        }
        List<String> problems = new ArrayList<>();
        int checked = 0;
        double maxAbs = 0;
        double maxRel = 0;
        double used = 0;
        String worstAt = "-";
        int leafIndex = 0;
        for (Map.Entry<String, Tensor> e : leaves.entrySet()) {
            String name = e.getKey();
            int[] dims = e.getValue().shape().dims();
            double[] an = analytic.get(name);
            double[] x = storage.get(name);
            int arg = argMaxAbs(an);
            leafIndex++;
            if (!(Math.abs(an[arg]) >= NONZERO_FLOOR)) {
                problems.add(String.format(Locale.ROOT, "'%s' %s: the largest autograd gradient is %.3g, so the check"
                        + " would prove nothing", name, e.getValue().shape(), Math.abs(an[arg])));
                continue;
            }
            int[] coords = coordinates(an.length, arg, coordsPerLeaf, new Philox(seed).fork(leafIndex));
            List<String> bad = new ArrayList<>();
            for (int j : coords) {
                double orig = x[j];
                double h = STEP * Math.max(1.0, Math.abs(orig));
                x[j] = orig + h;
                double plus = loss(f, w);
                x[j] = orig - h;
                double minus = loss(f, w);
                x[j] = orig;
                double fd = (plus - minus) / (2 * h);
                double err = Math.abs(an[j] - fd);
                double bound = ATOL + RTOL * Math.abs(fd);
                String at = String.format(Locale.ROOT, "d/d %s%s: autograd %.10g, finite difference %.10g (diff %.3g)",
                        name, index(j, dims), an[j], fd, err);
                maxAbs = Math.max(maxAbs, err);
                if (Math.abs(fd) >= 1e-3) {
                    maxRel = Math.max(maxRel, err / Math.abs(fd));
                }
                if (err / bound > used) {
                    used = err / bound;
                    worstAt = at;
                }
                if (!(err <= bound)) {
                    bad.add(at);
                }
                checked++;
            }
            if (!bad.isEmpty()) {
                problems.add(String.format(Locale.ROOT, "'%s' %s: %d of %d checked coordinates differ; first: %s", name,
                        e.getValue().shape(), bad.size(), coords.length, String.join("; ", bad.subList(0,
                                Math.min(2, bad.size())))));
            }
        }
        if (!problems.isEmpty()) {
            throw new AssertionError(String.format(Locale.ROOT, "%s: gradient check failed (step %.0e, atol %.0e,"
                    + " rtol %.0e):%n  %s", what, STEP, ATOL, RTOL, String.join("\n  ", problems)));
        }
        Result r = new Result(what, checked, maxAbs, maxRel, used, worstAt, (System.nanoTime() - start) / 1_000_000);
        System.out.println("gradcheck " + r);
        return r;
    }

    /** L = sum(w * f()) at the current leaf values, with no graph and compensated summation. */
    private static double loss(Supplier<Tensor> f, double[] w) {
        try (GradMode ng = GradMode.off(); Scope s = Scope.open()) {
            double[] y = ReferenceBackend.values(f.get());
            double sum = 0;
            double comp = 0;
            for (int i = 0; i < y.length; i++) {
                double t = y[i] * w[i];
                double n = sum + t;
                comp += Math.abs(sum) >= Math.abs(t) ? (sum - n) + t : (t - n) + sum;
                sum = n;
            }
            return sum + comp;
        }
    }

    /** All of 0..n-1 when n <= max; else the argmax, the first, the last and seeded random ones. */
    static int[] coordinates(int n, int arg, int max, Philox rng) {
        if (n <= max) {
            int[] all = new int[n];
            for (int i = 0; i < n; i++) {
                all[i] = i;
            }
            return all;
        }
        int[] pick = new int[max];
        int k = 0;
        for (int fixed : new int[] {arg, 0, n - 1}) {
            if (k < max && !contains(pick, k, fixed)) {
                pick[k++] = fixed;
            }
        }
        while (k < max) {
            int r = rng.nextInt(n);
            if (!contains(pick, k, r)) {
                pick[k++] = r;
            }
        }
        return pick;
    }

    private static boolean contains(int[] a, int len, int v) {
        for (int i = 0; i < len; i++) {
            if (a[i] == v) {
                return true;
            }
        }
        return false;
    }

    private static int argMaxAbs(double[] a) {
        int arg = 0;
        for (int i = 1; i < a.length; i++) {
            if (Math.abs(a[i]) > Math.abs(a[arg])) {
                arg = i;
            }
        }
        return arg;
    }

    private static String index(int flat, int[] dims) {
        int[] idx = new int[dims.length];
        for (int d = dims.length - 1; d >= 0; d--) {
            idx[d] = flat % dims[d];
            flat /= dims[d];
        }
        StringBuilder sb = new StringBuilder("[");
        for (int d = 0; d < idx.length; d++) {
            sb.append(d == 0 ? "" : ",").append(idx[d]);
        }
        return sb.append(']').toString();
    }

    /** Every parameter of a module as a named leaf, prefixed (for example {@code "res1.conv1.weight"}). */
    public static Map<String, Tensor> leaves(Module m) {
        return leaves("", m);
    }

    /** Every parameter of a module as a named leaf, with {@code prefix} before each name. */
    public static Map<String, Tensor> leaves(String prefix, Module m) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (Map.Entry<String, Parameter> e : m.namedParameters().entrySet()) {
            out.put(prefix + e.getKey(), e.getValue().tensor());
        }
        return out;
    }

    /** The leaves given as alternating names and tensors, then every parameter of {@code m}. */
    public static Map<String, Tensor> leaves(Module m, Object... named) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (int i = 0; i < named.length; i += 2) {
            out.put((String) named[i], (Tensor) named[i + 1]);
        }
        out.putAll(leaves(m));
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
            try (Scope s = Scope.open()) {
                p.tensor().assign(Tensor.of(p.tensor().backend(), data, dims));
            }
        }
    }

    /** A standard-normal leaf tensor on the CPU device (the reference inside {@link #reference}) that requires a gradient. */
    public static Tensor input(Philox rng, int... dims) {
        return Tensor.randn(rng, Device.CPU, dims).requiresGrad(true);
    }
}

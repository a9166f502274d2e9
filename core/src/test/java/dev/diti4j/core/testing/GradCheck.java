package dev.diti4j.core.testing;

import dev.diti4j.core.GradMode;
import dev.diti4j.core.Gradients;
import dev.diti4j.core.Scope;
import dev.diti4j.core.Tensor;
import dev.diti4j.core.random.Philox;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Finite-difference gradient checks on the {@link ReferenceBackend}, where every value is a
 * double. For a case with output y and weights w, {@code L(x) = sum(w * y(x))}; each checked
 * coordinate j of an input gets the central difference
 * {@code (L(x + h e_j) - L(x - h e_j)) / 2h} with {@code h = 1e-6}, the step applied to the
 * input's double storage directly (a float32 step could not be that small). The autograd
 * gradient, also computed in double, must match to {@link #TOLERANCE}.
 *
 * <p>Error budget: truncation is about h^2 |L'''| / 6 (1e-12 for the catalogue's domains), and
 * rounding about u |L| / h with u = 1.1e-16 and L summed with compensation (about 1e-9); a wrong
 * derivative is off by O(|gradient|). Large inputs are checked on a seeded sample of
 * {@link #MAX_COORDS} coordinates, which always includes the first and the last.
 */
public final class GradCheck {
    /** The central-difference step, on inputs of magnitude about 1. */
    public static final double STEP = 1e-6;
    /** Autograd versus finite differences, both in double. */
    public static final Tolerance TOLERANCE = new Tolerance(1e-6, 1e-6);
    /** Coordinates checked per input at most. */
    public static final int MAX_COORDS = 128;

    private GradCheck() {
    }

    /**
     * Checks every gradient of a differentiable case.
     *
     * @return the largest |autograd - finite difference| seen
     * @throws AssertionError naming the input and the first mismatching coordinates
     */
    public static double check(OpCase c) {
        if (!c.differentiable()) {
            throw new IllegalArgumentException(c.name() + " has no gradient to check");
        }
        ReferenceBackend ref = new ReferenceBackend();
        return OnBackend.call(ref.device(), ref, () -> {
            Tensor[] in = c.inputs(ref); // outside any scope: they outlive every evaluation below
            Tensor y = c.fn().apply(in, ref);
            int[] yDims = y.shape().dims();
            float[] wf = c.outputWeights(Math.toIntExact(y.numel()));
            double[] w = new double[wf.length];
            for (int i = 0; i < w.length; i++) {
                w[i] = wf[i];
            }
            Gradients g = y.backward(Tensor.of(ref, wf, yDims));
            List<String> problems = new ArrayList<>();
            double worst = 0;
            for (int i = 0; i < in.length; i++) {
                if (!c.inputs().get(i).grad()) {
                    continue;
                }
                String what = "input " + i + " " + Pick.s(c.inputs().get(i).dims());
                Tensor gt = g.get(in[i]);
                if (gt == null) {
                    problems.add(what + ": autograd produced no gradient");
                    continue;
                }
                double[] analytic = ReferenceBackend.values(gt);
                double[] x = ReferenceBackend.data(in[i]);
                int[] coords = coordinates(x.length == 0 ? 0 : (int) in[i].numel(), c.seed() + i);
                double[] ad = new double[coords.length];
                double[] fd = new double[coords.length];
                for (int q = 0; q < coords.length; q++) {
                    int j = coords[q];
                    double orig = x[j];
                    x[j] = orig + STEP;
                    double plus = loss(c, in, ref, w);
                    x[j] = orig - STEP;
                    double minus = loss(c, in, ref, w);
                    x[j] = orig;
                    fd[q] = (plus - minus) / (2 * STEP);
                    ad[q] = analytic[j];
                }
                worst = Math.max(worst, Tolerance.maxAbsDiff(ad, fd));
                String m = TOLERANCE.mismatches(what + " (" + coords.length + " coordinates checked, listed by"
                        + " position in that list)", new int[] {coords.length}, ad, fd);
                if (m != null) {
                    problems.add(m);
                }
            }
            if (!problems.isEmpty()) {
                throw new AssertionError(String.format(Locale.ROOT, "%s: autograd (got) vs central differences"
                        + " (want), step %.0e:%n  %s", c.name(), STEP, String.join("\n  ", problems)));
            }
            return worst;
        });
    }

    /** L = sum(w * y) for the current input values, without recording a graph. */
    private static double loss(OpCase c, Tensor[] in, ReferenceBackend ref, double[] w) {
        try (GradMode ng = GradMode.off(); Scope s = Scope.open()) {
            double[] y = ReferenceBackend.values(c.fn().apply(in, ref));
            return compensatedDot(y, w);
        }
    }

    /** Neumaier-compensated sum of y*w: keeps the rounding of L well below the step's effect. */
    static double compensatedDot(double[] y, double[] w) {
        double sum = 0;
        double comp = 0;
        for (int i = 0; i < y.length; i++) {
            double t = y[i] * w[i];
            double s = sum + t;
            comp += Math.abs(sum) >= Math.abs(t) ? (sum - s) + t : (t - s) + sum;
            sum = s;
        }
        return sum + comp;
    }

    /** All coordinates when there are few, else a seeded sample including the first and the last. */
    static int[] coordinates(int n, long seed) {
        if (n <= MAX_COORDS) {
            int[] all = new int[n];
            for (int i = 0; i < n; i++) {
                all[i] = i;
            }
            return all;
        }
        Philox rng = new Philox(seed);
        int[] pick = new int[MAX_COORDS];
        pick[0] = 0;
        pick[1] = n - 1;
        for (int i = 2; i < MAX_COORDS; i++) {
            pick[i] = rng.nextInt(n);
        }
        return pick;
    }
}

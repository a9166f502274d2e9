package dev.diti4j.core.testing;

import dev.diti4j.core.Gradients;
import dev.diti4j.core.Scope;
import dev.diti4j.core.Tensor;
import dev.diti4j.core.backend.Backend;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;

/**
 * Runs the {@link OpCatalogue} on a candidate backend and on the {@link ReferenceBackend} and
 * compares forward outputs and gradients. A backend plugs in with one test factory:
 *
 * <pre>{@code
 * @TestFactory
 * Stream<DynamicTest> matchesReference() {
 *     return OpConformance.tests(() -> Backends.get(Device.cuda(0)));
 * }
 * }</pre>
 *
 * <p>The gradient compared is that of {@code L = sum(w * y)} for random weights w (see
 * {@link OpCase#outputWeights}), computed as {@code y.backward(w)}: every output element
 * contributes, with its own weight, so a wrong or swapped element cannot cancel out.
 */
public final class OpConformance {
    private OpConformance() {
    }

    /**
     * What one backend computed for a case: the output and, per input that takes a gradient,
     * the gradient (null where the backend produced none).
     */
    public record Outcome(int[] dims, double[] output, List<double[]> grads) {
    }

    /** Runs a case on a backend, with that backend serving its device on this thread. */
    public static Outcome run(OpCase c, Backend backend) {
        return OnBackend.call(backend, () -> {
            try (Scope s = Scope.open()) {
                Tensor[] in = c.inputs(backend);
                Tensor y = c.fn().apply(in, backend);
                int[] dims = y.shape().dims();
                double[] out = ReferenceBackend.values(y);
                List<double[]> grads = new ArrayList<>();
                if (c.differentiable()) {
                    if (!y.requiresGrad()) {
                        throw new AssertionError(c.name() + ": the output does not require a gradient though its"
                                + " inputs do (no graph was recorded)");
                    }
                    Tensor w = Tensor.of(backend, c.outputWeights(Math.toIntExact(y.numel())), dims);
                    Gradients g = y.backward(w);
                    for (int i = 0; i < in.length; i++) {
                        if (c.inputs().get(i).grad()) {
                            Tensor gi = g.get(in[i]);
                            grads.add(gi == null ? null : ReferenceBackend.values(gi));
                        }
                    }
                }
                return new Outcome(dims, out, grads);
            }
        });
    }

    /** Every disagreement of the candidate with the reference on one case; empty when it passes. */
    public static List<String> compare(OpCase c, Backend candidate, double tolScale) {
        Outcome want = run(c, new ReferenceBackend());
        Outcome got = run(c, candidate);
        Tolerance tol = c.tol().scaled(tolScale);
        List<String> problems = new ArrayList<>();
        if (!java.util.Arrays.equals(got.dims(), want.dims())) {
            problems.add("output shape " + Pick.s(got.dims()) + ", reference " + Pick.s(want.dims()));
            return problems;
        }
        add(problems, tol.mismatches("forward " + Pick.s(want.dims()), want.dims(), got.output(), want.output()));
        int k = 0;
        for (int i = 0; i < c.inputs().size(); i++) {
            OpCase.Input in = c.inputs().get(i);
            if (!c.differentiable() || !in.grad()) {
                continue;
            }
            double[] g = got.grads().get(k);
            double[] r = want.grads().get(k);
            k++;
            String what = "gradient of input " + i + " " + Pick.s(in.dims());
            if (r == null) {
                problems.add(what + ": the reference produced none");
            } else if (g == null) {
                problems.add(what + ": missing");
            } else {
                add(problems, tol.mismatches(what, in.dims(), g, r));
            }
        }
        return problems;
    }

    private static void add(List<String> problems, String p) {
        if (p != null) {
            problems.add(p);
        }
    }

    /** Asserts that the candidate matches the reference on one case. */
    public static void check(OpCase c, Backend candidate, double tolScale) {
        List<String> problems = compare(c, candidate, tolScale);
        if (!problems.isEmpty()) {
            throw new AssertionError(c.name() + " on " + candidate.describe() + " differs from the reference:\n  "
                    + String.join("\n  ", problems));
        }
    }

    /** One JUnit test per catalogue case, at the catalogue's tolerances. */
    public static Stream<DynamicTest> tests(Supplier<Backend> candidate) {
        return tests(candidate, 1.0);
    }

    /**
     * One JUnit test per catalogue case; {@code tolScale} widens every tolerance for backends that
     * compute in reduced precision on purpose (say why where it is used).
     */
    public static Stream<DynamicTest> tests(Supplier<Backend> candidate, double tolScale) {
        return OpCatalogue.all().stream()
                .map(c -> DynamicTest.dynamicTest(c.name(), () -> check(c, candidate.get(), tolScale)));
    }
}

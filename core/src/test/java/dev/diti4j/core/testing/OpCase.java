package dev.diti4j.core.testing;

import dev.diti4j.core.Shape;
import dev.diti4j.core.Tensor;
import dev.diti4j.core.backend.Backend;
import dev.diti4j.core.random.Philox;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * One test case of the op catalogue: named inputs made from a seeded generator, an op applied to
 * them, and the tolerance the result must meet against the reference backend. The same case runs
 * on every backend: {@link #inputs(Backend)} uploads the same float values everywhere.
 *
 * @param name           unique display name with the shapes, e.g. {@code matmul (3,5)x(5,7)^T}
 * @param op             the op family it covers (for the coverage check), e.g. {@code matmul}
 * @param inputs         the tensor inputs
 * @param fn             the op under test
 * @param tol            forward and backward tolerance against the reference
 * @param differentiable whether gradients are compared and finite-difference checked
 */
public record OpCase(String name, String op, List<Input> inputs, Op fn, Tolerance tol, boolean differentiable) {

    /** The op under test, applied to tensors on {@code backend} (use it for any tensor it creates). */
    @FunctionalInterface
    public interface Op {
        Tensor apply(Tensor[] in, Backend backend);
    }

    /**
     * One tensor input.
     *
     * @param grad whether the case differentiates with respect to it
     */
    public record Input(String name, int[] dims, Values values, boolean grad) {
    }

    /** The seed of this case's data: fixed by its name, so a case reproduces on its own. */
    public long seed() {
        return name.hashCode() * 0x9E3779B97F4A7C15L;
    }

    /** Input values as the float32 data every backend receives. */
    public float[] data(int input) {
        Input in = inputs.get(input);
        return in.values().make(new Philox(seed()).fork(input), Math.toIntExact(Shape.of(in.dims()).numel()));
    }

    /** The inputs on a backend, marked as requiring a gradient where the case differentiates. */
    public Tensor[] inputs(Backend backend) {
        Tensor[] t = new Tensor[inputs.size()];
        for (int i = 0; i < t.length; i++) {
            t[i] = Tensor.of(backend, data(i), inputs.get(i).dims());
            if (inputs.get(i).grad() && differentiable) {
                t[i].requiresGrad(true);
            }
        }
        return t;
    }

    /**
     * Random weights w for the scalar {@code L = sum(w * output)} whose gradient is compared:
     * every output element influences it, and no symmetry hides a wrong element.
     */
    public float[] outputWeights(int n) {
        return Values.normal().make(new Philox(seed()).fork(1_000_003), n);
    }

    @Override
    public String toString() {
        return name;
    }

    /** Starts a case. */
    public static Builder named(String op, String shapes) {
        return new Builder(op, shapes);
    }

    /** Fluent construction of a case. */
    public static final class Builder {
        private final String op;
        private final String shapes;
        private final List<Input> inputs = new ArrayList<>();
        private Op fn;
        private Tolerance tol = Tolerance.ELEMENTWISE;
        private boolean differentiable = true;

        private Builder(String op, String shapes) {
            this.op = op;
            this.shapes = shapes;
        }

        /** An input the case differentiates with respect to. */
        public Builder in(Values values, int... dims) {
            inputs.add(new Input("x" + inputs.size(), dims, values, true));
            return this;
        }

        /** An input treated as a constant (mask, target of a non-differentiated loss). */
        public Builder constant(Values values, int... dims) {
            inputs.add(new Input("c" + inputs.size(), dims, values, false));
            return this;
        }

        public Builder tol(Tolerance t) {
            this.tol = t;
            return this;
        }

        /** No gradient to compare (masks, comparisons, random draws). */
        public Builder forwardOnly() {
            this.differentiable = false;
            return this;
        }

        public OpCase run(Op f) {
            this.fn = Objects.requireNonNull(f);
            return new OpCase(op + " " + shapes, op, List.copyOf(inputs), fn, tol, differentiable);
        }
    }
}

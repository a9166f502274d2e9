package dev.diti4j.core;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * The result of {@link Tensor#backward()}: the gradient of the loss with respect to every leaf
 * tensor that requires a gradient and took part in computing it. Nothing is stored on the
 * tensors themselves; optimizers read this map.
 */
public final class Gradients {
    private final Map<Tensor, Tensor> grads;

    Gradients(Map<Tensor, Tensor> grads) {
        this.grads = grads;
    }

    /** The gradient of a leaf, or null when the loss does not depend on it. */
    public Tensor get(Tensor leaf) {
        return grads.get(leaf);
    }

    /** The gradient of a leaf, or zeros of its shape when the loss does not depend on it. */
    public Tensor getOrZeros(Tensor leaf) {
        Tensor g = grads.get(leaf);
        return g != null ? g : Tensor.full(leaf.backend(), 0f, leaf.shape().dims());
    }

    public boolean contains(Tensor leaf) {
        return grads.containsKey(leaf);
    }

    public int size() {
        return grads.size();
    }

    /** The leaves that received a gradient, in no particular order. */
    public List<Tensor> leaves() {
        return Collections.unmodifiableList(new ArrayList<>(grads.keySet()));
    }

    /**
     * Reverse-mode differentiation from {@code root}, seeded with {@code seed} = dL/droot.
     *
     * <p>Memory: every gradient in flight is a handle the sweep owns alone (its own reference to
     * the storage). A node's backward runs in a scope of its own, so its temporaries go back to
     * the pool as soon as it returns; the gradient it consumed is released right after, and so are
     * the two operands of a fan-in sum. Only the leaves' gradients outlive the sweep (they belong
     * to the caller's scope, like any result). Peak memory is therefore the graph's saved tensors
     * plus the gradients of the current frontier, not plus every gradient of the pass.
     */
    static Gradients compute(Tensor root, Tensor seed) {
        List<Tensor> order = topologicalOrder(root);
        Map<Tensor, Tensor> acc = new IdentityHashMap<>();
        Map<Tensor, Tensor> leaves = new IdentityHashMap<>();
        try (GradMode ng = GradMode.off()) {
            acc.put(root, seed.detach()); // the caller keeps its seed
            for (int i = order.size() - 1; i >= 0; i--) {
                Tensor t = order.get(i);
                Tensor g = acc.remove(t);
                if (g == null) {
                    continue;
                }
                Node node = t.gradFn;
                if (node == null) {
                    if (t.requiresGrad()) {
                        leaves.put(t, g);
                    } else {
                        g.release();
                    }
                    continue;
                }
                Tensor[] gi;
                try (Scope s = Scope.open()) {
                    gi = node.backward.apply(g, t);
                    for (int k = 0; k < node.inputs.length; k++) {
                        Tensor in = node.inputs[k];
                        if (gi[k] == null || !in.requiresGrad()) {
                            gi[k] = null;
                            continue;
                        }
                        if (!gi[k].shape().equals(in.shape())) {
                            throw new IllegalStateException("backward of " + node.op + " produced a gradient of shape "
                                    + gi[k].shape() + " for an input of shape " + in.shape());
                        }
                        gi[k] = s.keep(claimable(gi, k, s) ? gi[k] : gi[k].detach());
                    }
                }
                g.release(); // consumed (a rule that passed it on returned a handle of its own above)
                for (int k = 0; k < node.inputs.length; k++) {
                    if (gi[k] == null) {
                        continue;
                    }
                    Tensor in = node.inputs[k];
                    Tensor prev = acc.get(in);
                    if (prev == null) {
                        acc.put(in, gi[k]);
                    } else {
                        acc.put(in, prev.add(gi[k])); // fan-in: gradients add up
                        prev.release();
                        gi[k].release();
                    }
                }
            }
        }
        return new Gradients(leaves);
    }

    /**
     * Whether gi[k] can go to the sweep as it is: made by this rule (owned by its scope {@code s})
     * and not also returned for an earlier input. Otherwise (the incoming gradient passed through,
     * a tensor returned twice, a tensor from outside the rule) it gets a handle of its own.
     */
    private static boolean claimable(Tensor[] gi, int k, Scope s) {
        if (gi[k].owner != s) {
            return false;
        }
        for (int j = 0; j < k; j++) {
            if (gi[j] == gi[k]) {
                return false;
            }
        }
        return true;
    }

    /** Inputs before outputs, found with an explicit stack (deep graphs cannot overflow it). */
    private static List<Tensor> topologicalOrder(Tensor root) {
        List<Tensor> order = new ArrayList<>();
        Map<Tensor, Boolean> state = new IdentityHashMap<>(); // false: on stack, true: done
        ArrayList<Tensor> stack = new ArrayList<>();
        ArrayList<Integer> next = new ArrayList<>();
        stack.add(root);
        next.add(0);
        state.put(root, Boolean.FALSE);
        while (!stack.isEmpty()) {
            int top = stack.size() - 1;
            Tensor t = stack.get(top);
            int k = next.get(top);
            Tensor[] inputs = t.gradFn == null ? new Tensor[0] : t.gradFn.inputs;
            if (k < inputs.length) {
                next.set(top, k + 1);
                Tensor in = inputs[k];
                if (in.requiresGrad() && !state.containsKey(in)) {
                    state.put(in, Boolean.FALSE);
                    stack.add(in);
                    next.add(0);
                }
            } else {
                stack.remove(top);
                next.remove(top);
                state.put(t, Boolean.TRUE);
                order.add(t);
            }
        }
        return order;
    }
}

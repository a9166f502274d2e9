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

    /** Reverse-mode differentiation from {@code root}, seeded with {@code seed} = dL/droot. */
    static Gradients compute(Tensor root, Tensor seed) {
        List<Tensor> order = topologicalOrder(root);
        Map<Tensor, Tensor> acc = new IdentityHashMap<>();
        Map<Tensor, Tensor> leaves = new IdentityHashMap<>();
        acc.put(root, seed);
        try (GradMode ng = GradMode.off()) {
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
                    }
                    continue;
                }
                Tensor[] gi = node.backward.apply(g, t);
                for (int k = 0; k < node.inputs.length; k++) {
                    Tensor in = node.inputs[k];
                    if (gi[k] == null || !in.requiresGrad()) {
                        continue;
                    }
                    if (!gi[k].shape().equals(in.shape())) {
                        throw new IllegalStateException("backward of " + node.op + " produced a gradient of shape "
                                + gi[k].shape() + " for an input of shape " + in.shape());
                    }
                    Tensor prev = acc.get(in);
                    acc.put(in, prev == null ? gi[k] : prev.add(gi[k])); // fan-in: gradients add up
                }
            }
        }
        return new Gradients(leaves);
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

package dev.diti4j.nn;

import dev.diti4j.core.Tensor;
import dev.diti4j.core.random.Philox;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A node of a model: named parameters and named child modules, both kept in registration order,
 * and a training flag.
 *
 * <p>Subclasses create their parameters and children in the constructor with
 * {@link #addParameter} and {@link #addModule}. {@link #namedParameters()} lists this module's own
 * parameters first, then each child's, depth first (PyTorch's order), under dotted names such as
 * {@code down.1.res.conv1.weight}.
 *
 * <p>Parameters are ordinary tensors created outside any {@link dev.diti4j.core.Scope}: construct
 * modules outside scopes, or the scope would release their weights when it closes.
 */
public abstract class Module {
    private final LinkedHashMap<String, Parameter> params = new LinkedHashMap<>();
    private final LinkedHashMap<String, Module> children = new LinkedHashMap<>();
    private boolean training = true;
    private boolean hasParent;

    /** Registers a parameter holding {@code value} (which becomes a gradient-requiring leaf). */
    protected final Parameter addParameter(String name, Tensor value) {
        checkName(name);
        if (value.producer() != null) {
            throw new IllegalArgumentException("parameter '" + name + "' of " + getClass().getSimpleName()
                    + " must be a leaf tensor, got the output of " + value.producer());
        }
        Parameter p = new Parameter(name, value);
        params.put(name, p);
        return p;
    }

    /** Registers a child module under {@code name}; its parameters' names gain the prefix. */
    protected final <M extends Module> M addModule(String name, M child) {
        checkName(name);
        Module c = child;
        if (c.hasParent) {
            throw new IllegalArgumentException("module " + child.getClass().getSimpleName()
                    + " is already registered in another module; cannot add it again as '" + name + "'");
        }
        c.hasParent = true;
        for (Parameter p : c.parameters()) {
            p.prefix(name);
        }
        c.train(training);
        children.put(name, c);
        return child;
    }

    private void checkName(String name) {
        if (name == null || name.isEmpty() || name.contains(".")) {
            throw new IllegalArgumentException("bad name '" + name + "' in " + getClass().getSimpleName()
                    + ": names must be non-empty and contain no '.'");
        }
        if (params.containsKey(name) || children.containsKey(name)) {
            throw new IllegalArgumentException("name '" + name + "' is already used in " + getClass().getSimpleName());
        }
    }

    /** Parameters under names relative to this module, in registration order (own first). */
    public final Map<String, Parameter> namedParameters() {
        LinkedHashMap<String, Parameter> out = new LinkedHashMap<>();
        collect("", out);
        return Collections.unmodifiableMap(out);
    }

    private void collect(String prefix, Map<String, Parameter> out) {
        for (Map.Entry<String, Parameter> e : params.entrySet()) {
            out.put(prefix + e.getKey(), e.getValue());
        }
        for (Map.Entry<String, Module> e : children.entrySet()) {
            e.getValue().collect(prefix + e.getKey() + ".", out);
        }
    }

    /** Every parameter of this module and its descendants, in {@link #namedParameters()} order. */
    public final List<Parameter> parameters() {
        return List.copyOf(namedParameters().values());
    }

    /** The parameters that are not frozen (what an optimizer should update). */
    public final List<Parameter> trainableParameters() {
        List<Parameter> out = new ArrayList<>();
        for (Parameter p : namedParameters().values()) {
            if (!p.frozen()) {
                out.add(p);
            }
        }
        return out;
    }

    /** Total number of scalar parameters (frozen ones included). */
    public final long parameterCount() {
        long n = 0;
        for (Parameter p : namedParameters().values()) {
            n += p.numel();
        }
        return n;
    }

    /** The direct children, in registration order. */
    public final Map<String, Module> children() {
        return Collections.unmodifiableMap(children);
    }

    /** True in training mode (dropout active). New modules start in training mode. */
    public final boolean isTraining() {
        return training;
    }

    /** Sets training ({@code true}) or evaluation mode on this module and all descendants. */
    public final Module train(boolean on) {
        training = on;
        for (Module c : children.values()) {
            c.train(on);
        }
        return this;
    }

    public final Module train() {
        return train(true);
    }

    /** Evaluation mode: dropout becomes the identity. */
    public final Module eval() {
        return train(false);
    }

    /** Freezes every parameter of this module and its descendants (see {@link Parameter#setFrozen}). */
    public final Module freeze() {
        for (Parameter p : namedParameters().values()) {
            p.setFrozen(true);
        }
        return this;
    }

    public final Module unfreeze() {
        for (Parameter p : namedParameters().values()) {
            p.setFrozen(false);
        }
        return this;
    }

    /**
     * Gives every random layer in the tree (dropout) the generator it draws from in training mode.
     * The layers share it; save its key and offset to resume a run exactly.
     */
    public final Module setDropoutRng(Philox rng) {
        acceptRng(rng);
        for (Module c : children.values()) {
            c.setDropoutRng(rng);
        }
        return this;
    }

    /** Hook for layers that draw random numbers; the default ignores the generator. */
    protected void acceptRng(Philox rng) {
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "(" + parameterCount() + " parameters)";
    }
}

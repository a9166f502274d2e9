package dev.diti4j.nn;

import dev.diti4j.core.Shape;
import dev.diti4j.core.Tensor;

/**
 * A trainable leaf tensor owned by a {@link Module}, with its dotted name inside the outermost
 * module that holds it (for example {@code down.1.res.conv1.weight}) and a frozen flag.
 *
 * <p>The tensor object never changes: optimizers, EMA and checkpoint loading overwrite its values
 * in place with {@link Tensor#assign(Tensor)}, so a {@link dev.diti4j.core.Gradients} map keyed by
 * it stays valid. A frozen parameter does not require a gradient, so ops on it build no graph.
 */
public final class Parameter {
    private String name;
    private final Tensor tensor;
    private boolean frozen;

    Parameter(String name, Tensor tensor) {
        this.name = name;
        this.tensor = tensor.requiresGrad(true);
    }

    /** The dotted name relative to the outermost module this parameter is registered in. */
    public String name() {
        return name;
    }

    /** The leaf tensor holding the values. */
    public Tensor tensor() {
        return tensor;
    }

    public Shape shape() {
        return tensor.shape();
    }

    public long numel() {
        return tensor.numel();
    }

    public boolean frozen() {
        return frozen;
    }

    /** Freezes (no gradient, skipped by optimizers) or unfreezes this parameter. */
    public void setFrozen(boolean on) {
        frozen = on;
        tensor.requiresGrad(!on);
    }

    /** Called when the owning module is registered as child {@code prefix} of another. */
    void prefix(String prefix) {
        name = prefix + "." + name;
    }

    @Override
    public String toString() {
        return "Parameter[" + name + " " + shape() + (frozen ? ", frozen" : "") + "]";
    }
}

package dev.diti4j.core;

import java.util.ArrayList;

/**
 * Owns the tensors created inside it and returns their memory to the device pool when closed.
 * Scopes nest per thread; a tensor belongs to the innermost open scope at its creation.
 * {@link #keep(Tensor)} hands a tensor to the enclosing scope (or to nobody, at the top) so it
 * survives the close; parameters are created outside any scope and live until dropped.
 *
 * <pre>{@code
 * for (int step = 0; step < steps; step++) {
 *     try (Scope s = Scope.open()) {
 *         Tensor loss = model.loss(batch);
 *         optimizer.step(loss.backward());   // updates parameters in place
 *         lossValue = loss.item();
 *     }                                      // activations and gradients go back to the pool
 * }
 * }</pre>
 *
 * A tensor used after its scope closed raises {@link TensorException.Released}.
 */
public final class Scope implements AutoCloseable {
    private static final ThreadLocal<Scope> CURRENT = new ThreadLocal<>();

    private final Scope parent;
    private final Thread thread;
    private final ArrayList<Tensor> owned = new ArrayList<>();
    private boolean closed;

    private Scope(Scope parent) {
        this.parent = parent;
        this.thread = Thread.currentThread();
    }

    /** Opens a scope nested in the current one. */
    public static Scope open() {
        Scope s = new Scope(CURRENT.get());
        CURRENT.set(s);
        return s;
    }

    /** The innermost open scope of this thread, or null. */
    static Scope current() {
        return CURRENT.get();
    }

    void adopt(Tensor t) {
        owned.add(t);
        t.owner = this;
    }

    /** Moves a tensor to the enclosing scope (or frees it from scoping) and returns it. */
    public Tensor keep(Tensor t) {
        if (t.owner == this) {
            if (parent != null) {
                parent.adopt(t);
            } else {
                t.owner = null;
            }
        }
        return t;
    }

    /** Number of tensors this scope would release now. */
    public int ownedCount() {
        int n = 0;
        for (Tensor t : owned) {
            if (t.owner == this && !t.isReleased()) {
                n++;
            }
        }
        return n;
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        if (Thread.currentThread() != thread) {
            throw new IllegalStateException("a Scope must be closed by the thread that opened it");
        }
        if (CURRENT.get() != this) {
            throw new IllegalStateException("Scopes must be closed innermost first");
        }
        closed = true;
        CURRENT.set(parent);
        for (Tensor t : owned) {
            if (t.owner == this) {
                t.release();
            }
        }
        owned.clear();
    }
}

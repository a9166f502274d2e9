package dev.diti4j.core.backend;

import java.lang.ref.Cleaner;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Reference counting and the unreachable-storage safety net shared by backends. A subclass
 * passes the action that returns its memory to the pool; that action runs exactly once, on the
 * last {@link #release()} or, failing that, when the storage is garbage collected (the action
 * must therefore not refer to the storage object itself).
 */
public abstract class PooledStorage implements Storage {
    private static final Cleaner CLEANER = Cleaner.create();

    private final AtomicInteger refs = new AtomicInteger(1);
    private final Cleaner.Cleanable cleanable;
    private volatile boolean released;

    protected PooledStorage(Runnable freeAction) {
        this.cleanable = CLEANER.register(this, freeAction);
    }

    @Override
    public final void retain() {
        int r;
        do {
            r = refs.get();
            if (r <= 0) {
                throw new IllegalStateException("storage on " + device() + " was already released");
            }
        } while (!refs.compareAndSet(r, r + 1));
    }

    @Override
    public final void release() {
        if (refs.decrementAndGet() == 0) {
            released = true;
            cleanable.clean();
        }
    }

    @Override
    public final boolean isReleased() {
        return released;
    }
}

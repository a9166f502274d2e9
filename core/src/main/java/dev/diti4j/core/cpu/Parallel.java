package dev.diti4j.core.cpu;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The one worker pool of the CPU backend: {@code threads - 1} daemon workers plus the calling
 * thread. The thread count is the number of available processors, or the system property
 * {@code diti4j.threads}. A parallel loop started from inside a worker runs inline, so loops never
 * nest.
 */
public final class Parallel {
    /** Threads used by parallel loops (workers + caller). */
    public static final int THREADS = Math.max(1, Integer.getInteger("diti4j.threads",
            Runtime.getRuntime().availableProcessors()));

    private static final ThreadLocal<Boolean> IN_WORKER = ThreadLocal.withInitial(() -> Boolean.FALSE);
    private static final ExecutorService POOL = THREADS == 1 ? null : Executors.newFixedThreadPool(THREADS - 1,
            new ThreadFactory() {
                private final AtomicInteger n = new AtomicInteger();

                @Override
                public Thread newThread(Runnable r) {
                    Thread t = new Thread(() -> {
                        IN_WORKER.set(Boolean.TRUE);
                        r.run();
                    }, "diti4j-cpu-" + n.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                }
            });

    private Parallel() {
    }

    /** A loop body over the index range [start, end). */
    @FunctionalInterface
    public interface Range {
        void run(int start, int end);
    }

    /**
     * Runs body over [0, n) split into at most {@link #THREADS} contiguous chunks of at least
     * {@code grain} indices each; returns when all chunks are done.
     *
     * <p>The chunk bounds depend on the thread count, and chunks finish in any order. A body must
     * therefore compute each index's result the same way whatever range it is given, and must not
     * combine results across chunks: that is what keeps every kernel's bits independent of the
     * thread count (docs/internals/determinism.md).
     */
    public static void forRange(int n, int grain, Range body) {
        if (n <= 0) {
            return;
        }
        int chunks = (int) Math.min(THREADS, Math.max(1, (n + (long) Math.max(1, grain) - 1) / Math.max(1, grain)));
        if (chunks <= 1 || POOL == null || IN_WORKER.get()) {
            body.run(0, n);
            return;
        }
        @SuppressWarnings("unchecked")
        Future<?>[] futures = new Future<?>[chunks - 1];
        for (int c = 1; c < chunks; c++) {
            int s = (int) ((long) n * c / chunks);
            int e = (int) ((long) n * (c + 1) / chunks);
            futures[c - 1] = POOL.submit(() -> body.run(s, e));
        }
        Throwable failure = null;
        try {
            body.run(0, (int) ((long) n / chunks));
        } catch (Throwable t) {
            failure = t;
        }
        for (Future<?> f : futures) {
            try {
                f.get();
            } catch (java.util.concurrent.ExecutionException e) {
                if (failure == null) {
                    failure = e.getCause();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                if (failure == null) {
                    failure = e;
                }
            }
        }
        if (failure instanceof RuntimeException re) {
            throw re;
        }
        if (failure instanceof Error err) {
            throw err;
        }
        if (failure != null) {
            throw new IllegalStateException(failure);
        }
    }
}

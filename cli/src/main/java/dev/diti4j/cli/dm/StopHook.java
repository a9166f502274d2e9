package dev.diti4j.cli.dm;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The Ctrl-C / SIGTERM part of the training skeleton: a shutdown hook that asks the loop to stop
 * after the current step and then waits (up to two minutes) until the run has saved its checkpoint
 * and {@link #close} is called, so the JVM exits only after the step is on disk.
 */
final class StopHook implements AutoCloseable {
    private final CountDownLatch finished = new CountDownLatch(1);
    private final AtomicBoolean stopping = new AtomicBoolean();
    private final Thread hook;
    private volatile Runnable stop;

    StopHook() {
        hook = new Thread(() -> {
            stopping.set(true);
            Runnable s = stop;
            if (s != null) {
                s.run();
            }
            try {
                finished.await(120, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "diti-train-stop");
        Runtime.getRuntime().addShutdownHook(hook);
    }

    /** What a signal does: usually the loop's {@code requestStop}. */
    void onStop(Runnable requestStop) {
        this.stop = requestStop;
        if (stopping.get()) {
            requestStop.run();
        }
    }

    /** Whether the JVM is shutting down (no plotting then). */
    boolean stopping() {
        return stopping.get();
    }

    @Override
    public void close() {
        finished.countDown();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // the JVM is already shutting down (Ctrl-C): the hook is running and now returns
        }
    }
}

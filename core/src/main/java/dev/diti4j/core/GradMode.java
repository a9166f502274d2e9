package dev.diti4j.core;

/**
 * Whether ops record the autograd graph on the current thread. Recording is on by default;
 * {@link #off()} opens a scope in which no graph is built (frozen networks, sampling,
 * evaluation, the backward pass itself):
 *
 * <pre>{@code
 * try (var ng = GradMode.off()) {
 *     Tensor eps = frozenUnet.forward(xt, t);   // no graph, no saved activations
 * }
 * }</pre>
 */
public final class GradMode implements AutoCloseable {
    private static final ThreadLocal<int[]> DISABLED_DEPTH = ThreadLocal.withInitial(() -> new int[1]);
    private boolean closed;

    private GradMode() {
    }

    /** Disables graph recording until the returned handle is closed. Nests. */
    public static GradMode off() {
        DISABLED_DEPTH.get()[0]++;
        return new GradMode();
    }

    /** True when ops on this thread record the graph. */
    public static boolean isEnabled() {
        return DISABLED_DEPTH.get()[0] == 0;
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            DISABLED_DEPTH.get()[0]--;
        }
    }
}

package dev.diti4j.nn.fuzz;

import java.lang.management.ManagementFactory;
import java.util.HexFormat;
import java.util.function.LongUnaryOperator;

/**
 * What every file reader promises for any input, checked by the fuzz tests (both the Jazzer
 * {@code @FuzzTest}s and the seeded mutation runs):
 *
 * <ul>
 *   <li>it returns, or throws the reader's own exception type (and nothing else: no
 *       {@code ArrayIndexOutOfBoundsException}, {@code ArithmeticException}, {@code OutOfMemoryError},
 *       {@code StackOverflowError} ...);</li>
 *   <li>that exception's message is one short printable line;</li>
 *   <li>the calling thread allocates no more than the input's size warrants (a limit given as a
 *       function of the number of input bytes), so no header can make it allocate what the file
 *       does not hold;</li>
 *   <li>it finishes within a few seconds.</li>
 * </ul>
 */
public final class ParserContract {
    /** The longest message accepted: a path, a reason and a few quoted values. */
    public static final int MAX_MESSAGE = 1500;
    /** Slower than this for one small input counts as a hang. */
    public static final long MAX_NANOS = 5_000_000_000L;

    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    private final String reader;
    private final Class<? extends RuntimeException> typed;
    private final LongUnaryOperator allocationLimit;

    /**
     * @param reader          what is being read, for failure messages
     * @param typed           the one exception type the reader may throw
     * @param allocationLimit the most bytes the reader may allocate for an input of n bytes
     */
    public ParserContract(String reader, Class<? extends RuntimeException> typed, LongUnaryOperator allocationLimit) {
        this.reader = reader;
        this.typed = typed;
        this.allocationLimit = allocationLimit;
        THREADS.setThreadAllocatedMemoryEnabled(true);
    }

    /** A body that reads {@code inputBytes} bytes and may throw anything. */
    @FunctionalInterface
    public interface Body {
        void run() throws Exception;
    }

    /**
     * Runs {@code body} on the current thread and fails with an {@link AssertionError} (naming the
     * input, in hex) unless it keeps the contract. Returns whether the reader accepted the input.
     */
    public boolean check(byte[] input, long inputBytes, Body body) {
        long before = THREADS.getCurrentThreadAllocatedBytes();
        long start = System.nanoTime();
        boolean accepted;
        try {
            body.run();
            accepted = true;
        } catch (Throwable t) {
            if (!typed.isInstance(t)) {
                throw new AssertionError(reader + " threw " + t.getClass().getName() + " instead of "
                        + typed.getSimpleName() + " for " + describe(input), t);
            }
            String m = t.getMessage();
            if (m == null || m.isBlank() || m.length() > MAX_MESSAGE || !printable(m)) {
                throw new AssertionError(reader + " threw " + typed.getSimpleName() + " without a one-line message ("
                        + (m == null ? "null" : m.length() + " characters: " + escape(m)) + ") for " + describe(input), t);
            }
            accepted = false;
        }
        long nanos = System.nanoTime() - start;
        long allocated = THREADS.getCurrentThreadAllocatedBytes() - before;
        long limit = allocationLimit.applyAsLong(inputBytes);
        if (allocated > limit) {
            // Confirm on a second run: the first use of a code path can allocate once (class loading and
            // initialisation, or Jazzer setting up its hooks in fuzzing mode); what a header makes the reader
            // allocate is allocated again.
            long again = THREADS.getCurrentThreadAllocatedBytes();
            try {
                body.run();
            } catch (Throwable t) {
                // the first run already classified the outcome
            }
            allocated = Math.min(allocated, THREADS.getCurrentThreadAllocatedBytes() - again);
        }
        if (allocated > limit) {
            throw new AssertionError(reader + " allocated " + allocated + " bytes for an input of " + inputBytes
                    + " bytes (limit " + limit + ") for " + describe(input));
        }
        if (nanos > MAX_NANOS) {
            throw new AssertionError(reader + " took " + nanos / 1_000_000 + " ms for " + describe(input));
        }
        return accepted;
    }

    /** No line breaks, no control characters. */
    static boolean printable(String m) {
        for (int i = 0; i < m.length(); i++) {
            char c = m.charAt(i);
            if (Character.isISOControl(c) || c == '\u2028' || c == '\u2029') {
                return false;
            }
        }
        return true;
    }

    private static String escape(String m) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < Math.min(m.length(), 300); i++) {
            char c = m.charAt(i);
            sb.append(Character.isISOControl(c) ? String.format("\\u%04x", (int) c) : String.valueOf(c));
        }
        return sb.toString();
    }

    private static String describe(byte[] input) {
        int n = Math.min(input.length, 96);
        return "the " + input.length + "-byte input " + HexFormat.of().formatHex(input, 0, n)
                + (n < input.length ? "..." : "");
    }
}

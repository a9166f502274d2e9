package dev.diti4j.cli.dm;

/**
 * Work that had started failed (a diverged step, a file that could not be written). The message is
 * one sentence that also says what of the run was kept.
 */
public final class RunFailedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public RunFailedException(String message, Throwable cause) {
        super(message, cause);
    }
}

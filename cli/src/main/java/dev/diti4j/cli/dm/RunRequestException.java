package dev.diti4j.cli.dm;

/**
 * A request that cannot be carried out as given (a missing file, an option that does not fit the
 * data or the run being resumed), found before any work starts. The message is one sentence.
 */
public final class RunRequestException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public RunRequestException(String message) {
        super(message);
    }

    public RunRequestException(String message, Throwable cause) {
        super(message, cause);
    }
}

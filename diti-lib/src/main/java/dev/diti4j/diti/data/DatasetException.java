package dev.diti4j.diti.data;

/**
 * A dataset could not be read: a missing folder or file, a malformed file, an undecodable image.
 * The message is one sentence that names the file and, where there is one, the fix.
 */
public final class DatasetException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public DatasetException(String message) {
        super(message);
    }

    public DatasetException(String message, Throwable cause) {
        super(message, cause);
    }
}

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

    /**
     * Text taken from a file or a file name, made safe for a one-line message: control and line
     * separator characters are escaped as in Java source, and anything past {@code max} characters
     * is cut.
     */
    static String printable(String text, int max) {
        String t = text.length() <= max ? text : text.substring(0, Math.max(0, max - 3)) + "...";
        StringBuilder sb = new StringBuilder(t.length());
        for (int i = 0; i < t.length(); i++) {
            char c = t.charAt(i);
            if (Character.isISOControl(c) || c == '\u2028' || c == '\u2029') {
                sb.append(String.format("\\u%04x", (int) c));
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }

    /** {@link #printable(String, int)} with a limit of 60 characters. */
    static String printable(String text) {
        return printable(text, 60);
    }
}

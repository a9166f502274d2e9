package dev.diti4j.diti.api;

import java.nio.file.Path;

/**
 * A trained DiTi model that cannot be loaded. The message is one sentence that names the file and
 * what is wrong with it; {@link #kind()} says which of the checks failed and {@link #file()} which
 * file it was about.
 */
public final class DitiLoadException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** Which check failed. */
    public enum Kind {
        /** The run folder or checkpoint does not exist, or the folder holds no checkpoint. */
        NOT_FOUND,
        /** The file is not a readable DiTi checkpoint (corrupt, truncated, another kind of checkpoint). */
        NOT_DITI,
        /** The checkpoint does not say which diffusion model it was trained on. */
        DM_UNKNOWN,
        /** The diffusion-model checkpoint it was trained on is no longer where it was recorded. */
        DM_MISSING,
        /** The diffusion-model checkpoint cannot be read or is not a diffusion model. */
        DM_UNUSABLE,
        /** The DiTi checkpoint and the diffusion model have different layouts. */
        LAYOUT_MISMATCH,
        /** The weights hold NaN or infinite values. */
        NON_FINITE
    }

    private final Kind kind;
    private final transient Path file;

    DitiLoadException(Kind kind, Path file, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
        this.file = file;
    }

    DitiLoadException(Kind kind, Path file, String message) {
        this(kind, file, message, null);
    }

    /** Which check failed. */
    public Kind kind() {
        return kind;
    }

    /** The file or folder the message is about. */
    public Path file() {
        return file;
    }
}

package dev.diti4j.nn.checkpoint;

import java.nio.file.Path;

/**
 * A checkpoint that cannot be written, read or loaded. The message is one sentence naming the file
 * and the problem, e.g. {@code checkpoint run/last.safetensors: tensor 'out.conv.weight' is (1,32,3,3)
 * in the file but the model expects (3,32,3,3)}.
 */
public final class CheckpointException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** What went wrong. */
    public enum Kind {
        /** The file system refused (missing file, permissions, disk full). */
        IO,
        /** The file ends before the header or the tensor data it declares. */
        TRUNCATED,
        /** The 8-byte header length is zero, negative or implausibly large. */
        BAD_HEADER_LENGTH,
        /** The header is not UTF-8 JSON of the safetensors layout. */
        MALFORMED_HEADER,
        /** A tensor has a dtype other than F32. */
        UNKNOWN_DTYPE,
        /** Data offsets disagree with the shape, overlap, leave gaps or leave bytes unused. */
        BAD_OFFSETS,
        /** A tensor the model or state needs is not in the file. */
        MISSING_TENSOR,
        /** A tensor's shape differs from what the model or state expects. */
        SHAPE_MISMATCH,
        /** A metadata entry is absent. */
        MISSING_METADATA,
        /** A metadata entry is present but unusable. */
        BAD_METADATA
    }

    private final Kind kind;
    private final transient Path path;

    public CheckpointException(Kind kind, Path path, String detail) {
        this(kind, path, detail, null);
    }

    public CheckpointException(Kind kind, Path path, String detail, Throwable cause) {
        super("checkpoint " + path + ": " + detail, cause);
        this.kind = kind;
        this.path = path;
    }

    public Kind kind() {
        return kind;
    }

    public Path path() {
        return path;
    }
}

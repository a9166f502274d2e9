package dev.diti4j.diffusion.train;

import dev.diti4j.nn.checkpoint.CheckpointException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The checkpoint folder of a run:
 *
 * <pre>
 *   checkpoints/step-0000500.safetensors
 *   checkpoints/step-0001000.safetensors
 *   checkpoints/latest                    one line: the file name of the newest checkpoint
 * </pre>
 *
 * {@code latest} is replaced atomically after the checkpoint it names is complete, so it never
 * points at a half-written file.
 */
public final class TrainingCheckpoints {
    /** The name of the pointer file. */
    public static final String LATEST = "latest";
    private static final Pattern NAME = Pattern.compile("step-(\\d+)\\.safetensors");

    private TrainingCheckpoints() {
    }

    /** {@code step-0000500.safetensors}: seven digits, so names sort by step. */
    public static String fileName(long step) {
        return String.format(Locale.ROOT, "step-%07d.safetensors", step);
    }

    /**
     * Saves the trainer into {@code dir} as {@link #fileName}, points {@code latest} at it and
     * deletes all but the newest {@code keep} step files (keep ≤ 0 keeps all).
     */
    public static Path save(ResumableTrainer trainer, Path dir, BatchSource.Position position,
            java.util.Map<String, String> extra, int keep) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new CheckpointException(CheckpointException.Kind.IO, dir, "cannot create the folder: " + e.getMessage(), e);
        }
        String name = fileName(trainer.stepCount());
        Path file = dir.resolve(name);
        trainer.save(file, position, extra);
        writeLatest(dir, name);
        if (keep > 0) {
            prune(dir, keep);
        }
        return file;
    }

    /**
     * Copies a checkpoint file into {@code dir} as {@link #fileName}({@code step}) and points
     * {@code latest} at it (the copy is written under a hidden temporary name and renamed, so an
     * interrupted copy never looks like a checkpoint).
     */
    public static Path copyIn(Path source, Path dir, long step) {
        String name = fileName(step);
        Path target = dir.resolve(name);
        Path tmp = dir.resolve("." + name + ".copy.tmp");
        try {
            Files.createDirectories(dir);
            Files.copy(source, tmp, StandardCopyOption.REPLACE_EXISTING);
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException ignored) {
                // the copy failed already; the hidden leftover is removed with the run's other stale files
            }
            throw new CheckpointException(CheckpointException.Kind.IO, target, "cannot copy " + source + " here: "
                    + e.getMessage(), e);
        }
        writeLatest(dir, name);
        return target;
    }

    private static void writeLatest(Path dir, String name) {
        Path tmp = dir.resolve("." + LATEST + ".tmp");
        try {
            Files.writeString(tmp, name + "\n", StandardCharsets.UTF_8);
            try {
                Files.move(tmp, dir.resolve(LATEST), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, dir.resolve(LATEST), StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw new CheckpointException(CheckpointException.Kind.IO, dir.resolve(LATEST), "cannot write: "
                    + e.getMessage(), e);
        }
    }

    /** The step files in {@code dir}, oldest first. */
    public static List<Path> list(Path dir) {
        List<Path> out = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return out;
        }
        try (Stream<Path> s = Files.list(dir)) {
            s.filter(p -> NAME.matcher(p.getFileName().toString()).matches()).sorted().forEach(out::add);
        } catch (IOException e) {
            throw new CheckpointException(CheckpointException.Kind.IO, dir, "cannot list the folder: " + e.getMessage(), e);
        }
        return out;
    }

    private static void prune(Path dir, int keep) {
        List<Path> all = list(dir);
        for (int i = 0; i < all.size() - keep; i++) {
            try {
                Files.deleteIfExists(all.get(i));
            } catch (IOException e) {
                throw new CheckpointException(CheckpointException.Kind.IO, all.get(i), "cannot delete an old checkpoint: "
                        + e.getMessage(), e);
            }
        }
    }

    /** The step in a checkpoint file name, or -1 when the name is not {@code step-N.safetensors}. */
    public static long stepOf(Path file) {
        Matcher m = NAME.matcher(file.getFileName().toString());
        return m.matches() ? Long.parseLong(m.group(1)) : -1;
    }

    /**
     * The checkpoint file meant by {@code path}: the file itself, or for a run folder (or its
     * {@code checkpoints} folder) the one {@code latest} names.
     *
     * @throws CheckpointException (kind IO, one sentence) when there is no such file or folder, or
     *                             the folder holds no checkpoint
     */
    public static Path resolve(Path path) {
        if (Files.isRegularFile(path)) {
            return path;
        }
        if (!Files.isDirectory(path)) {
            throw new CheckpointException(CheckpointException.Kind.IO, path, "no such file or folder");
        }
        Path dir = Files.isDirectory(path.resolve("checkpoints")) ? path.resolve("checkpoints") : path;
        Path latest = dir.resolve(LATEST);
        if (Files.isRegularFile(latest)) {
            String name;
            try {
                name = Files.readString(latest, StandardCharsets.UTF_8).strip();
            } catch (IOException e) {
                throw new CheckpointException(CheckpointException.Kind.IO, latest, "cannot read: " + e.getMessage(), e);
            }
            if (name.isEmpty() || name.contains("/") || name.contains("\\")) {
                throw new CheckpointException(CheckpointException.Kind.BAD_METADATA, latest,
                        "should hold the name of a checkpoint file, but holds '" + name + "'");
            }
            Path file = dir.resolve(name);
            if (!Files.isRegularFile(file)) {
                throw new CheckpointException(CheckpointException.Kind.IO, latest, "names " + name
                        + ", which does not exist in " + dir);
            }
            return file;
        }
        List<Path> all = list(dir);
        if (all.isEmpty()) {
            throw new CheckpointException(CheckpointException.Kind.IO, path, "the folder holds no checkpoint (no "
                    + LATEST + " file and no step-*.safetensors)");
        }
        return all.getLast();
    }
}

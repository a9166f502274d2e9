package dev.diti4j.diti.run;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The output folder of one run:
 * <pre>
 *   config.json      what was run (every option, resolved)
 *   metrics.jsonl    one JSON object per logged step
 *   *.png            plots and sample grids
 *   checkpoints/     model checkpoints
 *   .lock            held (an OS file lock) while a process writes the folder
 * </pre>
 *
 * {@link #lock} gives one process at a time the right to write; while it holds the lock no other
 * writer can be active, so temporary files left by an interrupted write (a killed process) are
 * stale and {@link #removeStaleTemporaries} deletes them.
 */
public final class RunFolder implements AutoCloseable {
    /** The lock file's name; it does not count as content of the folder. */
    public static final String LOCK = ".lock";
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final ObjectMapper JSONL = new ObjectMapper();
    private final Path dir;
    private final FileChannel lockChannel;
    private final FileLock lock;

    private RunFolder(Path dir, FileChannel lockChannel, FileLock lock) {
        this.dir = dir;
        this.lockChannel = lockChannel;
        this.lock = lock;
    }

    /** Opens (creating if needed) a run folder, without taking its lock. */
    public static RunFolder open(Path dir) {
        try {
            Files.createDirectories(dir.resolve("checkpoints"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create run folder " + dir + ": " + e.getMessage(), e);
        }
        return new RunFolder(dir, null, null);
    }

    /**
     * Creates the folder if needed and takes its lock, for writing; {@link #close} releases it (so
     * does the end of the process, however it ends).
     *
     * @throws InUseException when another process (or another run in this one) holds the lock
     */
    public static RunFolder lock(Path dir) {
        FileChannel ch = null;
        try {
            Files.createDirectories(dir.resolve("checkpoints"));
            ch = FileChannel.open(dir.resolve(LOCK), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            FileLock l;
            try {
                l = ch.tryLock();
            } catch (OverlappingFileLockException e) {
                l = null;
            }
            if (l == null) {
                ch.close();
                throw new InUseException(dir);
            }
            return new RunFolder(dir, ch, l);
        } catch (IOException e) {
            closeQuietly(ch);
            throw new UncheckedIOException("cannot create run folder " + dir + ": " + e.getMessage(), e);
        }
    }

    /** Another writer holds the folder's lock. */
    public static final class InUseException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        InUseException(Path dir) {
            super("run folder " + dir + " is being written by another train-dm (its " + LOCK + " file is locked)");
        }
    }

    /** The names in {@code dir} other than the lock file (empty when it does not exist), sorted. */
    public static List<String> entries(Path dir) {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).filter(n -> !n.equals(LOCK)).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir + ": " + e.getMessage(), e);
        }
    }

    /**
     * Deletes the temporary files of writes that never finished: {@code config.json.tmp} and
     * {@code metrics.jsonl.tmp} here, and hidden {@code .*.tmp} files in {@code checkpoints/},
     * {@code samples/} and the folder itself (atomic checkpoint, pointer and image writes). Call it only
     * while holding the lock.
     *
     * @return the deleted files, relative to the folder
     */
    public List<String> removeStaleTemporaries() {
        if (lock == null) {
            throw new IllegalStateException("run folder " + dir + ": temporary files may only be removed under its lock");
        }
        List<String> removed = new ArrayList<>();
        for (Path d : List.of(dir, dir.resolve("checkpoints"), dir.resolve("samples"))) {
            if (!Files.isDirectory(d)) {
                continue;
            }
            List<Path> stale;
            try (Stream<Path> s = Files.list(d)) {
                stale = s.filter(p -> isTemporary(p, d.equals(dir))).filter(Files::isRegularFile).toList();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot list " + d + ": " + e.getMessage(), e);
            }
            for (Path p : stale) {
                try {
                    Files.deleteIfExists(p);
                    removed.add(dir.relativize(p).toString());
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot remove the stale temporary file " + p + ": " + e.getMessage(),
                            e);
                }
            }
        }
        return removed;
    }

    private static boolean isTemporary(Path p, boolean top) {
        String n = p.getFileName().toString();
        if (!n.endsWith(".tmp")) {
            return false;
        }
        return (n.startsWith(".") && n.length() > ".tmp".length() + 1)
                || (top && (n.equals("config.json.tmp") || n.equals("metrics.jsonl.tmp")));
    }

    /** Releases the lock (if this instance holds it). */
    @Override
    public void close() {
        if (lock != null) {
            try {
                lock.release();
            } catch (IOException e) {
                // the channel is closed next, which releases it too
            }
            closeQuietly(lockChannel);
        }
    }

    private static void closeQuietly(FileChannel ch) {
        if (ch != null) {
            try {
                ch.close();
            } catch (IOException e) {
                // nothing more to release
            }
        }
    }

    public Path dir() {
        return dir;
    }

    /** A file inside the run folder. */
    public Path file(String name) {
        return dir.resolve(name);
    }

    public Path checkpoints() {
        return dir.resolve("checkpoints");
    }

    /** Writes an object (record, map) as pretty JSON, replacing the file atomically. */
    public void writeJson(String name, Object value) {
        try {
            Path tmp = dir.resolve(name + ".tmp");
            JSON.writeValue(tmp.toFile(), value);
            Files.move(tmp, dir.resolve(name), java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                    java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + dir.resolve(name) + ": " + e.getMessage(), e);
        }
    }

    /** Appends one line to metrics.jsonl. */
    public void logMetrics(Map<String, ?> metrics) {
        try {
            String line = JSONL.writeValueAsString(new LinkedHashMap<>(metrics)) + "\n";
            Files.writeString(dir.resolve("metrics.jsonl"), line, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot append to " + dir.resolve("metrics.jsonl") + ": " + e.getMessage(), e);
        }
    }

    /** Reads a JSON file of the run folder into a type. */
    public <T> T readJson(String name, Class<T> type) {
        Path p = dir.resolve(name);
        try {
            return JSON.readValue(p.toFile(), type);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + p + ": " + e.getMessage(), e);
        }
    }

    /** The shared JSON mapper (for callers that serialise their own types). */
    public static ObjectMapper json() {
        return JSON;
    }
}

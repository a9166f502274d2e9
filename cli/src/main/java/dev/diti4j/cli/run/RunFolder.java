package dev.diti4j.cli.run;

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
import java.util.regex.Pattern;
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

    /** The temporary files train-dm's own writes use, per sub-folder ("" = the run folder itself). */
    private static final Map<String, Pattern> TEMPORARIES = Map.of(
            "", Pattern.compile("config\\.json\\.tmp|metrics\\.jsonl\\.tmp|\\.samples\\.png\\.tmp"),
            "checkpoints", Pattern.compile("\\.latest\\.tmp|\\.step-\\d+\\.safetensors\\.[^/]+\\.tmp"),
            "samples", Pattern.compile("\\.step-\\d+\\.png\\.tmp"));

    /**
     * Deletes the temporary files of train-dm writes that never finished (a killed process): {@code
     * config.json.tmp}, {@code metrics.jsonl.tmp} and {@code .samples.png.tmp} here, {@code .latest.tmp}
     * and {@code .step-*.safetensors.*.tmp} in {@code checkpoints/}, {@code .step-*.png.tmp} in
     * {@code samples/}. This instance holds the lock, so no train-dm is in the middle of one; other
     * files (those of {@code sample} or {@code eval-samples} included) are left alone.
     *
     * @return the deleted files, relative to the folder
     */
    public List<String> removeStaleTemporaries() {
        List<String> removed = new ArrayList<>();
        for (Map.Entry<String, Pattern> e : new java.util.TreeMap<>(TEMPORARIES).entrySet()) {
            Path d = e.getKey().isEmpty() ? dir : dir.resolve(e.getKey());
            if (!Files.isDirectory(d)) {
                continue;
            }
            List<Path> stale;
            try (Stream<Path> s = Files.list(d)) {
                stale = s.filter(p -> e.getValue().matcher(p.getFileName().toString()).matches())
                        .filter(Files::isRegularFile).sorted().toList();
            } catch (IOException x) {
                throw new UncheckedIOException("cannot list " + d + ": " + x.getMessage(), x);
            }
            for (Path p : stale) {
                try {
                    Files.deleteIfExists(p);
                    removed.add(dir.relativize(p).toString());
                } catch (IOException x) {
                    throw new UncheckedIOException("cannot remove the stale temporary file " + p + ": " + x.getMessage(),
                            x);
                }
            }
        }
        return removed;
    }

    /** Releases the lock. */
    @Override
    public void close() {
        try {
            lock.release();
        } catch (IOException e) {
            // the channel is closed next, which releases it too
        }
        closeQuietly(lockChannel);
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

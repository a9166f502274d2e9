package dev.diti4j.diti.run;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The output folder of one run:
 * <pre>
 *   config.json      what was run (every option, resolved)
 *   metrics.jsonl    one JSON object per logged step
 *   *.png            plots and sample grids
 *   checkpoints/     model checkpoints
 * </pre>
 */
public final class RunFolder {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final ObjectMapper JSONL = new ObjectMapper();
    private final Path dir;

    private RunFolder(Path dir) {
        this.dir = dir;
    }

    /** Opens (creating if needed) a run folder. */
    public static RunFolder open(Path dir) {
        try {
            Files.createDirectories(dir.resolve("checkpoints"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create run folder " + dir + ": " + e.getMessage(), e);
        }
        return new RunFolder(dir);
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

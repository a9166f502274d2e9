package dev.diti4j.nn.checkpoint;

import static dev.diti4j.nn.checkpoint.CheckpointException.Kind;

import dev.diti4j.core.Device;
import dev.diti4j.core.Scope;
import dev.diti4j.core.Tensor;
import dev.diti4j.core.random.Philox;
import dev.diti4j.nn.Module;
import dev.diti4j.nn.Parameter;
import dev.diti4j.nn.json.Json;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A training checkpoint in one safetensors file (see {@link Safetensors} and
 * {@code docs/internals/checkpoints.md}):
 *
 * <ul>
 *   <li>module parameters under their dotted names, optionally behind a prefix
 *       ({@code down.1.res.conv1.weight}, or {@code ema_unet.down.1.res.conv1.weight});</li>
 *   <li>{@link Checkpointable} state under its prefix: {@code optim.m.<param>},
 *       {@code optim.v.<param>}, {@code ema.<param>}, with its JSON in metadata entry {@code optim},
 *       {@code ema}, ...;</li>
 *   <li>metadata entries {@code format}, {@code config} (a JSON document), {@code step} (decimal)
 *       and {@code rng.<name>} ({@code {"key":..,"offset":..}} of a {@link Philox}).</li>
 * </ul>
 *
 * <pre>{@code
 * Checkpoint.writer().module("", unet).state("optim", adamw).state("ema", ema)
 *         .config(unet.config().toJson()).step(step).rng("data", dataRng).write(path);
 * Checkpoint c = Checkpoint.read(path);
 * c.loadModule("", unet); c.loadState("optim", adamw); long step = c.step();
 * }</pre>
 *
 * Loading checks every name and shape before it changes anything, so a mismatched file leaves the
 * model as it was.
 */
public final class Checkpoint {
    /** The value of the {@code format} metadata entry this class writes. */
    public static final String FORMAT = "diti4j-checkpoint-1";

    private final SafetensorsFile file;

    private Checkpoint(SafetensorsFile file) {
        this.file = file;
    }

    public static Writer writer() {
        return new Writer();
    }

    /** Reads and validates the file (structure only; names and shapes are checked on load). */
    public static Checkpoint read(Path path) {
        return new Checkpoint(Safetensors.read(path));
    }

    /** Collects what to save; {@link #write} saves it atomically. */
    public static final class Writer {
        private final Map<String, Tensor> tensors = new LinkedHashMap<>();
        private final Map<String, String> metadata = new LinkedHashMap<>();

        private Writer() {
            metadata.put("format", FORMAT);
        }

        /** Every parameter of {@code m}, named {@code prefix.<name>} (just {@code <name>} for prefix ""). */
        public Writer module(String prefix, Module m) {
            for (Map.Entry<String, Parameter> e : m.namedParameters().entrySet()) {
                tensor(join(prefix, e.getKey()), e.getValue().tensor());
            }
            return this;
        }

        /** State tensors as {@code prefix.<name>} and the state's JSON as metadata entry {@code prefix}. */
        public Writer state(String prefix, Checkpointable s) {
            requirePrefix(prefix);
            for (Map.Entry<String, Tensor> e : s.stateTensors().entrySet()) {
                tensor(prefix + "." + e.getKey(), e.getValue());
            }
            return metadata(prefix, s.stateMetadata());
        }

        public Writer tensor(String name, Tensor t) {
            if (tensors.putIfAbsent(name, t) != null) {
                throw new IllegalArgumentException("checkpoint: tensor name '" + name + "' is used twice");
            }
            return this;
        }

        public Writer metadata(String key, String value) {
            if (metadata.containsKey(key) && !key.equals("format")) {
                throw new IllegalArgumentException("checkpoint: metadata key '" + key + "' is used twice");
            }
            metadata.put(key, value);
            return this;
        }

        /** The model configuration as a JSON document (e.g. {@code UNetConfig.toJson()}). */
        public Writer config(String json) {
            return metadata("config", json);
        }

        /** The training step the checkpoint was taken after. */
        public Writer step(long step) {
            return metadata("step", Long.toString(step));
        }

        /** A generator's state, restored by {@link Checkpoint#rng(String)}. */
        public Writer rng(String name, Philox rng) {
            Map<String, Object> o = new LinkedHashMap<>();
            o.put("key", rng.key());
            o.put("offset", rng.offset());
            return metadata("rng." + name, Json.write(o));
        }

        /** Writes everything atomically (temporary file, fsync, rename). */
        public void write(Path path) {
            Safetensors.write(path, tensors, metadata);
        }
    }

    // ---- reading --------------------------------------------------------------------------

    public Path path() {
        return file.path();
    }

    /** The underlying file (every tensor and metadata entry). */
    public SafetensorsFile file() {
        return file;
    }

    public Map<String, String> metadata() {
        return file.metadata();
    }

    /** A metadata entry that must be present. */
    public String metadata(String key) {
        String v = file.metadata().get(key);
        if (v == null) {
            throw new CheckpointException(Kind.MISSING_METADATA, path(), "there is no metadata entry '" + key + "'");
        }
        return v;
    }

    /** The {@code config} metadata entry. */
    public String config() {
        return metadata("config");
    }

    /** The {@code step} metadata entry. */
    public long step() {
        String s = metadata("step");
        try {
            return Long.parseLong(s);
        } catch (NumberFormatException e) {
            throw new CheckpointException(Kind.BAD_METADATA, path(), "metadata entry 'step' is not an integer: "
                    + Safetensors.quoted(s), e);
        }
    }

    /** A new generator in the state saved under {@code rng.<name>}. */
    public Philox rng(String name) {
        String s = metadata("rng." + name);
        try {
            Map<String, Object> o = Json.parseObject(s);
            return new Philox(Json.getLong(o, "key"), Json.getLong(o, "offset"));
        } catch (IllegalArgumentException e) {
            throw new CheckpointException(Kind.BAD_METADATA, path(), "metadata entry 'rng." + name
                    + "' is not a generator state: " + e.getMessage(), e);
        }
    }

    /** A stored tensor on {@code device}. */
    public Tensor tensor(String name, Device device) {
        return file.tensor(name, device);
    }

    /**
     * Overwrites every parameter of {@code m} with the tensor {@code prefix.<name>}. All names and
     * shapes are checked first; other tensors in the file are ignored.
     */
    public void loadModule(String prefix, Module m) {
        Map<String, Tensor> targets = new LinkedHashMap<>();
        for (Map.Entry<String, Parameter> e : m.namedParameters().entrySet()) {
            targets.put(join(prefix, e.getKey()), e.getValue().tensor());
        }
        load(targets, m.getClass().getSimpleName());
    }

    /** Restores a {@link Checkpointable} saved with {@code Writer.state(prefix, s)}. */
    public void loadState(String prefix, Checkpointable s) {
        requirePrefix(prefix);
        String what = s.getClass().getSimpleName() + " state '" + prefix + "'";
        String json = file.metadata().get(prefix);
        if (json == null) {
            throw new CheckpointException(Kind.MISSING_METADATA, path(), "there is no metadata entry '" + prefix
                    + "' for the " + what);
        }
        Map<String, Tensor> targets = new LinkedHashMap<>();
        for (Map.Entry<String, Tensor> e : s.stateTensors().entrySet()) {
            targets.put(prefix + "." + e.getKey(), e.getValue());
        }
        check(targets, what);
        try {
            s.restoreMetadata(json);
        } catch (IllegalArgumentException e) {
            throw new CheckpointException(Kind.BAD_METADATA, path(), "metadata entry '" + prefix + "' does not fit the "
                    + what + ": " + e.getMessage(), e);
        }
        assign(targets);
    }

    private void load(Map<String, Tensor> targets, String what) {
        check(targets, what);
        assign(targets);
    }

    private void check(Map<String, Tensor> targets, String what) {
        List<String> missing = new ArrayList<>();
        for (Map.Entry<String, Tensor> e : targets.entrySet()) {
            if (!file.contains(e.getKey())) {
                missing.add(e.getKey());
            }
        }
        if (!missing.isEmpty()) {
            throw new CheckpointException(Kind.MISSING_TENSOR, path(), "there is no tensor '" + missing.get(0)
                    + "' for the " + what + (missing.size() > 1 ? " (" + (missing.size() - 1) + " more missing)" : ""));
        }
        for (Map.Entry<String, Tensor> e : targets.entrySet()) {
            if (!file.shape(e.getKey()).equals(e.getValue().shape())) {
                throw new CheckpointException(Kind.SHAPE_MISMATCH, path(), "tensor '" + e.getKey() + "' is "
                        + file.shape(e.getKey()) + " in the file but the " + what + " expects " + e.getValue().shape());
            }
        }
    }

    private void assign(Map<String, Tensor> targets) {
        for (Map.Entry<String, Tensor> e : targets.entrySet()) {
            try (Scope s = Scope.open()) {
                e.getValue().assign(file.tensor(e.getKey(), e.getValue().backend()));
            }
        }
    }

    private static String join(String prefix, String name) {
        return prefix.isEmpty() ? name : prefix + "." + name;
    }

    private static void requirePrefix(String prefix) {
        if (prefix == null || prefix.isEmpty() || prefix.startsWith(".") || prefix.endsWith(".")) {
            throw new IllegalArgumentException("checkpoint: state prefix '" + prefix + "' must be non-empty without"
                    + " leading or trailing dots");
        }
    }
}

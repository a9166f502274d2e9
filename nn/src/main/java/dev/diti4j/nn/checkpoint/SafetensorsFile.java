package dev.diti4j.nn.checkpoint;

import dev.diti4j.core.Device;
import dev.diti4j.core.Shape;
import dev.diti4j.core.Tensor;
import dev.diti4j.core.backend.Backend;
import java.nio.file.Path;
import java.util.Collections;
import java.util.Map;
import java.util.Set;

/** The validated contents of a safetensors file, held on the host. */
public final class SafetensorsFile {
    record Stored(Shape shape, float[] data) {
    }

    private final Path path;
    private final Map<String, String> metadata;
    private final Map<String, Stored> tensors;

    SafetensorsFile(Path path, Map<String, String> metadata, Map<String, Stored> tensors) {
        this.path = path;
        this.metadata = Collections.unmodifiableMap(metadata);
        this.tensors = tensors;
    }

    public Path path() {
        return path;
    }

    /** The {@code __metadata__} entries (empty when absent). */
    public Map<String, String> metadata() {
        return metadata;
    }

    /** Tensor names in header order. */
    public Set<String> names() {
        return Collections.unmodifiableSet(tensors.keySet());
    }

    public boolean contains(String name) {
        return tensors.containsKey(name);
    }

    /** The shape of a stored tensor. */
    public Shape shape(String name) {
        return stored(name).shape();
    }

    /** A copy of a stored tensor's values, row-major. */
    public float[] data(String name) {
        return stored(name).data().clone();
    }

    /** A new tensor on {@code device} holding a stored tensor. */
    public Tensor tensor(String name, Device device) {
        Stored s = stored(name);
        return Tensor.of(device, s.data(), s.shape().dims());
    }

    /** A new tensor on a given backend holding a stored tensor. */
    public Tensor tensor(String name, Backend backend) {
        Stored s = stored(name);
        return Tensor.of(backend, s.data(), s.shape().dims());
    }

    private Stored stored(String name) {
        Stored s = tensors.get(name);
        if (s == null) {
            throw new CheckpointException(CheckpointException.Kind.MISSING_TENSOR, path, "there is no tensor '" + name
                    + "' in the file");
        }
        return s;
    }
}

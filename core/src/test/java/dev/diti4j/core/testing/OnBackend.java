package dev.diti4j.core.testing;

import dev.diti4j.core.Device;
import dev.diti4j.core.backend.Backend;
import dev.diti4j.core.backend.Backends;
import java.util.function.Supplier;

/** Runs code with a backend serving its device on this thread ({@link Backends#override}). */
public final class OnBackend {
    private OnBackend() {
    }

    /** Runs {@code body} with {@code backend} serving {@code device}, restoring the previous one after. */
    public static <T> T call(Device device, Backend backend, Supplier<T> body) {
        AutoCloseable restore = Backends.override(device, backend);
        try {
            return body.get();
        } finally {
            try {
                restore.close();
            } catch (Exception e) {
                throw new IllegalStateException("restoring the backend of " + device + " failed", e);
            }
        }
    }

    /** Runs {@code body} with the backend serving its own device. */
    public static <T> T call(Backend backend, Supplier<T> body) {
        return call(backend.device(), backend, body);
    }

    /** Runs {@code body} with a fresh {@link ReferenceBackend} serving the CPU device. */
    public static <T> T reference(Supplier<T> body) {
        return call(Device.CPU, new ReferenceBackend(), body);
    }
}

package dev.diti4j.core.backend;

import dev.diti4j.core.Device;
import dev.diti4j.core.cpu.CpuBackend;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.concurrent.ConcurrentHashMap;

/** The registry of backends: one instance per device, created on first use. */
public final class Backends {
    private static final Map<Device, Backend> INSTANCES = new ConcurrentHashMap<>();

    private Backends() {
    }

    /** The CPU backend. */
    public static Backend cpu() {
        return get(Device.CPU);
    }

    private static final ThreadLocal<Map<Device, Backend>> OVERRIDES = new ThreadLocal<>();

    /**
     * On the calling thread, until closed, serve {@code device} with {@code backend}: everything
     * created for that device (tensors, module parameters) goes to it. Tests use this to run
     * whole models on the reference backend.
     */
    public static AutoCloseable override(Device device, Backend backend) {
        Map<Device, Backend> prev = OVERRIDES.get();
        Map<Device, Backend> next = prev == null ? new java.util.HashMap<>() : new java.util.HashMap<>(prev);
        next.put(device, backend);
        OVERRIDES.set(next);
        return () -> OVERRIDES.set(prev);
    }

    /**
     * The backend of a device.
     *
     * @throws IllegalStateException (one line) when the device is not available here
     */
    public static Backend get(Device device) {
        Map<Device, Backend> o = OVERRIDES.get();
        if (o != null) {
            Backend ob = o.get(device);
            if (ob != null) {
                return ob;
            }
        }
        Backend b = INSTANCES.get(device);
        return b != null ? b : INSTANCES.computeIfAbsent(device, Backends::create);
    }

    /** Null when the device can be used, else one line saying why not. */
    public static String unavailableReason(Device device) {
        if (device.kind() == Device.Kind.CPU) {
            return null;
        }
        BackendProvider p = provider(device.kind());
        return p == null ? "no backend for " + device + " on the class path (add the diti4j-kernels module)"
                : p.unavailableReason();
    }

    private static Backend create(Device device) {
        if (device.kind() == Device.Kind.CPU) {
            return new CpuBackend();
        }
        String why = unavailableReason(device);
        if (why != null) {
            throw new IllegalStateException(device + " not available: " + why);
        }
        return provider(device.kind()).create(device.index());
    }

    private static BackendProvider provider(Device.Kind kind) {
        for (BackendProvider p : ServiceLoader.load(BackendProvider.class)) {
            if (p.kind() == kind) {
                return p;
            }
        }
        return null;
    }
}

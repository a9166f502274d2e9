package dev.diti4j.core.backend;

import dev.diti4j.core.Device;

/**
 * A device backend found through {@link java.util.ServiceLoader}. The CPU backend is built in;
 * accelerator modules (such as {@code kernels}) register a provider in
 * {@code META-INF/services/dev.diti4j.core.backend.BackendProvider}.
 */
public interface BackendProvider {

    /** The device family this provider serves. */
    Device.Kind kind();

    /** Null when the device can be used, else one line saying why not. */
    String unavailableReason();

    /** The backend for one device of this family; called once per device. */
    Backend create(int index);
}

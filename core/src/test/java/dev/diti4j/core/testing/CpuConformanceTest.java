package dev.diti4j.core.testing;

import dev.diti4j.core.backend.Backend;
import dev.diti4j.core.backend.Backends;

/** The CPU backend against the reference, forward and backward, on the whole catalogue. */
class CpuConformanceTest extends BackendConformance {
    @Override
    protected Backend candidate() {
        return Backends.cpu();
    }
}

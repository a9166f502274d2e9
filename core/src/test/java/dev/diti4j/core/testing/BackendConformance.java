package dev.diti4j.core.testing;

import dev.diti4j.core.backend.Backend;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Base class of a backend's conformance test: extend it, return the backend, and every
 * catalogue case runs as its own test against the reference.
 *
 * <pre>{@code
 * @RequiresCuda
 * class CudaConformanceTest extends BackendConformance {
 *     protected Backend candidate() { return Backends.get(Device.cuda(0)); }
 * }
 * }</pre>
 */
public abstract class BackendConformance {

    /** The backend under test. */
    protected abstract Backend candidate();

    /** Widens every tolerance; 1 unless the backend computes in reduced precision on purpose. */
    protected double toleranceScale() {
        return 1.0;
    }

    @TestFactory
    Stream<DynamicTest> matchesReference() {
        return OpConformance.tests(this::candidate, toleranceScale());
    }
}

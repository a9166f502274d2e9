package dev.diti4j.core.testing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExtendWith;

/** The {@link RequiresCuda} condition, with stand-in probes (core never has the kernels module). */
class RequiresCudaTest {

    /** A probe that reports whatever the test sets. */
    public static final class FakeProbe {
        static volatile String reason;

        public static String unavailableReason() {
            return reason;
        }
    }

    /** A probe whose check throws. */
    public static final class BrokenProbe {
        public static String unavailableReason() {
            throw new IllegalStateException("driver exploded");
        }
    }

    @Test
    void withoutTheKernelsModuleTestsAreSkippedWithAReason() {
        assertEquals("the diti4j-kernels module is not on the class path",
                RequiresCudaCondition.unavailableReason("no.such.Probe"));
        assertNotNull(RequiresCudaCondition.unavailableReason(), "core's tests never see the kernels module");
        ConditionEvaluationResult r = new RequiresCudaCondition().evaluateExecutionCondition(null);
        assertTrue(r.isDisabled());
        assertEquals("CUDA unavailable: the diti4j-kernels module is not on the class path", r.getReason().orElseThrow());
    }

    @Test
    void theProbeDecides() {
        String probe = FakeProbe.class.getName();
        FakeProbe.reason = "no CUDA device found";
        assertEquals("no CUDA device found", RequiresCudaCondition.unavailableReason(probe));
        FakeProbe.reason = null;
        assertNull(RequiresCudaCondition.unavailableReason(probe));
        assertEquals("the CUDA probe failed: java.lang.IllegalStateException: driver exploded",
                RequiresCudaCondition.unavailableReason(BrokenProbe.class.getName()));
    }

    @Test
    void theAnnotationInstallsTheCondition() {
        ExtendWith ext = RequiresCuda.class.getAnnotation(ExtendWith.class);
        assertArrayEquals(new Class<?>[] {RequiresCudaCondition.class}, ext.value());
    }
}

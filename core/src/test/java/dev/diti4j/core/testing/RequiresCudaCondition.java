package dev.diti4j.core.testing;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The condition behind {@link RequiresCuda}. It asks {@code dev.diti4j.kernels.CudaProbe} by
 * reflection, so core's tests compile and run without the kernels module.
 */
public final class RequiresCudaCondition implements ExecutionCondition {
    static final String PROBE_CLASS = "dev.diti4j.kernels.CudaProbe";

    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
        String why = unavailableReason();
        return why == null ? ConditionEvaluationResult.enabled("CUDA is available")
                : ConditionEvaluationResult.disabled("CUDA unavailable: " + why);
    }

    /** Null when CUDA can be used from this JVM, else one line saying why not. */
    public static String unavailableReason() {
        return unavailableReason(PROBE_CLASS);
    }

    static String unavailableReason(String probeClass) {
        Class<?> probe;
        try {
            probe = Class.forName(probeClass);
        } catch (ClassNotFoundException | LinkageError e) {
            return "the diti4j-kernels module is not on the class path";
        }
        try {
            Method m = probe.getMethod("unavailableReason");
            Object r = m.invoke(null);
            return r == null ? null : r.toString();
        } catch (InvocationTargetException e) {
            return "the CUDA probe failed: " + e.getCause();
        } catch (ReflectiveOperationException | LinkageError e) {
            return "the CUDA probe could not be called: " + e;
        }
    }
}

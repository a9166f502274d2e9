package dev.diti4j.core.testing;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Skips the annotated test class or method, with the reason, where CUDA cannot be used: the
 * {@code diti4j-kernels} module is not on the class path, or its {@code CudaProbe} reports no
 * usable device or driver. A skip is reported as skipped, never as passed.
 */
@Target({ElementType.TYPE, ElementType.METHOD})
@Retention(RetentionPolicy.RUNTIME)
@ExtendWith(RequiresCudaCondition.class)
public @interface RequiresCuda {
}

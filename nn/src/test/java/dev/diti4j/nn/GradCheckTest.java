package dev.diti4j.nn;

import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.diti4j.core.Tensor;
import dev.diti4j.core.random.Philox;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.opentest4j.AssertionFailedError;

/** The finite-difference helper must catch a wrong gradient, not only pass right ones. */
class GradCheckTest {
    @Test
    void passesACorrectGradient() {
        Tensor x = GradCheck.input(new Philox(1), 3, 4);
        GradCheck.check("x * x", () -> x.mul(x), Map.of("x", x), 5, 1);
    }

    @Test
    void catchesAWrongGradient() {
        Tensor x = GradCheck.input(new Philox(2), 3, 4);
        // maskedMul treats its mask as a constant: the forward is x^2 but the recorded gradient is x, not 2x
        assertThrows(AssertionFailedError.class,
                () -> GradCheck.check("x masked by itself", () -> x.maskedMul(x), Map.of("x", x), 5, 2));
    }

    @Test
    void rejectsAVacuousCheck() {
        Tensor x = GradCheck.input(new Philox(3), 3, 4);
        Tensor unused = GradCheck.input(new Philox(4), 2);
        assertThrows(AssertionFailedError.class,
                () -> GradCheck.check("unused leaf", () -> x.mul(2f), Map.of("x", x, "unused", unused), 2, 3));
    }
}

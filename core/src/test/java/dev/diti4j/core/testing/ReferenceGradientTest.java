package dev.diti4j.core.testing;

import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/** Every differentiable catalogue case: autograd on the reference backend versus finite differences. */
class ReferenceGradientTest {
    @TestFactory
    Stream<DynamicTest> autogradMatchesFiniteDifferences() {
        return OpCatalogue.differentiable().stream()
                .map(c -> DynamicTest.dynamicTest(c.name(), () -> GradCheck.check(c)));
    }
}

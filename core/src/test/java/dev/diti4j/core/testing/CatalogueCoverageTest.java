package dev.diti4j.core.testing;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** The catalogue covers every op, with gradients where they exist and on awkward shapes. */
class CatalogueCoverageTest {
    private final List<OpCase> all = OpCatalogue.all();

    @Test
    void everyOpHasACase() {
        Set<String> covered = new HashSet<>();
        all.forEach(c -> covered.add(c.op()));
        Set<String> missing = new TreeSet<>(OpCatalogue.requiredOps());
        missing.removeAll(covered);
        assertTrue(missing.isEmpty(), "ops without a catalogue case: " + missing);
        Set<String> unknown = new TreeSet<>(covered);
        unknown.removeAll(OpCatalogue.requiredOps());
        assertTrue(unknown.isEmpty(), "cases name ops that are not in the required list: " + unknown);
    }

    @Test
    void everyDifferentiableOpHasAGradientCase() {
        Set<String> withGrad = new HashSet<>();
        for (OpCase c : all) {
            if (c.differentiable() && c.inputs().stream().anyMatch(OpCase.Input::grad)) {
                withGrad.add(c.op());
            }
        }
        Set<String> missing = new TreeSet<>(OpCatalogue.requiredOps());
        missing.removeAll(OpCatalogue.nonDifferentiableOps());
        missing.removeAll(withGrad);
        assertTrue(missing.isEmpty(), "differentiable ops without a gradient case: " + missing);
    }

    @Test
    void everyOpMeetsAnOddSizeAndMostMeetASizeOneAxis() {
        Set<String> odd = new HashSet<>();
        Set<String> unit = new HashSet<>();
        for (OpCase c : all) {
            for (OpCase.Input in : c.inputs()) {
                for (int d : in.dims()) {
                    if (d > 1 && d % 2 == 1) {
                        odd.add(c.op());
                    }
                    if (d == 1) {
                        unit.add(c.op());
                    }
                }
            }
        }
        Set<String> noOdd = new TreeSet<>(OpCatalogue.requiredOps());
        noOdd.removeAll(odd);
        noOdd.removeAll(Set.of("rand", "randn")); // no inputs; their output shapes are odd
        assertTrue(noOdd.isEmpty(), "ops never tried on an odd size: " + noOdd);
        for (String op : List.of("add", "sub", "mul", "div", "sum", "mean", "max", "matmul", "masked_mul", "concat",
                "permute", "softmax", "upsample_nearest2x", "expand", "weighted_mse")) {
            assertTrue(unit.contains(op), op + " is never tried with a size-1 axis");
        }
    }
}

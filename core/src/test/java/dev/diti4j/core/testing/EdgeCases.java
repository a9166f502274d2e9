package dev.diti4j.core.testing;

import dev.diti4j.core.Tensor;
import java.util.List;

/**
 * Catalogue cases on tensors with no elements: every op must accept them (no zero-size
 * allocation or launch may fail) and agree with the reference, e.g. a sum over nothing is 0 and
 * a mean over nothing is NaN.
 */
final class EdgeCases {
    private EdgeCases() {
    }

    static void addTo(List<OpCase> out) {
        out.add(OpCase.named("exp", "empty (0,3)").in(Values.normal(), 0, 3).run((t, be) -> t[0].exp()));
        out.add(OpCase.named("add", "empty (0,3) add (3)").in(Values.normal(), 0, 3).in(Values.normal(), 3)
                .run((t, be) -> t[0].add(t[1])));
        out.add(OpCase.named("sum", "over an empty axis (3,0,2) axes [1]").in(Values.normal(), 3, 0, 2)
                .run((t, be) -> t[0].sum(false, 1)));
        out.add(OpCase.named("mean", "of nothing (0)").in(Values.normal(), 0).run((t, be) -> t[0].mean()));
        out.add(OpCase.named("slice", "empty range (3,4) axis 1 [2,2)").in(Values.normal(), 3, 4)
                .tol(Tolerance.EXACT).run((t, be) -> t[0].slice(1, 2, 2)));
        out.add(OpCase.named("concat", "axis 1 of (2,0),(2,3)").in(Values.normal(), 2, 0).in(Values.normal(), 2, 3)
                .tol(Tolerance.EXACT).run((t, be) -> Tensor.concat(1, t)));
        out.add(OpCase.named("gather", "no indices from (3,2)").in(Values.normal(), 3, 2)
                .run((t, be) -> t[0].gather(new int[0])));
        out.add(OpCase.named("matmul", "inner dimension 0: (3,0) x (0,4)").in(Values.normal(), 3, 0)
                .in(Values.normal(), 0, 4).run((t, be) -> t[0].matmul(t[1])));
        out.add(OpCase.named("conv2d", "empty batch (0,2,4,4) * (3,2,3,3) + bias").in(Values.normal(), 0, 2, 4, 4)
                .in(Values.normal(), 3, 2, 3, 3).in(Values.normal(), 3).run((t, be) -> t[0].conv2d(t[1], t[2], 1, 1)));
        out.add(OpCase.named("softmax", "no rows (0,5)").in(Values.normal(), 0, 5).run((t, be) -> t[0].softmax()));
        out.add(OpCase.named("group_norm", "empty batch (0,4,3) groups 2").in(Values.normal(), 0, 4, 3)
                .run((t, be) -> t[0].groupNorm(2, null, null, 1e-5f)));
    }
}

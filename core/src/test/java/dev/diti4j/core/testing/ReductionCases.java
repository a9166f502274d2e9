package dev.diti4j.core.testing;

import static dev.diti4j.core.testing.Pick.s;

import dev.diti4j.core.Shape;
import dev.diti4j.core.ops.ReduceOp;
import java.util.Arrays;
import java.util.List;

/** Catalogue cases of reductions over chosen axes, broadcasting helpers and softmax. */
final class ReductionCases {
    private ReductionCases() {
    }

    static void addTo(List<OpCase> out, Pick p) {
        reductions(out, p);
        broadcasting(out, p);
        softmax(out, p);
    }

    private static void reductions(List<OpCase> out, Pick p) {
        int[][] axesSets = {{}, {0}, {-1}, {1}, {1, 3}, {0, 2}, {0, 1, 2, 3}, {3, 0}};
        for (ReduceOp op : ReduceOp.values()) {
            // max sees distinct values: a tie would make its gradient a choice, not a function
            Values v = op == ReduceOp.MAX ? Values.distinct() : Values.normal();
            int lead = p.of(2, 3);
            int c = p.odd();
            int d = p.odd();
            for (int[] axes : axesSets) {
                for (boolean keep : new boolean[] {false, true}) {
                    int[] x = {lead, keep ? 5 : 1, c, d}; // a size-1 axis, reduced or kept
                    out.add(OpCase.named(op.opName(), s(x) + " axes " + Arrays.toString(axes) + (keep ? " keepDim" : ""))
                            .in(v, x).tol(Tolerance.REDUCTION).run((t, be) -> t[0].reduce(op, keep, axes)));
                }
            }
            // long contiguous rows and long strided columns
            out.add(OpCase.named(op.opName(), "large (7,5003) axes [1]").in(v, 7, 5003).tol(Tolerance.LONG_SUM)
                    .run((t, be) -> t[0].reduce(op, false, 1)));
            out.add(OpCase.named(op.opName(), "large (5003,7) axes [0]").in(v, 5003, 7).tol(Tolerance.LONG_SUM)
                    .run((t, be) -> t[0].reduce(op, true, 0)));
            out.add(OpCase.named(op.opName(), "rank-0 ()").in(v).tol(Tolerance.REDUCTION)
                    .run((t, be) -> t[0].reduce(op, false)));
        }
    }

    private static void broadcasting(List<OpCase> out, Pick p) {
        int i = p.odd();
        int j = p.odd();
        int k = p.odd();
        out.add(OpCase.named("expand", s(i, 1, k) + " to " + s(i, j, k)).in(Values.normal(), i, 1, k)
                .run((t, be) -> t[0].expand(Shape.of(i, j, k))));
        out.add(OpCase.named("expand", s(k) + " to " + s(i, j, k)).in(Values.normal(), k)
                .run((t, be) -> t[0].expand(Shape.of(i, j, k))));
        out.add(OpCase.named("sum_to", s(i, j, k) + " to " + s(j, 1)).in(Values.normal(), i, j, k)
                .tol(Tolerance.REDUCTION).run((t, be) -> t[0].sumTo(Shape.of(j, 1))));
        out.add(OpCase.named("sum_to", s(i, j, k) + " to " + s(1, j, k)).in(Values.normal(), i, j, k)
                .tol(Tolerance.REDUCTION).run((t, be) -> t[0].sumTo(Shape.of(1, j, k))));
    }

    private static void softmax(List<OpCase> out, Pick p) {
        int[][] shapes = {{p.odd(), p.odd()}, {p.of(2, 3), p.small(), p.odd()}, {p.odd(), 1}, {3, 1000}};
        for (int[] x : shapes) {
            out.add(OpCase.named("softmax", s(x)).in(Values.normal(), x).tol(Tolerance.REDUCTION)
                    .run((t, be) -> t[0].softmax()));
            out.add(OpCase.named("log_softmax", s(x)).in(Values.normal(), x).tol(Tolerance.REDUCTION)
                    .run((t, be) -> t[0].logSoftmax()));
        }
    }
}

package dev.diti4j.core.testing;

import static dev.diti4j.core.testing.Pick.s;

import dev.diti4j.core.Tensor;
import java.util.Arrays;
import java.util.List;

/** Catalogue cases of the shape ops: reshape, permute, transpose, concat, slice, gather. */
final class ShapeCases {
    private ShapeCases() {
    }

    static void addTo(List<OpCase> out, Pick p) {
        int i = p.odd();
        int j = p.odd();
        int k = p.odd();
        int l = p.of(2, 3);
        // forward results are copies of the input values, so they must match exactly
        out.add(OpCase.named("reshape", s(i, j, k) + " to [" + j + ",-1]").in(Values.normal(), i, j, k)
                .tol(Tolerance.EXACT).run((t, be) -> t[0].reshape(j, -1)));
        out.add(OpCase.named("reshape", s(i, j) + " to [" + i * j + "]").in(Values.normal(), i, j)
                .tol(Tolerance.EXACT).run((t, be) -> t[0].reshape(i * j)));
        // a reshape followed by an op: the view must share the data it was made from
        out.add(OpCase.named("reshape", s(i, j, k) + " to [" + i * j + "," + k + "] then exp")
                .in(Values.normal(), i, j, k).run((t, be) -> t[0].reshape(i * j, k).exp()));

        int[][] perms3 = {{2, 0, 1}, {1, 0, 2}, {0, 2, 1}, {-1, 0, 1}};
        for (int[] perm : perms3) {
            out.add(OpCase.named("permute", s(i, j, k) + " by " + Arrays.toString(perm)).in(Values.normal(), i, j, k)
                    .tol(Tolerance.EXACT).run((t, be) -> t[0].permute(perm)));
        }
        int[][] perms4 = {{3, 1, 0, 2}, {0, 2, 3, 1}, {1, 0, 2, 3}};
        for (int[] perm : perms4) {
            out.add(OpCase.named("permute", s(l, i, 1, k) + " by " + Arrays.toString(perm))
                    .in(Values.normal(), l, i, 1, k).tol(Tolerance.EXACT).run((t, be) -> t[0].permute(perm)));
        }
        out.add(OpCase.named("transpose", s(i, j, k) + " axes 0,2").in(Values.normal(), i, j, k)
                .tol(Tolerance.EXACT).run((t, be) -> t[0].transpose(0, 2)));
        out.add(OpCase.named("transpose", s(l, i, j) + " axes -1,-2").in(Values.normal(), l, i, j)
                .tol(Tolerance.EXACT).run((t, be) -> t[0].transpose(-1, -2)));

        out.add(OpCase.named("concat", "axis 0 of " + s(2, j, k) + "," + s(3, j, k) + "," + s(1, j, k))
                .in(Values.normal(), 2, j, k).in(Values.normal(), 3, j, k).in(Values.normal(), 1, j, k)
                .tol(Tolerance.EXACT).run((t, be) -> Tensor.concat(0, t)));
        out.add(OpCase.named("concat", "axis 1 of " + s(i, 1, k) + "," + s(i, 4, k))
                .in(Values.normal(), i, 1, k).in(Values.normal(), i, 4, k)
                .tol(Tolerance.EXACT).run((t, be) -> Tensor.concat(1, t)));
        out.add(OpCase.named("concat", "axis -1 of " + s(i, j, 3) + "," + s(i, j, 5))
                .in(Values.normal(), i, j, 3).in(Values.normal(), i, j, 5)
                .tol(Tolerance.EXACT).run((t, be) -> Tensor.concat(-1, t)));
        out.add(OpCase.named("concat", "a single part " + s(i, j))
                .in(Values.normal(), i, j).tol(Tolerance.EXACT).run((t, be) -> Tensor.concat(0, t)));

        out.add(OpCase.named("slice", s(5, j) + " axis 0 [1,3)").in(Values.normal(), 5, j)
                .tol(Tolerance.EXACT).run((t, be) -> t[0].slice(0, 1, 3)));
        out.add(OpCase.named("slice", s(i, 7, k) + " axis 1 [0,2)").in(Values.normal(), i, 7, k)
                .tol(Tolerance.EXACT).run((t, be) -> t[0].slice(1, 0, 2)));
        out.add(OpCase.named("slice", s(i, j, 13) + " axis -1 [3,7)").in(Values.normal(), i, j, 13)
                .tol(Tolerance.EXACT).run((t, be) -> t[0].slice(-1, 3, 7)));
        out.add(OpCase.named("slice", s(i, j) + " axis 1 [" + (j - 1) + "," + j + ")").in(Values.normal(), i, j)
                .tol(Tolerance.EXACT).run((t, be) -> t[0].slice(1, j - 1, j)));
        out.add(OpCase.named("slice", s(i, j) + " whole axis 0").in(Values.normal(), i, j)
                .tol(Tolerance.EXACT).run((t, be) -> t[0].slice(0, 0, i)));

        // repeated indices: the backward must add, not overwrite
        out.add(OpCase.named("gather", s(5, j, k) + " rows [4,0,4,2,4,1]").in(Values.normal(), 5, j, k)
                .tol(Tolerance.ELEMENTWISE).run((t, be) -> t[0].gather(new int[] {4, 0, 4, 2, 4, 1})));
        out.add(OpCase.named("gather", "(7) rows [6,6,0]").in(Values.normal(), 7)
                .tol(Tolerance.ELEMENTWISE).run((t, be) -> t[0].gather(new int[] {6, 6, 0})));
        out.add(OpCase.named("gather", s(3, k) + " rows [1]").in(Values.normal(), 3, k)
                .tol(Tolerance.ELEMENTWISE).run((t, be) -> t[0].gather(new int[] {1})));
    }
}

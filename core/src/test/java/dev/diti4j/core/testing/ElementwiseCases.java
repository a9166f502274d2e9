package dev.diti4j.core.testing;

import static dev.diti4j.core.testing.Pick.s;

import dev.diti4j.core.ops.BinaryOp;
import dev.diti4j.core.ops.UnaryOp;
import dev.diti4j.core.random.Philox;
import java.util.List;

/** Catalogue cases of the element-wise ops: unary, binary with broadcasting, scalar forms, masks. */
final class ElementwiseCases {
    /** More elements than one parallel chunk of the CPU backend, and not a multiple of any vector width. */
    static final int[] LARGE = {5, 8191};

    private ElementwiseCases() {
    }

    static Values domain(UnaryOp op) {
        return switch (op) {
            case LOG, SQRT, RSQRT -> Values.positive();
            case ABS, RELU -> Values.awayFromZero();
            case NEG, EXP, SQUARE, SIGMOID, TANH, SILU -> Values.normal();
        };
    }

    static void addTo(List<OpCase> out, Pick p) {
        unary(out, p);
        binary(out, p);
        scalarForms(out, p);
        masks(out, p);
    }

    private static void unary(List<OpCase> out, Pick p) {
        for (UnaryOp op : UnaryOp.values()) {
            Values v = domain(op);
            int[] a = {p.small(), p.odd()};
            int[] b = {p.of(2, 3), p.of(1, 5), p.odd()};
            out.add(OpCase.named(op.opName(), s(a)).in(v, a).run((t, be) -> t[0].unary(op)));
            out.add(OpCase.named(op.opName(), s(b)).in(v, b).run((t, be) -> t[0].unary(op)));
            out.add(OpCase.named(op.opName(), "large " + s(LARGE)).in(v, LARGE).run((t, be) -> t[0].unary(op)));
        }
        out.add(OpCase.named("exp", "rank-0 ()").in(Values.normal()).run((t, be) -> t[0].exp()));
        // wide inputs reach the saturated tails of the logistic functions
        int[] w = {3, p.odd()};
        for (UnaryOp op : new UnaryOp[] {UnaryOp.SIGMOID, UnaryOp.TANH, UnaryOp.SILU}) {
            out.add(OpCase.named(op.opName(), "wide range " + s(w)).in(Values.uniform(-12, 12), w)
                    .run((t, be) -> t[0].unary(op)));
        }
    }

    private static void binary(List<OpCase> out, Pick p) {
        for (BinaryOp op : new BinaryOp[] {BinaryOp.ADD, BinaryOp.SUB, BinaryOp.MUL, BinaryOp.DIV}) {
            Values rhs = op == BinaryOp.DIV ? Values.awayFromZero() : Values.normal();
            int i = p.odd();
            int j = p.odd();
            int k = p.odd();
            int[][][] pairs = {
                {{i, j}, {i, j}},              // same shape
                {{i, 1, k}, {j, 1}},           // rank-differing, size-1 axes on both sides
                {{i, j, k}, {k}},              // a row broadcast over leading axes
                {{i, j}, {}},                  // tensor op rank-0
                {{}, {i, j}},                  // rank-0 op tensor
                {{i, 1}, {1, j}},              // outer product layout
                {{1, j, k}, {i, 1, 1}},
                {{3, 97, 131}, {97, 1}},       // large, broadcast along the inner axis
            };
            for (int[][] pr : pairs) {
                // broadcasting makes the backward a sum over the broadcast axes
                boolean same = java.util.Arrays.equals(pr[0], pr[1]);
                boolean large = pr[0].length == 3 && pr[0][1] == 97;
                out.add(OpCase.named(op.opName(), s(pr[0]) + " " + op.opName() + " " + s(pr[1]))
                        .in(Values.normal(), pr[0]).in(rhs, pr[1])
                        .tol(same ? Tolerance.ELEMENTWISE : large ? Tolerance.LONG_SUM : Tolerance.REDUCTION)
                        .run((t, be) -> t[0].binary(op, t[1])));
            }
        }
        for (BinaryOp op : new BinaryOp[] {BinaryOp.EQ, BinaryOp.GE}) {
            int i = p.odd();
            int j = p.odd();
            int[][][] pairs = {{{i, j}, {i, j}}, {{i, 1, 3}, {j, 1}}, {{i, j}, {}}};
            for (int[][] pr : pairs) {
                out.add(OpCase.named(op.opName(), s(pr[0]) + " " + op.opName() + " " + s(pr[1]))
                        .in(Values.ints(-1, 1), pr[0]).in(Values.ints(-1, 1), pr[1]).forwardOnly()
                        .tol(Tolerance.EXACT).run((t, be) -> t[0].binary(op, t[1])));
            }
        }
    }

    private static void scalarForms(List<OpCase> out, Pick p) {
        int[] a = {p.small(), p.odd(), p.odd()};
        String sa = s(a);
        out.add(OpCase.named("add_scalar", sa + " + 0.7").in(Values.normal(), a).run((t, be) -> t[0].add(0.7f)));
        out.add(OpCase.named("sub_scalar", sa + " - 1.3").in(Values.normal(), a).run((t, be) -> t[0].sub(1.3f)));
        out.add(OpCase.named("mul_scalar", sa + " * -1.7").in(Values.normal(), a).run((t, be) -> t[0].mul(-1.7f)));
        out.add(OpCase.named("div_scalar", sa + " / 0.6").in(Values.normal(), a).run((t, be) -> t[0].div(0.6f)));
        out.add(OpCase.named("rsub", "2.5 - " + sa).in(Values.normal(), a).run((t, be) -> t[0].rsub(2.5f)));
        out.add(OpCase.named("rdiv", "1.5 / " + sa).in(Values.awayFromZero(), a).run((t, be) -> t[0].rdiv(1.5f)));
        out.add(OpCase.named("rdiv", "large 1.5 / " + s(LARGE)).in(Values.awayFromZero(), LARGE)
                .run((t, be) -> t[0].rdiv(1.5f)));
        out.add(OpCase.named("ge_scalar", sa + " >= 0.25").in(Values.normal(), a).forwardOnly().tol(Tolerance.EXACT)
                .run((t, be) -> t[0].ge(0.25f)));
        out.add(OpCase.named("clamp", sa + " to [-0.5, 0.5]").in(Values.avoiding(-0.5f, 0.5f), a)
                .run((t, be) -> t[0].clamp(-0.5f, 0.5f)));
        out.add(OpCase.named("clamp", "large " + s(LARGE) + " to [0, 1]").in(Values.avoiding(0f, 1f), LARGE)
                .run((t, be) -> t[0].clamp(0f, 1f)));
    }

    private static void masks(List<OpCase> out, Pick p) {
        int i = p.odd();
        int j = p.small();
        int k = p.odd();
        out.add(OpCase.named("masked_mul", s(i, j, k) + " by " + s(i, 1, k)).in(Values.normal(), i, j, k)
                .constant(Values.bits(), i, 1, k).run((t, be) -> t[0].maskedMul(t[1])));
        out.add(OpCase.named("masked_mul", s(i, k) + " by " + s(i, k)).in(Values.normal(), i, k)
                .constant(Values.bits(), i, k).run((t, be) -> t[0].maskedMul(t[1])));
        out.add(OpCase.named("masked_mul", s(i, k) + " by ()").in(Values.normal(), i, k)
                .constant(Values.bits()).run((t, be) -> t[0].maskedMul(t[1])));
        // a fresh generator per call: both backends, and every finite-difference step, draw the same mask
        out.add(OpCase.named("dropout", s(i, k) + " p=0.3").in(Values.normal(), i, k)
                .run((t, be) -> t[0].dropout(0.3f, true, new Philox(77))));
        out.add(OpCase.named("dropout", "large " + s(LARGE) + " p=0.25").in(Values.normal(), LARGE)
                .run((t, be) -> t[0].dropout(0.25f, true, new Philox(78))));
        out.add(OpCase.named("dropout", s(i, k) + " p=0 (identity)").in(Values.normal(), i, k)
                .run((t, be) -> t[0].dropout(0f, true, new Philox(79))));
        out.add(OpCase.named("dropout", s(i, k) + " eval (identity)").in(Values.normal(), i, k)
                .run((t, be) -> t[0].dropout(0.5f, false, new Philox(80))));
    }
}

package dev.diti4j.core.testing;

import dev.diti4j.core.ops.BinaryOp;
import dev.diti4j.core.ops.ReduceOp;
import dev.diti4j.core.ops.UnaryOp;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The op catalogue: every op of the engine as small seeded cases on odd, unit and broadcast
 * shapes (ggml test-backend-ops style). Every backend must pass all of them against the
 * {@link ReferenceBackend} ({@link OpConformance}); every differentiable case is also checked
 * by finite differences ({@link GradCheck}). Shapes are drawn once from a fixed seed, so the
 * list, and each case's name, is the same in every run.
 */
public final class OpCatalogue {
    private static final long SHAPE_SEED = 20_241_101L;
    private static final List<OpCase> ALL = build();

    private OpCatalogue() {
    }

    /** Every case, in a fixed order. */
    public static List<OpCase> all() {
        return ALL;
    }

    /** The cases whose gradients are checked. */
    public static List<OpCase> differentiable() {
        return ALL.stream().filter(OpCase::differentiable).toList();
    }

    /**
     * Every op the engine offers, by the name its cases carry: the enum-defined families are
     * listed from their enums, so a new constant needs a case before the coverage test passes.
     */
    public static Set<String> requiredOps() {
        Set<String> ops = new LinkedHashSet<>();
        for (UnaryOp u : UnaryOp.values()) {
            ops.add(u.opName());
        }
        for (BinaryOp b : BinaryOp.values()) {
            ops.add(b.opName());
        }
        for (ReduceOp r : ReduceOp.values()) {
            ops.add(r.opName());
        }
        ops.addAll(List.of("add_scalar", "sub_scalar", "mul_scalar", "div_scalar", "rsub", "rdiv", "ge_scalar",
                "clamp", "masked_mul", "dropout", "expand", "sum_to", "softmax", "log_softmax", "reshape", "permute",
                "transpose", "concat", "slice", "gather", "matmul", "linear", "conv2d", "avg_pool2x2",
                "upsample_nearest2x", "group_norm", "weighted_mse", "cross_entropy", "bce_with_logits", "rand",
                "randn"));
        return ops;
    }

    /** The ops that have no gradient: comparisons and random draws. */
    public static Set<String> nonDifferentiableOps() {
        return Set.of("eq", "ge", "ge_scalar", "rand", "randn");
    }

    private static List<OpCase> build() {
        Pick p = new Pick(SHAPE_SEED);
        List<OpCase> out = new ArrayList<>();
        ElementwiseCases.addTo(out, p);
        ReductionCases.addTo(out, p);
        ShapeCases.addTo(out, p);
        LinalgCases.addTo(out, p);
        VisionCases.addTo(out, p);
        LossCases.addTo(out, p);
        EdgeCases.addTo(out);
        Set<String> names = new HashSet<>();
        for (OpCase c : out) {
            if (!names.add(c.name())) {
                throw new IllegalStateException("two catalogue cases are named '" + c.name() + "'");
            }
        }
        return List.copyOf(out);
    }
}

package dev.diti4j.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.diti4j.core.random.Philox;
import dev.diti4j.core.testing.ReferenceBackend;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * Every kind of bad call raises its own {@link TensorException} subclass with a one-line message
 * that starts with the kind and the op and names the shapes and the device.
 */
class ErrorsTest {

    private static Tensor z(int... dims) {
        return Tensor.zeros(dims);
    }

    /** Asserts the type, the "Kind: op " prefix, each fragment, the device suffix and a single line. */
    private static <T extends TensorException> T expect(Class<T> type, String op, Executable call, String... fragments) {
        T e = assertThrows(type, call);
        String m = e.getMessage();
        assertTrue(m.startsWith(type.getSimpleName() + ": " + op + " "), m);
        assertEquals(op, e.op());
        for (String f : fragments) {
            assertTrue(m.contains(f), "'" + m + "' should mention '" + f + "'");
        }
        assertTrue(m.endsWith(" [cpu]"), m);
        assertFalse(m.contains("\n"), m);
        return e;
    }

    @Test
    void wrongRank() {
        expect(TensorException.RankMismatch.class, "conv2d", () -> z(3, 8, 8).conv2d(z(4, 3, 3, 3), null, 1, 1),
                "input must have rank 4", "(3,8,8)");
        expect(TensorException.RankMismatch.class, "matmul", () -> z(3).matmul(z(3, 2)),
                "left operand must have rank >= 2", "(3)");
        expect(TensorException.RankMismatch.class, "linear", () -> z(2, 3).linear(z(4, 3, 1), null),
                "weight must have rank 2", "(4,3,1)");
        expect(TensorException.RankMismatch.class, "cross_entropy", () -> Losses.crossEntropy(z(2, 3, 4), new int[2]),
                "(2,3,4)");
        expect(TensorException.RankMismatch.class, "concat", () -> Tensor.concat(0, z(2, 3), z(2, 3, 1)),
                "(2,3)", "(2,3,1)");
        expect(TensorException.RankMismatch.class, "softmax", () -> Tensor.scalar(1f).softmax(), "rank >= 1", "()");
        expect(TensorException.RankMismatch.class, "upsample_nearest2x", () -> z(4).upsampleNearest2x(), "(4)");
    }

    @Test
    void mismatchedShapes() {
        expect(TensorException.ShapeMismatch.class, "conv2d", () -> z(8, 1, 32, 32).conv2d(z(64, 3, 3, 3), null, 1, 1),
                "weight (64,3,3,3) vs input (8,1,32,32): channels 3 != 1");
        expect(TensorException.ShapeMismatch.class, "matmul", () -> z(2, 3).matmul(z(4, 5)),
                "(2,3)", "(4,5)", "inner dimensions 3 != 4");
        expect(TensorException.ShapeMismatch.class, "matmul", () -> z(2, 3, 4).matmul(z(3, 4, 5)),
                "batch axes of (2,3,4) and (3,4,5) differ");
        expect(TensorException.ShapeMismatch.class, "linear", () -> z(2, 3).linear(z(4, 5), null),
                "in_features 5 != 3");
        expect(TensorException.ShapeMismatch.class, "linear", () -> z(2, 3).linear(z(4, 3), z(5)), "bias (5)");
        expect(TensorException.ShapeMismatch.class, "conv2d", () -> z(1, 3, 5, 5).conv2d(z(4, 3, 3, 3), z(3), 1, 1),
                "bias (3) vs weight (4,3,3,3)");
        expect(TensorException.ShapeMismatch.class, "concat", () -> Tensor.concat(0, z(2, 3), z(2, 4)),
                "(2,3) and (2,4) differ on axis 1");
        expect(TensorException.ShapeMismatch.class, "weighted_mse", () -> Losses.weightedMse(z(2, 3), z(3, 2), null),
                "prediction (2,3) vs target (3,2)");
        expect(TensorException.ShapeMismatch.class, "bce_with_logits", () -> Losses.bceWithLogits(z(4), z(5)),
                "logits (4) vs targets (5)");
        expect(TensorException.ShapeMismatch.class, "cross_entropy", () -> Losses.crossEntropy(z(3, 4), new int[2]),
                "2 labels for logits (3,4)");
        expect(TensorException.ShapeMismatch.class, "group_norm",
                () -> z(2, 4, 3).groupNorm(2, z(3), z(3), 1e-5f), "affine parameter (3) vs input (2,4,3)");
        expect(TensorException.ShapeMismatch.class, "avg_pool2x2", () -> z(1, 3, 5, 4).avgPool2x2(), "5x4", "even");
        expect(TensorException.ShapeMismatch.class, "conv2d", () -> z(1, 3, 2, 2).conv2d(z(4, 3, 5, 5), null, 1, 1),
                "kernel (4,3,5,5) larger than padded input (1,3,2,2)");
        expect(TensorException.ShapeMismatch.class, "assign", () -> z(2, 3).assign(z(3, 2)), "target (2,3)");
        expect(TensorException.ShapeMismatch.class, "item", () -> z(2).item(), "(2)");
        expect(TensorException.ShapeMismatch.class, "of", () -> Tensor.of(new float[5], 2, 3), "5 values", "(2,3)");
    }

    @Test
    void badAndDuplicateAxes() {
        expect(TensorException.BadAxis.class, "sum", () -> z(3, 4).sum(false, 2), "axis 2 out of range for (3,4)");
        expect(TensorException.BadAxis.class, "max", () -> z(3, 4).max(true, -3), "axis -3 out of range for (3,4)");
        expect(TensorException.BadAxis.class, "slice", () -> z(3, 4).slice(2, 0, 1), "axis 2", "(3,4)");
        expect(TensorException.BadAxis.class, "concat", () -> Tensor.concat(3, z(3, 4), z(3, 4)), "axis 3", "(3,4)");
        expect(TensorException.BadAxis.class, "transpose", () -> z(3, 4).transpose(0, 5), "axis 5", "(3,4)");
        expect(TensorException.BadAxis.class, "sum", () -> z(3, 4, 5).sum(true, 1, 1), "axis 1 given twice",
                "(3,4,5)");
        expect(TensorException.BadAxis.class, "mean", () -> z(3, 4, 5).mean(false, 2, -1), "given twice");
    }

    @Test
    void badPermutation() {
        expect(TensorException.BadAxis.class, "permute", () -> z(2, 3).permute(0, 0),
                "[0, 0] is not a permutation of the axes of (2,3)");
        expect(TensorException.BadAxis.class, "permute", () -> z(2, 3).permute(0, 2), "not a permutation");
        expect(TensorException.BadAxis.class, "permute", () -> z(2, 3, 4).permute(1, 0),
                "has 2 axes but the input (2,3,4) has 3");
    }

    @Test
    void notBroadcastable() {
        expect(TensorException.NotBroadcastable.class, "add", () -> z(3, 4).add(z(5)), "(3,4) and (5)");
        expect(TensorException.NotBroadcastable.class, "mul", () -> z(2, 3, 4).mul(z(3, 1, 2)), "(2,3,4) and (3,1,2)");
        expect(TensorException.NotBroadcastable.class, "masked_mul", () -> z(3, 1).maskedMul(z(3, 4)),
                "mask (3,4) must broadcast to the input (3,1)");
        expect(TensorException.NotBroadcastable.class, "expand", () -> z(3, 2).expand(Shape.of(3, 4)),
                "(3,2) does not broadcast to (3,4)");
        expect(TensorException.NotBroadcastable.class, "sum_to", () -> z(3, 4).sumTo(Shape.of(2, 4)),
                "(2,4) does not broadcast to (3,4)");
        expect(TensorException.NotBroadcastable.class, "weighted_mse",
                () -> Losses.weightedMse(z(2, 3), z(2, 3), z(7)), "weights (7)", "(2,3)");
    }

    @Test
    void badArguments() {
        expect(TensorException.BadArgument.class, "slice", () -> z(4, 3).slice(0, 2, 5),
                "range [2, 5) outside axis 0 of size 4 of (4,3)");
        expect(TensorException.BadArgument.class, "slice", () -> z(4, 3).slice(1, 2, 1), "range [2, 1)");
        expect(TensorException.BadArgument.class, "gather", () -> z(4, 2).gather(new int[] {0, 4}),
                "index 4 out of range for axis 0 of (4,2)");
        expect(TensorException.BadArgument.class, "gather", () -> z(4, 2).gather(new int[] {-1}), "index -1");
        expect(TensorException.ShapeMismatch.class, "reshape", () -> z(2, 3).reshape(4, 2),
                "(2,3) (6 elements) cannot be viewed as (4,2) (8 elements)");
        expect(TensorException.ShapeMismatch.class, "reshape", () -> z(2, 3).reshape(4, -1), "cannot be viewed");
        expect(TensorException.BadArgument.class, "reshape", () -> z(2, 3).reshape(-1, -1), "more than one -1");
        expect(TensorException.BadArgument.class, "group_norm", () -> z(2, 6, 4).groupNorm(4, null, null, 1e-5f),
                "channels 6 of (2,6,4) are not divisible into 4 groups");
        expect(TensorException.BadArgument.class, "group_norm", () -> z(2, 6, 4).groupNorm(0, null, null, 1e-5f),
                "0 groups");
        expect(TensorException.BadArgument.class, "group_norm", () -> z(2, 6, 4).groupNorm(2, z(6), null, 1e-5f),
                "gamma and beta");
        expect(TensorException.BadArgument.class, "group_norm", () -> z(2, 6, 4).groupNorm(2, null, null, 0f), "eps");
        expect(TensorException.BadArgument.class, "conv2d", () -> z(1, 3, 5, 5).conv2d(z(4, 3, 3, 3), null, 0, 1),
                "stride 0");
        expect(TensorException.BadArgument.class, "clamp", () -> z(3).clamp(1f, -1f), "lower bound 1.0 > upper bound -1.0");
        expect(TensorException.BadArgument.class, "cross_entropy",
                () -> Losses.crossEntropy(z(2, 3), new int[] {0, 3}), "label 3 at row 1 outside [0, 3)");
        expect(TensorException.BadArgument.class, "full", () -> Tensor.zeros(2, -1), "negative dimension");
        expect(TensorException.BadArgument.class, "max", () -> z(3, 0).max(false, 1), "max over an empty axis of (3,0)");
        for (float p : new float[] {1f, -0.1f, 1.5f, Float.NaN}) {
            expect(TensorException.BadArgument.class, "dropout", () -> z(2, 3).dropout(p, true, new Philox(1)),
                    "probability " + p + " outside [0, 1)", "(2,3)");
        }
    }

    @Test
    void useAfterScopeClose() {
        Tensor inside;
        try (Scope s = Scope.open()) {
            inside = Tensor.zeros(2, 2).add(1f);
        }
        expect(TensorException.Released.class, "exp", inside::exp, "tensor (2,2) was used after its scope closed");
        expect(TensorException.Released.class, "toArray", inside::toArray, "(2,2)");
        expect(TensorException.Released.class, "add", () -> z(2, 2).add(inside), "(2,2)");
        expect(TensorException.Released.class, "dropout", () -> inside.dropout(0f, true, new Philox(1)), "(2,2)");
        expect(TensorException.Released.class, "dropout", () -> inside.dropout(0.5f, false, new Philox(1)), "(2,2)");
        expect(TensorException.Released.class, "sum_to", () -> inside.sumTo(Shape.of(2, 2)), "(2,2)");
        expect(TensorException.Released.class, "reshape", () -> inside.reshape(4), "(2,2)");
    }

    @Test
    void backwardErrors() {
        Tensor x = Tensor.of(new float[] {1, 2}, 2).requiresGrad(true);
        expect(TensorException.ShapeMismatch.class, "backward", () -> x.exp().backward(),
                "needs a scalar loss, got shape (2)");
        expect(TensorException.ShapeMismatch.class, "backward", () -> x.exp().backward(z(3)), "seed (3) vs output (2)");
        expect(TensorException.NoGradient.class, "backward", () -> z(2).exp().sum().backward(),
                "tensor () does not depend on any tensor that requires a gradient");
        expect(TensorException.NoGradient.class, "requiresGrad", () -> x.exp().requiresGrad(false), "detach()");
    }

    @Test
    void operandsOnDifferentDevices() {
        ReferenceBackend elsewhere = new ReferenceBackend() {
            @Override
            public Device device() {
                return Device.cuda(0);
            }
        };
        Tensor far = Tensor.of(elsewhere, new float[] {1, 2}, 2);
        TensorException e = assertThrows(TensorException.DeviceMismatch.class, () -> z(2).add(far));
        assertEquals("DeviceMismatch: add (2) on cpu vs (2) on cuda:0 [cpu]", e.getMessage());
        assertThrows(TensorException.DeviceMismatch.class, () -> z(3, 2).matmul(far.reshape(2, 1)));
    }
}

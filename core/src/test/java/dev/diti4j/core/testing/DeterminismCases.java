package dev.diti4j.core.testing;

import static dev.diti4j.core.testing.Pick.s;

import dev.diti4j.core.Losses;
import dev.diti4j.core.Tensor;
import dev.diti4j.core.ops.ReduceOp;
import dev.diti4j.core.ops.UnaryOp;
import dev.diti4j.core.random.Philox;
import java.util.ArrayList;
import java.util.List;

/**
 * Cases for {@link KernelDigests} beyond the {@link OpCatalogue}: shapes large enough that every
 * CPU kernel splits its work across threads (several chunks of {@code Parallel.forRange} even with
 * three threads), reaches the blocked and batched GEMM paths with several k blocks, and runs the
 * GroupNorm reductions with vector tails. They are too large for the reference backend and finite
 * differences, so they are only compared with themselves: across thread counts, JIT tiers and
 * repeated calls.
 */
final class DeterminismCases {
    /** 3 x 32,768 + 5 elements: several parallel chunks of the element-wise kernels. */
    private static final int[] LONG = {3, 32_771};

    private DeterminismCases() {
    }

    static List<OpCase> all() {
        List<OpCase> out = new ArrayList<>();
        for (UnaryOp op : UnaryOp.values()) {
            out.add(OpCase.named(op.opName(), "determinism " + s(LONG)).in(ElementwiseCases.domain(op), LONG)
                    .run((t, be) -> t[0].unary(op)));
        }
        // exp, the logistic functions and tanh on wide inputs: overflow to Inf, subnormal results,
        // saturated tails and special values, through the vector loops and their scalar tails
        for (UnaryOp op : new UnaryOp[] {UnaryOp.EXP, UnaryOp.SIGMOID, UnaryOp.SILU, UnaryOp.TANH}) {
            out.add(OpCase.named(op.opName(), "determinism wide range " + s(LONG)).in(wide(), LONG)
                    .run((t, be) -> t[0].unary(op)));
        }
        out.add(OpCase.named("add", "determinism (64,1537) + (1537)").in(Values.normal(), 64, 1537)
                .in(Values.normal(), 1537).run((t, be) -> t[0].add(t[1])));
        out.add(OpCase.named("mul", "determinism (64,1537) * (64,1)").in(Values.normal(), 64, 1537)
                .in(Values.normal(), 64, 1).run((t, be) -> t[0].mul(t[1])));
        out.add(OpCase.named("div_scalar", "determinism " + s(LONG) + " / 0.3").in(Values.normal(), LONG)
                .run((t, be) -> t[0].div(0.3f)));
        out.add(OpCase.named("dropout", "determinism " + s(LONG) + " p=0.1").in(Values.normal(), LONG)
                .run((t, be) -> t[0].dropout(0.1f, true, new Philox(5))));
        out.add(OpCase.named("randn", "determinism " + s(LONG)).forwardOnly()
                .run((t, be) -> Tensor.randn(new Philox(6), be, LONG)));

        // reductions: many outputs over contiguous rows, strided columns, and one long sum
        for (ReduceOp op : ReduceOp.values()) {
            Values v = op == ReduceOp.MAX ? Values.distinct() : Values.normal();
            out.add(OpCase.named(op.opName(), "determinism (300,700) axes [1]").in(v, 300, 700)
                    .run((t, be) -> t[0].reduce(op, false, 1)));
            out.add(OpCase.named(op.opName(), "determinism (700,300) axes [0]").in(v, 700, 300)
                    .run((t, be) -> t[0].reduce(op, false, 0)));
            out.add(OpCase.named(op.opName(), "determinism (8,16,33,31) axes [0,2,3]").in(v, 8, 16, 33, 31)
                    .run((t, be) -> t[0].reduce(op, true, 0, 2, 3)));
        }
        out.add(OpCase.named("sum", "determinism " + s(LONG) + " all").in(Values.normal(), LONG)
                .run((t, be) -> t[0].sum()));
        out.add(OpCase.named("softmax", "determinism (400,333)").in(Values.normal(), 400, 333)
                .run((t, be) -> t[0].softmax()));
        out.add(OpCase.named("log_softmax", "determinism (400,333)").in(Values.normal(), 400, 333)
                .run((t, be) -> t[0].logSoftmax()));
        out.add(OpCase.named("softmax", "determinism (400,333) wide").in(Values.uniform(-60, 60), 400, 333)
                .run((t, be) -> t[0].softmax()));
        out.add(OpCase.named("log_softmax", "determinism (400,333) wide").in(Values.uniform(-60, 60), 400, 333)
                .run((t, be) -> t[0].logSoftmax()));

        // GEMM: blocked and parallel with several k blocks, every transpose, and many small products
        for (int f = 0; f < 4; f++) {
            boolean ta = (f & 1) != 0;
            boolean tb = (f & 2) != 0;
            int m = 203;
            int n = 171;
            int k = 601;
            int[] a = ta ? new int[] {k, m} : new int[] {m, k};
            int[] b = tb ? new int[] {n, k} : new int[] {k, n};
            out.add(OpCase.named("matmul", "determinism " + s(a) + (ta ? "^T" : "") + " x " + s(b) + (tb ? "^T" : ""))
                    .in(Values.normal(), a).in(Values.normal(), b).run((t, be) -> t[0].matmul(t[1], ta, tb)));
        }
        out.add(OpCase.named("matmul", "determinism batched (24,33,65) x (24,65,47)").in(Values.normal(), 24, 33, 65)
                .in(Values.normal(), 24, 65, 47).run((t, be) -> t[0].matmul(t[1])));
        out.add(OpCase.named("matmul", "determinism batched (3,130,257) x (3,257,129)").in(Values.normal(), 3, 130, 257)
                .in(Values.normal(), 3, 257, 129).run((t, be) -> t[0].matmul(t[1])));
        out.add(OpCase.named("linear", "determinism (96,300) W (200,300) + b (200)").in(Values.normal(), 96, 300)
                .in(Values.normal(), 200, 300).in(Values.normal(), 200).run((t, be) -> t[0].linear(t[1], t[2])));

        // convolutions of U-Net sizes: 3x3 same, strided, pointwise, and several images per product
        out.add(conv(8, 16, 16, 16, 32, 3, 1, 1));
        out.add(conv(8, 32, 16, 16, 32, 3, 2, 1));
        out.add(conv(4, 32, 8, 8, 64, 1, 1, 0));
        out.add(conv(16, 64, 4, 4, 64, 3, 1, 1));
        out.add(conv(2, 3, 33, 31, 16, 3, 1, 1));

        // GroupNorm: many slabs, small and odd spatial sizes (vector tails), one group per sample
        out.add(groupNorm(new int[] {8, 64, 16, 16}, 8));
        out.add(groupNorm(new int[] {16, 64, 4, 4}, 8));
        out.add(groupNorm(new int[] {6, 24, 13, 11}, 4));
        out.add(groupNorm(new int[] {4, 32, 37}, 1));

        out.add(OpCase.named("avg_pool2x2", "determinism (8,64,32,32)").in(Values.normal(), 8, 64, 32, 32)
                .run((t, be) -> t[0].avgPool2x2()));
        out.add(OpCase.named("upsample_nearest2x", "determinism (8,64,16,16)").in(Values.normal(), 8, 64, 16, 16)
                .run((t, be) -> t[0].upsampleNearest2x()));
        out.add(OpCase.named("weighted_mse", "determinism (32,3,16,16) per-sample weights").in(Values.normal(), 32, 3, 16, 16)
                .in(Values.normal(), 32, 3, 16, 16).in(Values.positive(), 32)
                .run((t, be) -> Losses.weightedMse(t[0], t[1], t[2])));
        int[] labels = new int[512];
        for (int i = 0; i < labels.length; i++) {
            labels[i] = (13 * i + 5) % 100;
        }
        out.add(OpCase.named("cross_entropy", "determinism (512,100)").in(Values.normal(), 512, 100)
                .run((t, be) -> Losses.crossEntropy(t[0], labels)));
        return out;
    }

    /** Uniform in [-110, 110) with zeros, infinities, subnormals and the overflow threshold spread in. */
    private static Values wide() {
        float[] special = {0f, -0f, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.MIN_VALUE,
            -Float.MIN_VALUE, 88.72283f, 88.72284f, -103.97f, 9.1f, -1.2784645f};
        return (rng, n) -> {
            float[] v = Values.uniform(-110, 110).make(rng, n);
            for (int i = 0; i < n; i += 997) {
                v[i] = special[i / 997 % special.length];
            }
            return v;
        };
    }

    private static OpCase conv(int n, int cin, int h, int w, int cout, int kernel, int stride, int pad) {
        return OpCase.named("conv2d", "determinism " + s(n, cin, h, w) + " * " + s(cout, cin, kernel, kernel) + " stride "
                        + stride + " pad " + pad + " + bias")
                .in(Values.normal(), n, cin, h, w).in(Values.normal(), cout, cin, kernel, kernel).in(Values.normal(), cout)
                .run((t, be) -> t[0].conv2d(t[1], t[2], stride, pad));
    }

    private static OpCase groupNorm(int[] x, int groups) {
        int c = x[1];
        return OpCase.named("group_norm", "determinism " + s(x) + " groups " + groups + " affine").in(Values.normal(), x)
                .in(Values.uniform(0.5, 1.5), c).in(Values.normal(), c)
                .run((t, be) -> t[0].groupNorm(groups, t[1], t[2], 1e-5f));
    }
}

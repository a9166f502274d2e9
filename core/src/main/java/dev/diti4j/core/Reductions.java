package dev.diti4j.core;

import dev.diti4j.core.backend.Backend;
import dev.diti4j.core.backend.Storage;
import dev.diti4j.core.ops.BinaryOp;
import dev.diti4j.core.ops.ReduceOp;

/** Reductions, broadcasting helpers and softmax. */
final class Reductions {
    private Reductions() {
    }

    /** Reduces over {@code axes} (all axes when empty). */
    static Tensor reduce(ReduceOp op, Tensor x, boolean keepDim, int... axes) {
        String name = op.opName();
        Checks.live(name, x);
        int r = x.rank();
        boolean[] flags = new boolean[r];
        if (axes.length == 0) {
            java.util.Arrays.fill(flags, true);
        }
        for (int a : axes) {
            int ax = Checks.axis(name, x, a);
            if (flags[ax]) {
                throw new TensorException.BadAxis(name, "axis " + a + " given twice for " + x.shape(), x.device());
            }
            flags[ax] = true;
        }
        int[] kept = x.shape().dims();
        long count = 1;
        for (int i = 0; i < r; i++) {
            if (flags[i]) {
                count *= kept[i];
                kept[i] = 1;
            }
        }
        if (op == ReduceOp.MAX && count == 0) {
            throw new TensorException.BadArgument(name, "max over an empty axis of " + x.shape(), x.device());
        }
        Shape keptShape = Shape.of(kept);
        Backend b = x.backend();
        Storage out = b.allocate(keptShape.numel());
        b.reduce(op, x.storage(), x.shape(), flags, out);
        final long n = count;
        Node.Backward bw = switch (op) {
            case SUM -> (gy, y) -> new Tensor[] {gy.reshape(kept).expand(x.shape())};
            case MEAN -> (gy, y) -> new Tensor[] {gy.reshape(kept).expand(x.shape()).mul(1f / n)};
            case MAX -> (gy, y) -> {
                // ties share the gradient equally
                Tensor hit = x.eq(y.reshape(kept));
                Tensor share = hit.div(hit.sum(true, reducedAxes(flags)));
                return new Tensor[] {share.mul(gy.reshape(kept))};
            };
        };
        Tensor res = Tensor.result(b, keptShape, out, name, new Tensor[] {x}, bw,
                op == ReduceOp.MAX ? Node.READS_ALL : Node.READS_NONE);
        return keepDim ? res : res.reshape(squeezed(kept, flags));
    }

    private static int[] reducedAxes(boolean[] flags) {
        int n = 0;
        for (boolean f : flags) {
            n += f ? 1 : 0;
        }
        int[] out = new int[n];
        for (int i = 0, j = 0; i < flags.length; i++) {
            if (flags[i]) {
                out[j++] = i;
            }
        }
        return out;
    }

    private static int[] squeezed(int[] kept, boolean[] flags) {
        int n = 0;
        for (boolean f : flags) {
            n += f ? 0 : 1;
        }
        int[] out = new int[n];
        for (int i = 0, j = 0; i < kept.length; i++) {
            if (!flags[i]) {
                out[j++] = kept[i];
            }
        }
        return out;
    }

    /** Sums x down to {@code target}, the inverse of broadcasting target to x's shape. */
    static Tensor sumTo(Tensor x, Shape target) {
        Checks.live("sum_to", x);
        if (x.shape().equals(target)) {
            return x;
        }
        Shape bs = Shape.broadcastOrNull(target, x.shape());
        if (bs == null || !bs.equals(x.shape())) {
            throw new TensorException.NotBroadcastable("sum_to", target + " does not broadcast to " + x.shape(),
                    x.device());
        }
        int r = x.rank();
        int[] t = target.padTo(r);
        int n = 0;
        for (int i = 0; i < r; i++) {
            if (t[i] == 1 && x.shape().dim(i) != 1) {
                n++;
            }
        }
        int[] axes = new int[n];
        for (int i = 0, j = 0; i < r; i++) {
            if (t[i] == 1 && x.shape().dim(i) != 1) {
                axes[j++] = i;
            }
        }
        Tensor s = n == 0 ? x : x.sum(true, axes);
        return s.reshape(target.dims());
    }

    /** Broadcasts x to {@code target}, copying. */
    static Tensor expand(Tensor x, Shape target) {
        Checks.live("expand", x);
        if (x.shape().equals(target)) {
            return x;
        }
        Shape bs = Shape.broadcastOrNull(x.shape(), target);
        if (bs == null || !bs.equals(target)) {
            throw new TensorException.NotBroadcastable("expand", x.shape() + " does not broadcast to " + target,
                    x.device());
        }
        Backend b = x.backend();
        Storage zero = b.allocate(1);
        b.fill(zero, 1, 0f);
        Storage out = b.allocate(target.numel());
        b.binary(BinaryOp.ADD, x.storage(), x.shape(), zero, Shape.scalar(), out, target);
        zero.release();
        return Tensor.result(b, target, out, "expand", new Tensor[] {x},
                (gy, y) -> new Tensor[] {gy.sumTo(x.shape())}, Node.READS_NONE);
    }

    static Tensor softmax(Tensor x, boolean log) {
        String name = log ? "log_softmax" : "softmax";
        Checks.live(name, x);
        Checks.rankAtLeast(name, "input", x, 1);
        int cols = x.dim(-1);
        int rows = cols == 0 ? 0 : (int) (x.numel() / cols);
        Backend b = x.backend();
        Storage out = b.allocate(x.numel());
        b.softmax(x.storage(), rows, cols, log, out);
        return Tensor.result(b, x.shape(), out, name, new Tensor[] {x}, (gy, y) -> {
            Storage gx = b.allocate(x.numel());
            b.softmaxBackward(y.storage(), gy.storage(), rows, cols, log, gx);
            return new Tensor[] {new Tensor(x.shape(), gx, b, null)};
        }, Node.READS_OUTPUT);
    }
}

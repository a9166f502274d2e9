package dev.diti4j.core;

import dev.diti4j.core.backend.Backend;
import dev.diti4j.core.backend.Storage;
import dev.diti4j.core.ops.BinaryOp;
import dev.diti4j.core.ops.Distribution;
import dev.diti4j.core.ops.UnaryOp;
import dev.diti4j.core.random.Philox;

/** Element-wise ops: forward next to backward. */
final class Elementwise {
    private Elementwise() {
    }

    static Tensor unary(UnaryOp op, Tensor x) {
        Checks.live(op.opName(), x);
        Backend b = x.backend();
        Storage out = b.allocate(x.numel());
        b.unary(op, x.storage(), out, x.numel());
        return Tensor.result(b, x.shape(), out, op.opName(), new Tensor[] {x}, (gy, y) -> {
            Storage gx = b.allocate(x.numel());
            b.unaryBackward(op, x.storage(), y.storage(), gy.storage(), gx, x.numel());
            return new Tensor[] {new Tensor(x.shape(), gx, b, null)};
        });
    }

    static Tensor binary(BinaryOp op, Tensor a, Tensor c) {
        String name = op.opName();
        Checks.live(name, a, c);
        Checks.sameDevice(name, a, c);
        Shape os = Checks.broadcast(name, a, c);
        Backend b = a.backend();
        Storage out = b.allocate(os.numel());
        b.binary(op, a.storage(), a.shape(), c.storage(), c.shape(), out, os);
        Node.Backward bw = switch (op) {
            case ADD -> (gy, y) -> new Tensor[] {gy.sumTo(a.shape()), gy.sumTo(c.shape())};
            case SUB -> (gy, y) -> new Tensor[] {gy.sumTo(a.shape()), c.requiresGrad() ? gy.neg().sumTo(c.shape()) : null};
            case MUL -> (gy, y) -> new Tensor[] {
                a.requiresGrad() ? gy.mul(c).sumTo(a.shape()) : null,
                c.requiresGrad() ? gy.mul(a).sumTo(c.shape()) : null};
            // d(a/c)/dc = -a/c^2 = -y/c
            case DIV -> (gy, y) -> new Tensor[] {
                a.requiresGrad() ? gy.div(c).sumTo(a.shape()) : null,
                c.requiresGrad() ? gy.mul(y).div(c).neg().sumTo(c.shape()) : null};
            case EQ, GE -> null;
        };
        int reads = switch (op) {
            case ADD, SUB, EQ, GE -> Node.READS_NONE;
            case MUL -> 0b11;
            case DIV -> 0b10 | Node.READS_OUTPUT;
        };
        return Tensor.result(b, os, out, name, new Tensor[] {a, c}, bw, reads);
    }

    static Tensor scalar(BinaryOp op, Tensor x, float s, boolean scalarFirst) {
        String name = op.opName() + (scalarFirst ? "_scalar_first" : "_scalar");
        Checks.live(name, x);
        Backend b = x.backend();
        Storage out = b.allocate(x.numel());
        b.scalar(op, x.storage(), s, scalarFirst, out, x.numel());
        Node.Backward bw = switch (op) {
            case ADD -> (gy, y) -> new Tensor[] {gy};
            case SUB -> (gy, y) -> new Tensor[] {scalarFirst ? gy.neg() : gy};
            case MUL -> (gy, y) -> new Tensor[] {gy.mul(s)};
            // d(s/x)/dx = -s/x^2 = -y/x
            case DIV -> (gy, y) -> new Tensor[] {scalarFirst ? gy.mul(y).div(x).neg() : gy.mul(1f / s)};
            case EQ, GE -> null;
        };
        int reads = op == BinaryOp.DIV && scalarFirst ? Node.READS_ALL : Node.READS_NONE;
        return Tensor.result(b, x.shape(), out, name, new Tensor[] {x}, bw, reads);
    }

    static Tensor clamp(Tensor x, float lo, float hi) {
        Checks.live("clamp", x);
        if (!(lo <= hi)) {
            throw new TensorException.BadArgument("clamp", "lower bound " + lo + " > upper bound " + hi + " for "
                    + x.shape(), x.device());
        }
        Backend b = x.backend();
        Storage out = b.allocate(x.numel());
        b.clamp(x.storage(), lo, hi, out, x.numel());
        return Tensor.result(b, x.shape(), out, "clamp", new Tensor[] {x},
                (gy, y) -> new Tensor[] {gy.mul(x.ge(lo)).mul(x.scalar(BinaryOp.GE, hi, true))}, 0b1);
    }

    static Tensor maskedMul(Tensor x, Tensor mask) {
        Checks.live("masked_mul", x, mask);
        Checks.sameDevice("masked_mul", x, mask);
        Shape os = Checks.broadcast("masked_mul", x, mask);
        if (!os.equals(x.shape())) {
            throw new TensorException.NotBroadcastable("masked_mul", "mask " + mask.shape()
                    + " must broadcast to the input " + x.shape(), x.device());
        }
        Backend b = x.backend();
        Storage out = b.allocate(os.numel());
        b.binary(BinaryOp.MUL, x.storage(), x.shape(), mask.storage(), mask.shape(), out, os);
        return Tensor.result(b, os, out, "masked_mul", new Tensor[] {x}, (gy, y) -> new Tensor[] {gy.mul(mask)},
                Node.READS_NONE); // the mask is not an input: the caller keeps it
    }

    static Tensor dropout(Tensor x, float p, boolean training, Philox rng) {
        Checks.live("dropout", x); // before the identity shortcut, which would hand back a released tensor
        if (!(p >= 0f && p < 1f)) {
            throw new TensorException.BadArgument("dropout", "probability " + p + " outside [0, 1) for " + x.shape(),
                    x.device());
        }
        if (!training || p == 0f) {
            return x;
        }
        // The mask is a function of (key, counter) alone, so the graph keeps those two numbers rather
        // than the mask: the backward draws it again. Neither pass keeps the uniform draw, the
        // comparison or the mask beyond its own use.
        Backend b = x.backend();
        long key = rng.key();
        long counter = rng.reserve(x.numel());
        Storage out = b.allocate(x.numel());
        try (GradMode ng = GradMode.off(); Scope s = Scope.open()) {
            Tensor mask = dropoutMask(b, key, counter, x.shape(), p);
            b.binary(BinaryOp.MUL, x.storage(), x.shape(), mask.storage(), mask.shape(), out, x.shape());
        }
        return Tensor.result(b, x.shape(), out, "dropout", new Tensor[] {x},
                (gy, y) -> new Tensor[] {gy.mul(dropoutMask(b, key, counter, x.shape(), p))}, Node.READS_NONE);
    }

    /** (uniform draw >= p) / (1 - p), the draw being the one {@code Tensor.rand} makes from (key, counter). */
    private static Tensor dropoutMask(Backend b, long key, long counter, Shape shape, float p) {
        Storage u = b.allocate(shape.numel());
        b.random(Distribution.UNIFORM, key, counter, u, shape.numel());
        Tensor uniform = new Tensor(shape, u, b, null);
        Tensor keep = uniform.ge(p);
        uniform.release();
        Tensor mask = keep.mul(1f / (1f - p));
        keep.release();
        return mask;
    }
}

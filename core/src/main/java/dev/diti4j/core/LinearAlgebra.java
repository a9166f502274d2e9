package dev.diti4j.core;

import dev.diti4j.core.backend.Backend;
import dev.diti4j.core.backend.Storage;
import dev.diti4j.core.ops.MatmulSpec;
import java.util.Arrays;

/** Matrix products. */
final class LinearAlgebra {
    private LinearAlgebra() {
    }

    /**
     * op(a) (..., m, k) times op(b) (..., k, n). Leading (batch) axes must be equal, or one operand
     * must be a plain matrix that is reused for every batch entry.
     */
    static Tensor matmul(Tensor a, Tensor b, boolean transA, boolean transB) {
        Checks.live("matmul", a, b);
        Checks.sameDevice("matmul", a, b);
        Checks.rankAtLeast("matmul", "left operand", a, 2);
        Checks.rankAtLeast("matmul", "right operand", b, 2);
        int m = transA ? a.dim(-1) : a.dim(-2);
        int ka = transA ? a.dim(-2) : a.dim(-1);
        int kb = transB ? b.dim(-1) : b.dim(-2);
        int n = transB ? b.dim(-2) : b.dim(-1);
        if (ka != kb) {
            throw new TensorException.ShapeMismatch("matmul", "left " + a.shape() + (transA ? "^T" : "") + " vs right "
                    + b.shape() + (transB ? "^T" : "") + ": inner dimensions " + ka + " != " + kb, a.device());
        }
        int[] ba = Arrays.copyOf(a.shape().dims(), a.rank() - 2);
        int[] bb = Arrays.copyOf(b.shape().dims(), b.rank() - 2);
        int[] batchDims;
        if (Arrays.equals(ba, bb) || bb.length == 0) {
            batchDims = ba;
        } else if (ba.length == 0) {
            batchDims = bb;
        } else {
            throw new TensorException.ShapeMismatch("matmul", "batch axes of " + a.shape() + " and " + b.shape()
                    + " differ (they must be equal, or one operand a plain matrix)", a.device());
        }
        int batch = (int) Shape.of(batchDims).numel();
        int[] outDims = Arrays.copyOf(batchDims, batchDims.length + 2);
        outDims[batchDims.length] = m;
        outDims[batchDims.length + 1] = n;
        Shape os = Shape.of(outDims);
        MatmulSpec spec = new MatmulSpec(batch, m, n, ka, transA, transB,
                ba.length == 0 ? 0 : (long) m * ka, bb.length == 0 ? 0 : (long) ka * n);
        Backend be = a.backend();
        Storage out = be.allocate(os.numel());
        be.matmul(spec, a.storage(), b.storage(), out, false);
        return Tensor.result(be, os, out, "matmul", new Tensor[] {a, b}, (gy, y) -> {
            Tensor ga = null;
            Tensor gb = null;
            if (a.requiresGrad()) {
                // op(A) grad = gy op(B)^T; stored A is op(A) or its transpose
                ga = transA ? matmul(b, gy, transB, true) : matmul(gy, b, false, !transB);
                ga = ga.sumTo(a.shape());
            }
            if (b.requiresGrad()) {
                // op(B) grad = op(A)^T gy
                gb = transB ? matmul(gy, a, true, transA) : matmul(a, gy, !transA, false);
                gb = gb.sumTo(b.shape());
            }
            return new Tensor[] {ga, gb};
        }, 0b11);
    }

    /** x (..., in) W^T (W is (out, in)) + bias (out). */
    static Tensor linear(Tensor x, Tensor w, Tensor bias) {
        Checks.live("linear", x, w, bias);
        Checks.sameDevice("linear", x, w);
        Checks.sameDevice("linear", x, bias);
        Checks.rankAtLeast("linear", "input", x, 1);
        Checks.rank("linear", "weight", w, 2);
        int in = x.dim(-1);
        if (w.dim(1) != in) {
            throw new TensorException.ShapeMismatch("linear", "weight " + w.shape() + " vs input " + x.shape()
                    + ": in_features " + w.dim(1) + " != " + in, x.device());
        }
        if (bias != null && (bias.rank() != 1 || bias.dim(0) != w.dim(0))) {
            throw new TensorException.ShapeMismatch("linear", "bias " + bias.shape() + " vs weight " + w.shape()
                    + ": expected (" + w.dim(0) + ")", x.device());
        }
        int[] outDims = x.shape().dims();
        outDims[outDims.length - 1] = w.dim(0);
        Tensor flat = x.reshape(-1, in);
        Tensor y = flat.matmul(w, false, true);
        if (flat != x) {
            flat.free();
        }
        if (bias != null) {
            Tensor product = y;
            y = y.add(bias);
            product.free(); // the sum's backward does not read it
        }
        Tensor out = y.reshape(outDims);
        if (out != y) {
            y.free();
        }
        return out;
    }
}

package dev.diti4j.core.cpu;

import static dev.diti4j.core.cpu.VectorMath.L;
import static dev.diti4j.core.cpu.VectorMath.S;

import dev.diti4j.core.Shape;
import dev.diti4j.core.ops.BinaryOp;
import dev.diti4j.core.ops.FloatMath;
import dev.diti4j.core.ops.UnaryOp;
import jdk.incubator.vector.FloatVector;

/**
 * Element-wise kernels. Every op is a loop of its own (the op is switched on outside the loop) so
 * the JIT compiles each to straight code. exp, sigmoid, SiLU (forward and backward) and tanh run
 * {@link VectorMath} over whole vectors and {@link FloatMath} on the tail: both are built from
 * exactly rounded operations only and give the same bits, in the interpreter and in every JIT
 * tier, so an element's value does not depend on whether it falls in a vector or in a chunk's
 * tail (the Vector API's exp and {@link Math#exp} may change in the last bit once a loop is
 * compiled, which breaks exact resume). log goes through {@link StrictMath}.
 */
final class CpuElementwise {
    /** Elements per parallel chunk: below this, threading costs more than it saves. */
    static final int GRAIN = 1 << 15;

    private CpuElementwise() {
    }

    static void unary(UnaryOp op, float[] x, float[] y, int n) {
        Parallel.forRange(n, GRAIN, (s, e) -> unaryRange(op, x, y, s, e));
    }

    private static void unaryRange(UnaryOp op, float[] x, float[] y, int s, int e) {
        switch (op) {
            case NEG -> { for (int i = s; i < e; i++) y[i] = -x[i]; }
            case SQUARE -> { for (int i = s; i < e; i++) y[i] = x[i] * x[i]; }
            case ABS -> { for (int i = s; i < e; i++) y[i] = Math.abs(x[i]); }
            case RELU -> { for (int i = s; i < e; i++) y[i] = Math.max(x[i], 0f); }
            case SQRT -> { for (int i = s; i < e; i++) y[i] = (float) Math.sqrt(x[i]); }
            case RSQRT -> { for (int i = s; i < e; i++) y[i] = (float) (1.0 / Math.sqrt(x[i])); }
            case LOG -> { for (int i = s; i < e; i++) y[i] = (float) StrictMath.log(x[i]); }
            case EXP -> expRange(x, y, s, e);
            case SIGMOID -> sigmoidRange(x, y, s, e);
            case SILU -> siluRange(x, y, s, e);
            case TANH -> tanhRange(x, y, s, e);
        }
    }

    static void expRange(float[] x, float[] y, int s, int e) {
        int i = s;
        for (int end = s + S.loopBound(e - s); i < end; i += L) {
            VectorMath.exp(FloatVector.fromArray(S, x, i)).intoArray(y, i);
        }
        for (; i < e; i++) {
            y[i] = FloatMath.exp(x[i]);
        }
    }

    /** sigmoid(x). (SiLU has its own loop: the two in one method outgrow C2's inlining budget.) */
    private static void sigmoidRange(float[] x, float[] y, int s, int e) {
        int i = s;
        for (int end = s + S.loopBound(e - s); i < end; i += L) {
            VectorMath.sigmoid(FloatVector.fromArray(S, x, i)).intoArray(y, i);
        }
        for (; i < e; i++) {
            y[i] = FloatMath.sigmoid(x[i]);
        }
    }

    /** silu(x) = x * sigmoid(x). */
    private static void siluRange(float[] x, float[] y, int s, int e) {
        int i = s;
        for (int end = s + S.loopBound(e - s); i < end; i += L) {
            VectorMath.silu(FloatVector.fromArray(S, x, i)).intoArray(y, i);
        }
        for (; i < e; i++) {
            y[i] = FloatMath.silu(x[i]);
        }
    }

    private static void tanhRange(float[] x, float[] y, int s, int e) {
        int i = s;
        for (int end = s + S.loopBound(e - s); i < end; i += L) {
            VectorMath.tanh(FloatVector.fromArray(S, x, i)).intoArray(y, i);
        }
        for (; i < e; i++) {
            y[i] = FloatMath.tanh(x[i]);
        }
    }

    static void unaryBackward(UnaryOp op, float[] x, float[] y, float[] gy, float[] gx, int n) {
        Parallel.forRange(n, GRAIN, (s, e) -> {
            switch (op) {
                case SILU -> siluBackwardRange(x, gy, gx, s, e);
                case SIGMOID -> { for (int i = s; i < e; i++) gx[i] = gy[i] * y[i] * (1f - y[i]); }
                case TANH -> { for (int i = s; i < e; i++) gx[i] = gy[i] * (1f - y[i] * y[i]); }
                case EXP -> { for (int i = s; i < e; i++) gx[i] = gy[i] * y[i]; }
                case RELU -> { for (int i = s; i < e; i++) gx[i] = x[i] > 0f ? gy[i] : 0f; }
                case SQUARE -> { for (int i = s; i < e; i++) gx[i] = 2f * x[i] * gy[i]; }
                case NEG -> { for (int i = s; i < e; i++) gx[i] = -gy[i]; }
                case ABS, LOG, SQRT, RSQRT -> { for (int i = s; i < e; i++) gx[i] = gy[i] * op.derivative(x[i], y[i]); }
            }
        });
    }

    /** gx = gy * silu'(x), the derivative recomputed from x. */
    private static void siluBackwardRange(float[] x, float[] gy, float[] gx, int s, int e) {
        int i = s;
        for (int end = s + S.loopBound(e - s); i < end; i += L) {
            FloatVector.fromArray(S, gy, i).mul(VectorMath.siluDerivative(FloatVector.fromArray(S, x, i)))
                    .intoArray(gx, i);
        }
        for (; i < e; i++) {
            gx[i] = gy[i] * FloatMath.siluDerivative(x[i]);
        }
    }

    static void scalar(BinaryOp op, float[] x, float c, boolean scalarFirst, float[] y, int n) {
        Parallel.forRange(n, GRAIN, (s, e) -> rowScalar(op, x, s, c, scalarFirst, y, s, e - s));
    }

    static void clamp(float[] x, float lo, float hi, float[] y, int n) {
        Parallel.forRange(n, GRAIN, (s, e) -> {
            for (int i = s; i < e; i++) {
                y[i] = Math.min(Math.max(x[i], lo), hi);
            }
        });
    }

    /** out[oo + i] = a[ao + i] op b[bo + i] for i in [0, len). */
    static void rowRow(BinaryOp op, float[] a, int ao, float[] b, int bo, float[] out, int oo, int len) {
        switch (op) {
            case ADD -> { for (int i = 0; i < len; i++) out[oo + i] = a[ao + i] + b[bo + i]; }
            case SUB -> { for (int i = 0; i < len; i++) out[oo + i] = a[ao + i] - b[bo + i]; }
            case MUL -> { for (int i = 0; i < len; i++) out[oo + i] = a[ao + i] * b[bo + i]; }
            case DIV -> { for (int i = 0; i < len; i++) out[oo + i] = a[ao + i] / b[bo + i]; }
            case EQ -> { for (int i = 0; i < len; i++) out[oo + i] = a[ao + i] == b[bo + i] ? 1f : 0f; }
            case GE -> { for (int i = 0; i < len; i++) out[oo + i] = a[ao + i] >= b[bo + i] ? 1f : 0f; }
        }
    }

    /** out[oo + i] = x[xo + i] op c (or c op x[xo + i] when scalarFirst). */
    static void rowScalar(BinaryOp op, float[] x, int xo, float c, boolean scalarFirst, float[] out, int oo, int len) {
        if (!scalarFirst) {
            switch (op) {
                case ADD -> { for (int i = 0; i < len; i++) out[oo + i] = x[xo + i] + c; }
                case SUB -> { for (int i = 0; i < len; i++) out[oo + i] = x[xo + i] - c; }
                case MUL -> { for (int i = 0; i < len; i++) out[oo + i] = x[xo + i] * c; }
                case DIV -> { for (int i = 0; i < len; i++) out[oo + i] = x[xo + i] / c; }
                case EQ -> { for (int i = 0; i < len; i++) out[oo + i] = x[xo + i] == c ? 1f : 0f; }
                case GE -> { for (int i = 0; i < len; i++) out[oo + i] = x[xo + i] >= c ? 1f : 0f; }
            }
        } else {
            switch (op) {
                case ADD -> { for (int i = 0; i < len; i++) out[oo + i] = c + x[xo + i]; }
                case SUB -> { for (int i = 0; i < len; i++) out[oo + i] = c - x[xo + i]; }
                case MUL -> { for (int i = 0; i < len; i++) out[oo + i] = c * x[xo + i]; }
                case DIV -> { for (int i = 0; i < len; i++) out[oo + i] = c / x[xo + i]; }
                case EQ -> { for (int i = 0; i < len; i++) out[oo + i] = c == x[xo + i] ? 1f : 0f; }
                case GE -> { for (int i = 0; i < len; i++) out[oo + i] = c >= x[xo + i] ? 1f : 0f; }
            }
        }
    }

    /**
     * Broadcasting binary op. Axes are coalesced where both operands are laid out alike, then the
     * last (longest possible) axis is the inner loop: row-row, row-scalar or scalar-row.
     */
    static void binary(BinaryOp op, float[] a, Shape as, float[] b, Shape bs, float[] out, Shape os) {
        int n = os.size();
        if (as.equals(os) && bs.equals(os)) {
            Parallel.forRange(n, GRAIN, (s, e) -> rowRow(op, a, s, b, s, out, s, e - s));
            return;
        }
        if (bs.numel() == 1 && as.equals(os)) {
            float c = b[0];
            Parallel.forRange(n, GRAIN, (s, e) -> rowScalar(op, a, s, c, false, out, s, e - s));
            return;
        }
        if (as.numel() == 1 && bs.equals(os)) {
            float c = a[0];
            Parallel.forRange(n, GRAIN, (s, e) -> rowScalar(op, b, s, c, true, out, s, e - s));
            return;
        }
        Broadcast bc = Broadcast.of(as, bs, os);
        int inner = bc.dims[bc.rank - 1];
        int outer = inner == 0 ? 0 : n / inner;
        int sa = (int) bc.strideA[bc.rank - 1];
        int sb = (int) bc.strideB[bc.rank - 1];
        Parallel.forRange(outer, Math.max(1, GRAIN / Math.max(1, inner)), (s, e) -> {
            for (int o = s; o < e; o++) {
                long ao = bc.offsetA(o);
                long bo = bc.offsetB(o);
                int oo = o * inner;
                if (sa == 1 && sb == 1) {
                    rowRow(op, a, (int) ao, b, (int) bo, out, oo, inner);
                } else if (sa == 1) {
                    rowScalar(op, a, (int) ao, b[(int) bo], false, out, oo, inner);
                } else if (sb == 1) {
                    rowScalar(op, b, (int) bo, a[(int) ao], true, out, oo, inner);
                } else {
                    float r = op.apply(a[(int) ao], b[(int) bo]);
                    java.util.Arrays.fill(out, oo, oo + inner, r);
                }
            }
        });
    }

    /** Coalesced broadcast geometry: output dims and the element strides of a and b (0 where broadcast). */
    static final class Broadcast {
        final int rank;
        final int[] dims;
        final long[] strideA;
        final long[] strideB;

        private Broadcast(int[] dims, long[] sa, long[] sb) {
            this.rank = dims.length;
            this.dims = dims;
            this.strideA = sa;
            this.strideB = sb;
        }

        static Broadcast of(Shape as, Shape bs, Shape os) {
            int r = Math.max(1, os.rank());
            int[] od = r == os.rank() ? os.dims() : new int[] {1};
            int[] ad = as.padTo(r);
            int[] bd = bs.padTo(r);
            long[] sa = stridesWithBroadcast(ad);
            long[] sb = stridesWithBroadcast(bd);
            // coalesce adjacent axes i-1, i when both operands step through them as one axis
            int[] d = new int[r];
            long[] a = new long[r];
            long[] b = new long[r];
            int k = 0;
            for (int i = 0; i < r; i++) {
                if (od[i] == 1 && r > 1) {
                    continue; // size-1 output axes carry no iteration
                }
                if (k > 0 && a[k - 1] == sa[i] * od[i] && b[k - 1] == sb[i] * od[i]) {
                    d[k - 1] *= od[i];
                    a[k - 1] = sa[i];
                    b[k - 1] = sb[i];
                } else {
                    d[k] = od[i];
                    a[k] = sa[i];
                    b[k] = sb[i];
                    k++;
                }
            }
            if (k == 0) {
                return new Broadcast(new int[] {1}, new long[] {0}, new long[] {0});
            }
            return new Broadcast(java.util.Arrays.copyOf(d, k), java.util.Arrays.copyOf(a, k),
                    java.util.Arrays.copyOf(b, k));
        }

        private static long[] stridesWithBroadcast(int[] dims) {
            long[] s = new long[dims.length];
            long acc = 1;
            for (int i = dims.length - 1; i >= 0; i--) {
                s[i] = dims[i] == 1 ? 0 : acc;
                acc *= dims[i];
            }
            return s;
        }

        /** Offset in a of the start of outer row o (all axes but the last). */
        long offsetA(int o) {
            return offset(o, strideA);
        }

        long offsetB(int o) {
            return offset(o, strideB);
        }

        private long offset(int o, long[] st) {
            long off = 0;
            for (int i = rank - 2; i >= 0; i--) {
                int idx = o % dims[i];
                o /= dims[i];
                off += idx * st[i];
            }
            return off;
        }
    }
}

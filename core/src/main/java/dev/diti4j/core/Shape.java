package dev.diti4j.core;

import java.util.Arrays;

/**
 * The dimensions of a tensor, outermost first (row-major). Immutable; a rank-0 shape is a scalar.
 *
 * <p>Broadcasting follows NumPy: shapes are aligned at their last axis and each pair of sizes
 * must be equal or one of them 1.
 */
public final class Shape {
    private static final Shape SCALAR = new Shape(new int[0]);
    private final int[] dims;
    private final long numel;

    private Shape(int[] dims) {
        long n = 1;
        for (int d : dims) {
            if (d < 0) {
                throw new IllegalArgumentException("negative dimension in shape " + Arrays.toString(dims));
            }
            n = Math.multiplyExact(n, d);
        }
        this.dims = dims;
        this.numel = n;
    }

    /** A shape with the given dimensions (copied). */
    public static Shape of(int... dims) {
        return dims.length == 0 ? SCALAR : new Shape(dims.clone());
    }

    public static Shape scalar() {
        return SCALAR;
    }

    public int rank() {
        return dims.length;
    }

    /** Size of an axis; negative axes count from the end. */
    public int dim(int axis) {
        return dims[normalizeAxis(axis)];
    }

    public int[] dims() {
        return dims.clone();
    }

    public long numel() {
        return numel;
    }

    /** Element count as an int, for buffers indexed by int; fails beyond 2^31-1 elements. */
    public int size() {
        if (numel > Integer.MAX_VALUE) {
            throw new IllegalStateException("tensor of shape " + this + " has more than 2^31-1 elements");
        }
        return (int) numel;
    }

    /** Row-major strides in elements. */
    public long[] strides() {
        long[] s = new long[dims.length];
        long acc = 1;
        for (int i = dims.length - 1; i >= 0; i--) {
            s[i] = acc;
            acc *= dims[i];
        }
        return s;
    }

    /** Resolves a possibly negative axis, or returns -1 when it is out of range. */
    public int axisOrMinusOne(int axis) {
        int a = axis < 0 ? axis + dims.length : axis;
        return a < 0 || a >= dims.length ? -1 : a;
    }

    private int normalizeAxis(int axis) {
        int a = axisOrMinusOne(axis);
        if (a < 0) {
            throw new IndexOutOfBoundsException("axis " + axis + " out of range for shape " + this);
        }
        return a;
    }

    /** Product of dimensions in [from, to). */
    public long product(int from, int to) {
        long p = 1;
        for (int i = from; i < to; i++) {
            p *= dims[i];
        }
        return p;
    }

    /** The same shape with one axis replaced. */
    public Shape with(int axis, int size) {
        int[] d = dims.clone();
        d[normalizeAxis(axis)] = size;
        return new Shape(d);
    }

    /** The broadcast of two shapes, or null when they do not broadcast. */
    public static Shape broadcastOrNull(Shape a, Shape b) {
        int r = Math.max(a.rank(), b.rank());
        int[] out = new int[r];
        for (int i = 0; i < r; i++) {
            int da = i < r - a.rank() ? 1 : a.dims[i - (r - a.rank())];
            int db = i < r - b.rank() ? 1 : b.dims[i - (r - b.rank())];
            if (da == db || db == 1) {
                out[i] = da;
            } else if (da == 1) {
                out[i] = db;
            } else {
                return null;
            }
        }
        return new Shape(out);
    }

    /** Dimensions of this shape left-padded with 1s to the given rank. */
    public int[] padTo(int rank) {
        int[] out = new int[rank];
        int off = rank - dims.length;
        for (int i = 0; i < rank; i++) {
            out[i] = i < off ? 1 : dims[i - off];
        }
        return out;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Shape s && Arrays.equals(dims, s.dims);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(dims);
    }

    /** Formats as {@code (2,3,4)}; a scalar prints as {@code ()}. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("(");
        for (int i = 0; i < dims.length; i++) {
            if (i > 0) {
                sb.append(',');
            }
            sb.append(dims[i]);
        }
        return sb.append(')').toString();
    }
}

package dev.diti4j.core;

import dev.diti4j.core.backend.Backend;
import dev.diti4j.core.backend.Storage;

/** Shape ops: reshape (free), permute, slice, concat, gather (copies). */
final class Shaping {
    private Shaping() {
    }

    static Tensor reshape(Tensor x, int... dims) {
        Checks.live("reshape", x);
        int[] d = dims.clone();
        int infer = -1;
        long known = 1;
        for (int i = 0; i < d.length; i++) {
            if (d[i] == -1) {
                if (infer >= 0) {
                    throw new TensorException.BadArgument("reshape", "more than one -1 in "
                            + java.util.Arrays.toString(dims) + " for " + x.shape(), x.device());
                }
                infer = i;
            } else if (d[i] < 0) {
                throw new TensorException.BadArgument("reshape", "negative dimension in "
                        + java.util.Arrays.toString(dims), x.device());
            } else {
                known *= d[i];
            }
        }
        if (infer >= 0) {
            if (known == 0 || x.numel() % known != 0) {
                throw new TensorException.ShapeMismatch("reshape", x.shape() + " (" + x.numel()
                        + " elements) cannot be viewed as " + java.util.Arrays.toString(dims), x.device());
            }
            d[infer] = (int) (x.numel() / known);
            known *= d[infer];
        }
        if (known != x.numel()) {
            throw new TensorException.ShapeMismatch("reshape", x.shape() + " (" + x.numel() + " elements) cannot be viewed as "
                    + Shape.of(d) + " (" + known + " elements)", x.device());
        }
        Shape s = Shape.of(d);
        if (s.equals(x.shape())) {
            return x;
        }
        Storage st = x.storage();
        st.retain();
        return Tensor.result(x.backend(), s, st, "reshape", new Tensor[] {x},
                (gy, y) -> new Tensor[] {gy.reshape(x.shape().dims())}, Node.READS_NONE);
    }

    static Tensor permute(Tensor x, int... perm) {
        Checks.live("permute", x);
        int r = x.rank();
        if (perm.length != r) {
            throw new TensorException.BadAxis("permute", "permutation " + java.util.Arrays.toString(perm)
                    + " has " + perm.length + " axes but the input " + x.shape() + " has " + r, x.device());
        }
        boolean[] seen = new boolean[r];
        int[] p = new int[r];
        int[] inv = new int[r];
        int[] dims = new int[r];
        boolean identity = true;
        for (int i = 0; i < r; i++) {
            int a = x.shape().axisOrMinusOne(perm[i]);
            if (a < 0 || seen[a]) {
                throw new TensorException.BadAxis("permute", java.util.Arrays.toString(perm)
                        + " is not a permutation of the axes of " + x.shape(), x.device());
            }
            seen[a] = true;
            p[i] = a;
            inv[a] = i;
            dims[i] = x.shape().dim(a);
            identity &= a == i;
        }
        if (identity) {
            return x;
        }
        Backend b = x.backend();
        Shape s = Shape.of(dims);
        Storage out = b.allocate(s.numel());
        b.permute(x.storage(), x.shape(), p, out);
        return Tensor.result(b, s, out, "permute", new Tensor[] {x}, (gy, y) -> new Tensor[] {gy.permute(inv)},
                Node.READS_NONE);
    }

    static Tensor transpose(Tensor x, int a, int c) {
        int ra = Checks.axis("transpose", x, a);
        int rc = Checks.axis("transpose", x, c);
        int[] perm = new int[x.rank()];
        for (int i = 0; i < perm.length; i++) {
            perm[i] = i;
        }
        perm[ra] = rc;
        perm[rc] = ra;
        return permute(x, perm);
    }

    static Tensor slice(Tensor x, int axis, int start, int end) {
        Checks.live("slice", x);
        int a = Checks.axis("slice", x, axis);
        int n = x.dim(a);
        if (start < 0 || end > n || start > end) {
            throw new TensorException.BadArgument("slice", "range [" + start + ", " + end + ") outside axis " + axis
                    + " of size " + n + " of " + x.shape(), x.device());
        }
        if (start == 0 && end == n) {
            return x;
        }
        Backend b = x.backend();
        Shape s = x.shape().with(a, end - start);
        Storage out = b.allocate(s.numel());
        b.copyAlongAxis(x.storage(), x.shape(), start, out, s, 0, a, end - start);
        return Tensor.result(b, s, out, "slice", new Tensor[] {x}, (gy, y) -> {
            Storage gx = b.allocate(x.numel());
            b.fill(gx, x.numel(), 0f);
            b.copyAlongAxis(gy.storage(), gy.shape(), 0, gx, x.shape(), start, a, end - start);
            return new Tensor[] {new Tensor(x.shape(), gx, b, null)};
        }, Node.READS_NONE);
    }

    static Tensor concat(int axis, Tensor... parts) {
        if (parts.length == 0) {
            throw new TensorException.BadArgument("concat", "needs at least one tensor", null);
        }
        Tensor first = parts[0];
        Checks.live("concat", parts);
        int a = Checks.axis("concat", first, axis);
        int total = 0;
        for (Tensor t : parts) {
            Checks.sameDevice("concat", first, t);
            if (t.rank() != first.rank()) {
                throw new TensorException.RankMismatch("concat", "parts " + first.shape() + " and " + t.shape()
                        + " differ in rank", first.device());
            }
            for (int i = 0; i < first.rank(); i++) {
                if (i != a && t.dim(i) != first.dim(i)) {
                    throw new TensorException.ShapeMismatch("concat", "parts " + first.shape() + " and " + t.shape()
                            + " differ on axis " + i + " (concatenating along axis " + a + ")", first.device());
                }
            }
            total += t.dim(a);
        }
        if (parts.length == 1) {
            return first;
        }
        Backend b = first.backend();
        Shape s = first.shape().with(a, total);
        Storage out = b.allocate(s.numel());
        int[] offsets = new int[parts.length];
        int off = 0;
        for (int i = 0; i < parts.length; i++) {
            offsets[i] = off;
            b.copyAlongAxis(parts[i].storage(), parts[i].shape(), 0, out, s, off, a, parts[i].dim(a));
            off += parts[i].dim(a);
        }
        Tensor[] inputs = parts.clone();
        return Tensor.result(b, s, out, "concat", inputs, (gy, y) -> {
            Tensor[] g = new Tensor[inputs.length];
            for (int i = 0; i < inputs.length; i++) {
                if (inputs[i].requiresGrad()) {
                    g[i] = gy.slice(a, offsets[i], offsets[i] + inputs[i].dim(a));
                }
            }
            return g;
        }, Node.READS_NONE);
    }

    static Tensor gather(Tensor x, int[] idx) {
        Checks.live("gather", x);
        Checks.rankAtLeast("gather", "input", x, 1);
        int rows = x.dim(0);
        for (int i : idx) {
            if (i < 0 || i >= rows) {
                throw new TensorException.BadArgument("gather", "index " + i + " out of range for axis 0 of "
                        + x.shape(), x.device());
            }
        }
        int[] idxCopy = idx.clone();
        Backend b = x.backend();
        Shape s = x.shape().with(0, idx.length);
        Storage out = b.allocate(s.numel());
        b.gatherRows(x.storage(), x.shape(), idxCopy, out);
        int rowLen = rows == 0 ? 0 : (int) (x.numel() / rows);
        return Tensor.result(b, s, out, "gather", new Tensor[] {x}, (gy, y) -> {
            Storage gx = b.allocate(x.numel());
            b.scatterAddRows(gy.storage(), idxCopy, rowLen, gx, rows);
            return new Tensor[] {new Tensor(x.shape(), gx, b, null)};
        }, Node.READS_NONE);
    }
}

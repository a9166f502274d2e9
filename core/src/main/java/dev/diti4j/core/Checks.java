package dev.diti4j.core;

/** Argument validation shared by the ops; every failure names the op, shapes and device. */
final class Checks {
    private Checks() {
    }

    static void live(String op, Tensor... ts) {
        for (Tensor t : ts) {
            if (t != null) {
                t.checkLive(op);
            }
        }
    }

    static void sameDevice(String op, Tensor a, Tensor b) {
        if (b != null && !a.device().equals(b.device())) {
            throw new TensorException.DeviceMismatch(op, a.shape() + " on " + a.device() + " vs " + b.shape() + " on "
                    + b.device(), a.device());
        }
    }

    static void rank(String op, String what, Tensor t, int rank) {
        if (t.rank() != rank) {
            throw new TensorException.RankMismatch(op, what + " must have rank " + rank + ", got " + t.shape(), t.device());
        }
    }

    static void rankAtLeast(String op, String what, Tensor t, int rank) {
        if (t.rank() < rank) {
            throw new TensorException.RankMismatch(op, what + " must have rank >= " + rank + ", got " + t.shape(),
                    t.device());
        }
    }

    /** Resolves an axis (negative from the end) or throws BadAxis. */
    static int axis(String op, Tensor t, int axis) {
        int a = t.shape().axisOrMinusOne(axis);
        if (a < 0) {
            throw new TensorException.BadAxis(op, "axis " + axis + " out of range for " + t.shape(), t.device());
        }
        return a;
    }

    static Shape broadcast(String op, Tensor a, Tensor b) {
        Shape s = Shape.broadcastOrNull(a.shape(), b.shape());
        if (s == null) {
            throw new TensorException.NotBroadcastable(op, a.shape() + " and " + b.shape(), a.device());
        }
        return s;
    }
}

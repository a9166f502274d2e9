package dev.diti4j.core;

/**
 * Base of every error the engine raises for a bad call. The message is one sentence that names
 * the kind of error, the op, the shapes involved and the device, for example
 * {@code ShapeMismatch: conv2d weight (64,3,3,3) vs input (8,1,32,32): channels 3 != 1 [cpu]}.
 */
public class TensorException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final String op;

    protected TensorException(String kind, String op, String detail, Device device) {
        super(kind + ": " + op + " " + detail + (device == null ? "" : " [" + device + "]"));
        this.op = op;
    }

    /** The op that rejected its arguments. */
    public String op() {
        return op;
    }

    /** Shapes disagree where they must match (channels, inner dimensions, element counts). */
    public static final class ShapeMismatch extends TensorException {
        private static final long serialVersionUID = 1L;

        public ShapeMismatch(String op, String detail, Device device) {
            super("ShapeMismatch", op, detail, device);
        }
    }

    /** A tensor has the wrong number of dimensions for the op. */
    public static final class RankMismatch extends TensorException {
        private static final long serialVersionUID = 1L;

        public RankMismatch(String op, String detail, Device device) {
            super("RankMismatch", op, detail, device);
        }
    }

    /** An axis (or permutation) is out of range or repeated. */
    public static final class BadAxis extends TensorException {
        private static final long serialVersionUID = 1L;

        public BadAxis(String op, String detail, Device device) {
            super("BadAxis", op, detail, device);
        }
    }

    /** Two shapes cannot be broadcast together. */
    public static final class NotBroadcastable extends TensorException {
        private static final long serialVersionUID = 1L;

        public NotBroadcastable(String op, String detail, Device device) {
            super("NotBroadcastable", op, detail, device);
        }
    }

    /** Operands live on different devices. */
    public static final class DeviceMismatch extends TensorException {
        private static final long serialVersionUID = 1L;

        public DeviceMismatch(String op, String detail, Device device) {
            super("DeviceMismatch", op, detail, device);
        }
    }

    /** An argument value is invalid (negative size, probability outside [0,1), index out of range). */
    public static final class BadArgument extends TensorException {
        private static final long serialVersionUID = 1L;

        public BadArgument(String op, String detail, Device device) {
            super("BadArgument", op, detail, device);
        }
    }

    /** A tensor was used after the scope that owned it closed. */
    public static final class Released extends TensorException {
        private static final long serialVersionUID = 1L;

        public Released(String op, String detail, Device device) {
            super("Released", op, detail, device);
        }
    }

    /** A gradient was requested where none can be computed. */
    public static final class NoGradient extends TensorException {
        private static final long serialVersionUID = 1L;

        public NoGradient(String op, String detail, Device device) {
            super("NoGradient", op, detail, device);
        }
    }
}

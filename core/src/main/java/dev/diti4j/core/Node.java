package dev.diti4j.core;

/**
 * One recorded op of the autograd graph: the inputs it read and how to turn the gradient of its
 * output into gradients of those inputs.
 */
final class Node {
    /** Reads-mask bit: the backward reads the op's output (see {@code Tensor.result}). */
    static final int READS_OUTPUT = 1 << 31;
    /** The backward may read every input and the output (the safe default). */
    static final int READS_ALL = -1;
    /** The backward reads no values, only shapes and flags (sums, copies, reshapes). */
    static final int READS_NONE = 0;

    final String op;
    final Tensor[] inputs;
    final Backward backward;

    Node(String op, Tensor[] inputs, Backward backward) {
        this.op = op;
        this.inputs = inputs;
        this.backward = backward;
    }

    /** The local chain rule of an op, written with other tensor ops (runs with recording off). */
    @FunctionalInterface
    interface Backward {
        /**
         * @param gy  gradient of the loss with respect to the op's output (same shape as y)
         * @param y   the op's output
         * @return one gradient per input, shaped like that input; null where the input gets none
         */
        Tensor[] apply(Tensor gy, Tensor y);
    }
}

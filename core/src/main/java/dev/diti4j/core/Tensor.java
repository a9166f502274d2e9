package dev.diti4j.core;

import dev.diti4j.core.backend.Backend;
import dev.diti4j.core.backend.Backends;
import dev.diti4j.core.backend.Storage;
import dev.diti4j.core.ops.BinaryOp;
import dev.diti4j.core.ops.Distribution;
import dev.diti4j.core.ops.ReduceOp;
import dev.diti4j.core.ops.UnaryOp;
import dev.diti4j.core.random.Philox;
import java.util.Arrays;

/**
 * An n-dimensional float32 array on one device: a {@link Shape} and a contiguous row-major
 * {@link Storage}. Tensors are immutable values (ops return new tensors; only
 * {@link #assign(Tensor)} writes in place, for optimizers). A reshape shares its input's
 * storage; every other op allocates.
 *
 * <p>Ops on tensors that require a gradient record a graph (unless {@link GradMode#off()} is
 * active); {@link #backward()} walks it and returns the {@link Gradients}.
 *
 * <p>Every op validates its arguments and throws a {@link TensorException} subclass whose message
 * names the op, the shapes and the device.
 */
public final class Tensor {
    private final Shape shape;
    private final Storage storage;
    private final Backend backend;
    final Node gradFn;
    private boolean requiresGrad;
    private volatile boolean released;
    /** The scope that will release this tensor, or null. Written by {@link Scope} only. */
    Scope owner;
    /** Recorded backward rules that read this tensor's values (see {@link #free()}). */
    private volatile int readers;
    private static final java.lang.invoke.VarHandle READERS;

    static {
        try {
            READERS = java.lang.invoke.MethodHandles.lookup().findVarHandle(Tensor.class, "readers", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    Tensor(Shape shape, Storage storage, Backend backend, Node gradFn) {
        this.shape = shape;
        this.storage = storage;
        this.backend = backend;
        this.gradFn = gradFn;
        this.requiresGrad = gradFn != null;
        Scope s = Scope.current();
        if (s != null) {
            s.adopt(this);
        }
    }

    // ---- construction ---------------------------------------------------------------------

    /** A new CPU tensor holding a copy of {@code data}, with the given dimensions. */
    public static Tensor of(float[] data, int... dims) {
        return of(Device.CPU, data, dims);
    }

    /** A new tensor on {@code device} holding a copy of {@code data}. */
    public static Tensor of(Device device, float[] data, int... dims) {
        return of(Backends.get(device), data, dims);
    }

    /** A new tensor on a given backend holding a copy of {@code data}. */
    public static Tensor of(Backend b, float[] data, int... dims) {
        Shape s = checkedShape("of", dims, b.device());
        if (s.numel() != data.length) {
            throw new TensorException.ShapeMismatch("of", "data has " + data.length + " values but shape " + s
                    + " needs " + s.numel(), b.device());
        }
        return new Tensor(s, b.upload(data, data.length), b, null);
    }

    /** A rank-0 CPU tensor. */
    public static Tensor scalar(float v) {
        return of(new float[] {v});
    }

    public static Tensor zeros(int... dims) {
        return full(Device.CPU, 0f, dims);
    }

    public static Tensor zeros(Device device, int... dims) {
        return full(device, 0f, dims);
    }

    public static Tensor ones(Device device, int... dims) {
        return full(device, 1f, dims);
    }

    public static Tensor full(Device device, float value, int... dims) {
        return full(Backends.get(device), value, dims);
    }

    /** A tensor on a given backend filled with {@code value}. */
    public static Tensor full(Backend b, float value, int... dims) {
        Shape s = checkedShape("full", dims, b.device());
        Storage st = b.allocate(s.numel());
        b.fill(st, s.numel(), value);
        return new Tensor(s, st, b, null);
    }

    /** Standard normal values from the generator (see {@link Philox} for the stream). */
    public static Tensor randn(Philox rng, Device device, int... dims) {
        return random(Distribution.NORMAL, rng, device, dims);
    }

    /** Uniform values in [0, 1) from the generator. */
    public static Tensor rand(Philox rng, Device device, int... dims) {
        return random(Distribution.UNIFORM, rng, device, dims);
    }

    /** Standard normal values on a given backend. */
    public static Tensor randn(Philox rng, Backend b, int... dims) {
        return random(Distribution.NORMAL, rng, b, dims);
    }

    /** Uniform values in [0, 1) on a given backend. */
    public static Tensor rand(Philox rng, Backend b, int... dims) {
        return random(Distribution.UNIFORM, rng, b, dims);
    }

    private static Tensor random(Distribution d, Philox rng, Device device, int... dims) {
        return random(d, rng, Backends.get(device), dims);
    }

    private static Tensor random(Distribution d, Philox rng, Backend b, int... dims) {
        Shape s = checkedShape(d == Distribution.NORMAL ? "randn" : "rand", dims, b.device());
        Storage st = b.allocate(s.numel());
        b.random(d, rng.key(), rng.reserve(s.numel()), st, s.numel());
        return new Tensor(s, st, b, null);
    }

    private static Shape checkedShape(String op, int[] dims, Device device) {
        for (int d : dims) {
            if (d < 0) {
                throw new TensorException.BadArgument(op, "negative dimension in " + Arrays.toString(dims), device);
            }
        }
        return Shape.of(dims);
    }

    /** Internal: a result tensor whose backward may read every input and the output. */
    static Tensor result(Backend b, Shape s, Storage st, String op, Tensor[] inputs, Node.Backward bw) {
        return result(b, s, st, op, inputs, bw, Node.READS_ALL);
    }

    /**
     * Internal: a result tensor with its graph node (when recording and any input needs it).
     * {@code reads} says which values the backward reads: bit k for {@code inputs[k]},
     * {@link Node#READS_OUTPUT} for the result; each read tensor counts one more reader, which
     * keeps {@link #free()} from releasing it while the graph may still need it.
     */
    static Tensor result(Backend b, Shape s, Storage st, String op, Tensor[] inputs, Node.Backward bw, int reads) {
        Node node = null;
        if (bw != null && GradMode.isEnabled()) {
            for (Tensor in : inputs) {
                if (in.requiresGrad) {
                    node = new Node(op, inputs, bw);
                    break;
                }
            }
        }
        Tensor t = new Tensor(s, st, b, node);
        if (node != null) {
            for (int k = 0; k < inputs.length; k++) {
                if (reads == Node.READS_ALL || (k < 31 && (reads & (1 << k)) != 0)) {
                    READERS.getAndAdd(inputs[k], 1);
                }
            }
            if ((reads & Node.READS_OUTPUT) != 0) {
                READERS.getAndAdd(t, 1);
            }
        }
        return t;
    }

    // ---- properties -----------------------------------------------------------------------

    public Shape shape() {
        return shape;
    }

    public int rank() {
        return shape.rank();
    }

    /** Size of one axis (negative axes count from the end). */
    public int dim(int axis) {
        return shape.dim(axis);
    }

    public long numel() {
        return shape.numel();
    }

    public Device device() {
        return backend.device();
    }

    public DType dtype() {
        return DType.FLOAT32;
    }

    /** The backend that computes ops on this tensor (for backend and kernel authors). */
    public Backend backend() {
        return backend;
    }

    /** The raw storage (for backend and kernel authors). Checks the tensor is still live. */
    public Storage storage() {
        checkLive("storage");
        return storage;
    }

    public boolean requiresGrad() {
        return requiresGrad;
    }

    /** Marks a leaf tensor as a variable to differentiate against; returns this. */
    public Tensor requiresGrad(boolean on) {
        if (gradFn != null && !on) {
            throw new TensorException.NoGradient("requiresGrad", "cannot switch off gradients of a computed tensor "
                    + shape + "; use detach()", device());
        }
        this.requiresGrad = on;
        return this;
    }

    /** The name of the op that produced this tensor, or null for a leaf. */
    public String producer() {
        return gradFn == null ? null : gradFn.op;
    }

    /** A tensor sharing this one's data with no graph history. */
    public Tensor detach() {
        checkLive("detach");
        storage.retain();
        return new Tensor(shape, storage, backend, null);
    }

    // ---- data access ----------------------------------------------------------------------

    /** A copy of the values, row-major. */
    public float[] toArray() {
        checkLive("toArray");
        float[] out = new float[shape.size()];
        backend.download(storage, out, out.length);
        return out;
    }

    /** The value of a one-element tensor. */
    public float item() {
        if (numel() != 1) {
            throw new TensorException.ShapeMismatch("item", "needs exactly one element, got shape " + shape, device());
        }
        return toArray()[0];
    }

    /** A copy on another device (this tensor when already there). */
    public Tensor to(Device target) {
        if (target.equals(device())) {
            return this;
        }
        float[] host = toArray();
        Backend b = Backends.get(target);
        return new Tensor(shape, b.upload(host, host.length), b, null);
    }

    /** A copy of this tensor (new storage, no history). */
    public Tensor copy() {
        checkLive("copy");
        Storage st = backend.allocate(numel());
        backend.copy(storage, 0, st, 0, numel());
        return new Tensor(shape, st, backend, null);
    }

    /**
     * Overwrites this tensor's values with {@code src}'s (same shape and device). For optimizers
     * and weight loading; not recorded by autograd.
     */
    public Tensor assign(Tensor src) {
        checkLive("assign");
        src.checkLive("assign");
        Checks.sameDevice("assign", this, src);
        if (!shape.equals(src.shape)) {
            throw new TensorException.ShapeMismatch("assign", "target " + shape + " vs source " + src.shape, device());
        }
        backend.copy(src.storage, 0, storage, 0, numel());
        return this;
    }

    /** Returns the memory to the pool now; later use of this tensor fails. */
    public void release() {
        if (!released) {
            released = true;
            storage.release();
        }
    }

    /**
     * Says that the caller will not use this tensor again. Its memory goes back to the pool now
     * unless a recorded backward rule reads its values (the input of a convolution, the output of
     * a softmax); then it stays until its scope closes, as every tensor does. Composite code (a
     * layer's forward) calls this on its private intermediates, so that a forward pass keeps only
     * what the backward pass needs: for example the product in {@code h * s + t}, which neither the
     * product's nor the sum's backward reads. Using the tensor afterwards may raise
     * {@link TensorException.Released}.
     */
    public void free() {
        if (readers == 0) {
            release();
        }
    }

    /** Whether a recorded backward rule reads this tensor's values (so {@link #free()} keeps it). */
    public boolean isSaved() {
        return readers > 0;
    }

    public boolean isReleased() {
        return released;
    }

    void checkLive(String op) {
        if (released) {
            throw new TensorException.Released(op, "tensor " + shape + " was used after its scope closed (or after free() returned it)", device());
        }
    }

    // ---- autograd -------------------------------------------------------------------------

    /** Gradients of this scalar with respect to every leaf that requires one. */
    public Gradients backward() {
        if (numel() != 1) {
            throw new TensorException.ShapeMismatch("backward", "needs a scalar loss, got shape " + shape
                    + "; pass a seed gradient", device());
        }
        return backward(Tensor.full(backend, 1f, shape.dims()));
    }

    /** Gradients given dL/dthis = {@code seed}. */
    public Gradients backward(Tensor seed) {
        checkLive("backward");
        if (!requiresGrad) {
            throw new TensorException.NoGradient("backward", "tensor " + shape
                    + " does not depend on any tensor that requires a gradient", device());
        }
        if (!seed.shape.equals(shape)) {
            throw new TensorException.ShapeMismatch("backward", "seed " + seed.shape + " vs output " + shape, device());
        }
        return Gradients.compute(this, seed);
    }

    // ---- element-wise ---------------------------------------------------------------------

    public Tensor unary(UnaryOp op) { return Elementwise.unary(op, this); }
    public Tensor neg() { return unary(UnaryOp.NEG); }
    public Tensor exp() { return unary(UnaryOp.EXP); }
    public Tensor log() { return unary(UnaryOp.LOG); }
    public Tensor sqrt() { return unary(UnaryOp.SQRT); }
    public Tensor rsqrt() { return unary(UnaryOp.RSQRT); }
    public Tensor square() { return unary(UnaryOp.SQUARE); }
    public Tensor abs() { return unary(UnaryOp.ABS); }
    public Tensor sigmoid() { return unary(UnaryOp.SIGMOID); }
    public Tensor tanh() { return unary(UnaryOp.TANH); }
    public Tensor silu() { return unary(UnaryOp.SILU); }
    public Tensor relu() { return unary(UnaryOp.RELU); }

    public Tensor binary(BinaryOp op, Tensor other) { return Elementwise.binary(op, this, other); }
    public Tensor add(Tensor o) { return binary(BinaryOp.ADD, o); }
    public Tensor sub(Tensor o) { return binary(BinaryOp.SUB, o); }
    public Tensor mul(Tensor o) { return binary(BinaryOp.MUL, o); }
    public Tensor div(Tensor o) { return binary(BinaryOp.DIV, o); }
    /** 1 where equal, else 0 (no gradient). */
    public Tensor eq(Tensor o) { return binary(BinaryOp.EQ, o); }
    /** 1 where this >= o, else 0 (no gradient). */
    public Tensor ge(Tensor o) { return binary(BinaryOp.GE, o); }

    public Tensor scalar(BinaryOp op, float s, boolean scalarFirst) { return Elementwise.scalar(op, this, s, scalarFirst); }
    public Tensor add(float s) { return scalar(BinaryOp.ADD, s, false); }
    public Tensor sub(float s) { return scalar(BinaryOp.SUB, s, false); }
    public Tensor mul(float s) { return scalar(BinaryOp.MUL, s, false); }
    public Tensor div(float s) { return scalar(BinaryOp.DIV, s, false); }
    /** s - this. */
    public Tensor rsub(float s) { return scalar(BinaryOp.SUB, s, true); }
    /** s / this. */
    public Tensor rdiv(float s) { return scalar(BinaryOp.DIV, s, true); }
    /** 1 where this >= s, else 0 (no gradient). */
    public Tensor ge(float s) { return scalar(BinaryOp.GE, s, false); }

    /** min(max(this, lo), hi); the gradient passes where lo <= x <= hi. */
    public Tensor clamp(float lo, float hi) { return Elementwise.clamp(this, lo, hi); }

    /** this * mask, with the mask (broadcastable, e.g. 0/1) treated as a constant. */
    public Tensor maskedMul(Tensor mask) { return Elementwise.maskedMul(this, mask); }

    /**
     * Inverted dropout: in training, zeroes each element with probability p and scales the rest
     * by 1/(1-p); identity otherwise.
     */
    public Tensor dropout(float p, boolean training, Philox rng) { return Elementwise.dropout(this, p, training, rng); }

    // ---- reductions -----------------------------------------------------------------------

    public Tensor reduce(ReduceOp op, boolean keepDim, int... axes) { return Reductions.reduce(op, this, keepDim, axes); }
    /** Sum over the given axes (all axes when none are given). */
    public Tensor sum(boolean keepDim, int... axes) { return reduce(ReduceOp.SUM, keepDim, axes); }
    public Tensor mean(boolean keepDim, int... axes) { return reduce(ReduceOp.MEAN, keepDim, axes); }
    public Tensor max(boolean keepDim, int... axes) { return reduce(ReduceOp.MAX, keepDim, axes); }
    /** Sum of all elements, as a scalar. */
    public Tensor sum() { return reduce(ReduceOp.SUM, false); }
    /** Mean of all elements, as a scalar. */
    public Tensor mean() { return reduce(ReduceOp.MEAN, false); }

    /** Sums a broadcast result back to {@code target} (the backward of broadcasting). */
    public Tensor sumTo(Shape target) { return Reductions.sumTo(this, target); }

    /** Broadcasts to {@code target} (copying). */
    public Tensor expand(Shape target) { return Reductions.expand(this, target); }

    public Tensor softmax() { return Reductions.softmax(this, false); }
    public Tensor logSoftmax() { return Reductions.softmax(this, true); }

    // ---- shape ----------------------------------------------------------------------------

    /** The same data with new dimensions (one may be -1); shares storage. */
    public Tensor reshape(int... dims) { return Shaping.reshape(this, dims); }
    /** Reorders axes: output axis i is input axis perm[i]. Copies. */
    public Tensor permute(int... perm) { return Shaping.permute(this, perm); }
    /** Swaps two axes. */
    public Tensor transpose(int a, int b) { return Shaping.transpose(this, a, b); }
    /** Elements [start, end) along an axis. Copies. */
    public Tensor slice(int axis, int start, int end) { return Shaping.slice(this, axis, start, end); }
    /** Joins tensors along an axis; all other axes must agree. */
    public static Tensor concat(int axis, Tensor... parts) { return Shaping.concat(axis, parts); }
    /** Rows of axis 0 picked by index (repeats allowed). */
    public Tensor gather(int[] indices) { return Shaping.gather(this, indices); }

    // ---- linear algebra -------------------------------------------------------------------

    /** Matrix product over the last two axes, batched over the leading ones. */
    public Tensor matmul(Tensor b) { return LinearAlgebra.matmul(this, b, false, false); }
    /** Matrix product with either operand's last two axes transposed. */
    public Tensor matmul(Tensor b, boolean transA, boolean transB) { return LinearAlgebra.matmul(this, b, transA, transB); }
    /** this (..., in) times weight (out, in) transposed, plus bias (out) when not null. */
    public Tensor linear(Tensor weight, Tensor bias) { return LinearAlgebra.linear(this, weight, bias); }

    // ---- vision ---------------------------------------------------------------------------

    /** 2-D convolution of NCHW input with OIHW weights; bias (cout) may be null. */
    public Tensor conv2d(Tensor weight, Tensor bias, int stride, int padding) {
        return Vision.conv2d(this, weight, bias, stride, padding);
    }
    /** 2x2 average pooling with stride 2 over the last two axes. */
    public Tensor avgPool2x2() { return Vision.avgPool2x2(this); }
    /** Nearest-neighbour 2x up-sampling of the last two axes. */
    public Tensor upsampleNearest2x() { return Vision.upsampleNearest2x(this); }
    /** Group normalisation of (n, c, ...); gamma and beta (c) may both be null. */
    public Tensor groupNorm(int groups, Tensor gamma, Tensor beta, float eps) {
        return Vision.groupNorm(this, groups, gamma, beta, eps);
    }

    @Override
    public String toString() {
        return "Tensor" + shape + "[" + device() + (requiresGrad ? ", grad" : "") + (released ? ", released" : "") + "]";
    }
}

package dev.diti4j.core.testing;

import dev.diti4j.core.Device;
import dev.diti4j.core.Shape;
import dev.diti4j.core.Tensor;
import dev.diti4j.core.backend.Backend;
import dev.diti4j.core.backend.MemoryStats;
import dev.diti4j.core.backend.Storage;
import dev.diti4j.core.ops.BinaryOp;
import dev.diti4j.core.ops.Conv2dSpec;
import dev.diti4j.core.ops.Distribution;
import dev.diti4j.core.ops.GroupNormSpec;
import dev.diti4j.core.ops.MatmulSpec;
import dev.diti4j.core.ops.ReduceOp;
import dev.diti4j.core.ops.UnaryOp;
import dev.diti4j.core.random.Philox;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The oracle every backend is checked against: plain scalar loops over {@code double[]} storage,
 * double arithmetic and accumulation everywhere, no pooling, no threads, no cleverness. Values
 * enter and leave as float32 ({@link #upload}/{@link #download}), but everything in between,
 * including the autograd graph's intermediate tensors, stays in double, so finite differences
 * taken on this backend are accurate to about 1e-9 (see {@link GradCheck}).
 *
 * <p>It serves {@link Device#CPU}: install it with {@code Backends.override(Device.CPU, ref)} to
 * run ordinary CPU code (models, losses) on it. Never mix its tensors with those of the real CPU
 * backend in one op: both report the CPU device, so the device check cannot catch it.
 *
 * <p>Fresh buffers are filled with NaN, so an op that reads memory it never wrote shows up as NaN.
 * The vision and linear-algebra kernels live in {@link ReferenceKernels}. The class is open so
 * tests can derive deliberately broken backends and show that the harness catches them.
 */
public class ReferenceBackend implements Backend {
    private final AtomicLong liveBytes = new AtomicLong();
    private final AtomicLong peakLiveBytes = new AtomicLong();
    private final AtomicLong allocations = new AtomicLong();

    /** The double buffer behind a storage of this backend (writes go straight to the tensor). */
    public static double[] data(Storage s) {
        if (!(s instanceof RefStorage r)) {
            throw new IllegalArgumentException("not a reference-backend storage: " + s.getClass().getSimpleName());
        }
        return r.data;
    }

    /** The double buffer behind a tensor of this backend, live-checked. */
    public static double[] data(Tensor t) {
        return data(t.storage());
    }

    /** A tensor's values in double: exact for the reference backend, widened floats for others. */
    public static double[] values(Tensor t) {
        if (t.storage() instanceof RefStorage r) {
            return Arrays.copyOf(r.data, (int) t.numel());
        }
        float[] f = t.toArray();
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) {
            d[i] = f[i];
        }
        return d;
    }

    private static double[] d(Storage s) {
        return ((RefStorage) s).data;
    }

    private static int n(long n) {
        return Math.toIntExact(n);
    }

    @Override
    public Device device() {
        return Device.CPU;
    }

    @Override
    public String describe() {
        return "reference (scalar loops, double precision)";
    }

    // ---- memory ---------------------------------------------------------------------------

    @Override
    public Storage allocate(long numel) {
        double[] a = new double[n(numel)];
        Arrays.fill(a, Double.NaN);
        peakLiveBytes.accumulateAndGet(liveBytes.addAndGet(8L * a.length), Math::max);
        allocations.incrementAndGet();
        return new RefStorage(a, liveBytes);
    }

    @Override
    public Storage upload(float[] data, int count) {
        Storage s = allocate(count);
        double[] a = d(s);
        for (int i = 0; i < count; i++) {
            a[i] = data[i];
        }
        return s;
    }

    @Override
    public void download(Storage src, float[] dst, int count) {
        double[] a = d(src);
        for (int i = 0; i < count; i++) {
            dst[i] = (float) a[i];
        }
    }

    @Override
    public MemoryStats memoryStats() {
        return new MemoryStats(liveBytes.get(), 0, allocations.get(), 0, peakLiveBytes.get());
    }

    @Override
    public void resetPeakLiveBytes() {
        peakLiveBytes.set(liveBytes.get());
    }

    @Override
    public void trimPool() {
        // nothing is pooled
    }

    @Override
    public void fill(Storage out, long count, float value) {
        Arrays.fill(d(out), 0, n(count), value);
    }

    @Override
    public void copy(Storage src, long srcOff, Storage dst, long dstOff, long count) {
        System.arraycopy(d(src), n(srcOff), d(dst), n(dstOff), n(count));
    }

    // ---- element-wise -----------------------------------------------------------------------

    /** f(x) in double. */
    static double unary(UnaryOp op, double x) {
        return switch (op) {
            case NEG -> -x;
            case EXP -> Math.exp(x);
            case LOG -> Math.log(x);
            case SQRT -> Math.sqrt(x);
            case RSQRT -> 1.0 / Math.sqrt(x);
            case SQUARE -> x * x;
            case ABS -> Math.abs(x);
            case SIGMOID -> 1.0 / (1.0 + Math.exp(-x));
            case TANH -> Math.tanh(x);
            case SILU -> x / (1.0 + Math.exp(-x));
            case RELU -> x > 0 ? x : 0.0;
        };
    }

    /** f'(x) in double, from x alone. */
    static double derivative(UnaryOp op, double x) {
        return switch (op) {
            case NEG -> -1.0;
            case EXP -> Math.exp(x);
            case LOG -> 1.0 / x;
            case SQRT -> 0.5 / Math.sqrt(x);
            case RSQRT -> -0.5 / (x * Math.sqrt(x));
            case SQUARE -> 2.0 * x;
            case ABS -> Math.signum(x);
            case SIGMOID -> {
                double s = 1.0 / (1.0 + Math.exp(-x));
                yield s * (1.0 - s);
            }
            case TANH -> {
                double t = Math.tanh(x);
                yield 1.0 - t * t;
            }
            case SILU -> {
                double s = 1.0 / (1.0 + Math.exp(-x));
                yield s * (1.0 + x * (1.0 - s));
            }
            case RELU -> x > 0 ? 1.0 : 0.0;
        };
    }

    static double binary(BinaryOp op, double a, double b) {
        return switch (op) {
            case ADD -> a + b;
            case SUB -> a - b;
            case MUL -> a * b;
            case DIV -> a / b;
            case EQ -> a == b ? 1.0 : 0.0;
            case GE -> a >= b ? 1.0 : 0.0;
        };
    }

    @Override
    public void unary(UnaryOp op, Storage x, Storage out, long count) {
        double[] xs = d(x);
        double[] o = d(out);
        for (int i = 0; i < count; i++) {
            o[i] = unary(op, xs[i]);
        }
    }

    @Override
    public void unaryBackward(UnaryOp op, Storage x, Storage y, Storage gy, Storage gx, long count) {
        double[] xs = d(x);
        double[] g = d(gy);
        double[] o = d(gx);
        for (int i = 0; i < count; i++) {
            o[i] = g[i] * derivative(op, xs[i]);
        }
    }

    @Override
    public void binary(BinaryOp op, Storage a, Shape aShape, Storage b, Shape bShape, Storage out, Shape outShape) {
        double[] av = d(a);
        double[] bv = d(b);
        double[] o = d(out);
        int[] od = outShape.dims();
        int[] ad = aShape.dims();
        int[] bd = bShape.dims();
        int[] idx = new int[od.length];
        for (int i = 0; i < outShape.numel(); i++) {
            Index.unravel(i, od, idx);
            o[i] = binary(op, av[Index.broadcastOffset(idx, ad)], bv[Index.broadcastOffset(idx, bd)]);
        }
    }

    @Override
    public void scalar(BinaryOp op, Storage x, float s, boolean scalarFirst, Storage out, long count) {
        double[] xs = d(x);
        double[] o = d(out);
        for (int i = 0; i < count; i++) {
            o[i] = scalarFirst ? binary(op, s, xs[i]) : binary(op, xs[i], s);
        }
    }

    @Override
    public void clamp(Storage x, float lo, float hi, Storage out, long count) {
        double[] xs = d(x);
        double[] o = d(out);
        for (int i = 0; i < count; i++) {
            o[i] = Math.min(Math.max(xs[i], lo), hi);
        }
    }

    // ---- reductions -------------------------------------------------------------------------

    @Override
    public void reduce(ReduceOp op, Storage x, Shape xShape, boolean[] axes, Storage out) {
        double[] xs = d(x);
        double[] o = d(out);
        int[] xd = xShape.dims();
        int[] od = xShape.dims();
        long count = 1;
        for (int i = 0; i < xd.length; i++) {
            if (axes[i]) {
                count *= xd[i];
                od[i] = 1;
            }
        }
        int outN = n(Shape.of(od).numel());
        double init = switch (op) {
            case SUM, MEAN -> 0.0;
            case MAX -> Double.NEGATIVE_INFINITY;
        };
        Arrays.fill(o, 0, outN, init);
        int[] idx = new int[xd.length];
        for (int i = 0; i < xShape.numel(); i++) {
            Index.unravel(i, xd, idx);
            int oi = Index.broadcastOffset(idx, od); // reduced axes have size 1 in od: index 0
            o[oi] = switch (op) {
                case SUM, MEAN -> o[oi] + xs[i];
                case MAX -> Math.max(o[oi], xs[i]);
            };
        }
        if (op == ReduceOp.MEAN) {
            for (int i = 0; i < outN; i++) {
                o[i] /= count;
            }
        }
    }

    @Override
    public void softmax(Storage x, int rows, int cols, boolean log, Storage out) {
        double[] xs = d(x);
        double[] o = d(out);
        for (int r = 0; r < rows; r++) {
            int off = r * cols;
            double m = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < cols; j++) {
                m = Math.max(m, xs[off + j]);
            }
            double z = 0;
            for (int j = 0; j < cols; j++) {
                z += Math.exp(xs[off + j] - m);
            }
            for (int j = 0; j < cols; j++) {
                o[off + j] = log ? xs[off + j] - m - Math.log(z) : Math.exp(xs[off + j] - m) / z;
            }
        }
    }

    @Override
    public void softmaxBackward(Storage y, Storage gy, int rows, int cols, boolean log, Storage gx) {
        double[] ys = d(y);
        double[] g = d(gy);
        double[] o = d(gx);
        for (int r = 0; r < rows; r++) {
            int off = r * cols;
            double s = 0;
            for (int j = 0; j < cols; j++) {
                s += log ? g[off + j] : g[off + j] * ys[off + j];
            }
            for (int j = 0; j < cols; j++) {
                // softmax: dx = y (gy - sum(gy y)); log-softmax: dx = gy - softmax(x) sum(gy)
                o[off + j] = log ? g[off + j] - Math.exp(ys[off + j]) * s : ys[off + j] * (g[off + j] - s);
            }
        }
    }

    // ---- shape ------------------------------------------------------------------------------

    @Override
    public void permute(Storage x, Shape xShape, int[] perm, Storage out) {
        double[] xs = d(x);
        double[] o = d(out);
        int r = xShape.rank();
        long[] xStride = xShape.strides();
        int[] od = new int[r];
        for (int i = 0; i < r; i++) {
            od[i] = xShape.dim(perm[i]);
        }
        int[] idx = new int[r];
        for (int i = 0; i < xShape.numel(); i++) {
            Index.unravel(i, od, idx);
            long src = 0;
            for (int a = 0; a < r; a++) {
                src += idx[a] * xStride[perm[a]]; // output axis a is input axis perm[a]
            }
            o[i] = xs[n(src)];
        }
    }

    @Override
    public void copyAlongAxis(Storage src, Shape srcShape, int srcStart, Storage dst, Shape dstShape, int dstStart,
                              int axis, int length) {
        double[] s = d(src);
        double[] o = d(dst);
        long outer = srcShape.product(0, axis);
        long inner = srcShape.product(axis + 1, srcShape.rank());
        int sAxis = srcShape.dim(axis);
        int dAxis = dstShape.dim(axis);
        for (long a = 0; a < outer; a++) {
            for (int j = 0; j < length; j++) {
                for (long q = 0; q < inner; q++) {
                    o[n((a * dAxis + dstStart + j) * inner + q)] = s[n((a * sAxis + srcStart + j) * inner + q)];
                }
            }
        }
    }

    @Override
    public void gatherRows(Storage x, Shape xShape, int[] idx, Storage out) {
        double[] xs = d(x);
        double[] o = d(out);
        int rowLen = xShape.dim(0) == 0 ? 0 : n(xShape.numel() / xShape.dim(0));
        for (int i = 0; i < idx.length; i++) {
            for (int j = 0; j < rowLen; j++) {
                o[i * rowLen + j] = xs[idx[i] * rowLen + j];
            }
        }
    }

    @Override
    public void scatterAddRows(Storage g, int[] idx, int rowLen, Storage out, int rows) {
        double[] gs = d(g);
        double[] o = d(out);
        Arrays.fill(o, 0, rows * rowLen, 0.0);
        for (int i = 0; i < idx.length; i++) {
            for (int j = 0; j < rowLen; j++) {
                o[idx[i] * rowLen + j] += gs[i * rowLen + j];
            }
        }
    }

    // ---- linear algebra and vision ------------------------------------------------------------

    @Override
    public void matmul(MatmulSpec spec, Storage a, Storage b, Storage c, boolean accumulate) {
        ReferenceKernels.matmul(spec, d(a), d(b), d(c), accumulate);
    }

    @Override
    public void conv2d(Conv2dSpec spec, Storage x, Storage w, Storage bias, Storage y) {
        ReferenceKernels.conv2d(spec, d(x), d(w), bias == null ? null : d(bias), d(y));
    }

    @Override
    public void conv2dBackwardInput(Conv2dSpec spec, Storage gy, Storage w, Storage gx) {
        ReferenceKernels.conv2dBackwardInput(spec, d(gy), d(w), d(gx));
    }

    @Override
    public void conv2dBackwardFilter(Conv2dSpec spec, Storage x, Storage gy, Storage gw, Storage gb) {
        ReferenceKernels.conv2dBackwardFilter(spec, d(x), d(gy), d(gw), gb == null ? null : d(gb));
    }

    @Override
    public void avgPool2x2(Storage x, int planes, int h, int w, Storage out) {
        ReferenceKernels.avgPool2x2(d(x), planes, h, w, d(out));
    }

    @Override
    public void upsampleNearest2x(Storage x, int planes, int h, int w, Storage out) {
        ReferenceKernels.upsampleNearest2x(d(x), planes, h, w, d(out));
    }

    @Override
    public void groupNorm(GroupNormSpec spec, Storage x, Storage gamma, Storage beta, Storage y, Storage mean,
                          Storage rstd) {
        ReferenceKernels.groupNorm(spec, d(x), gamma == null ? null : d(gamma), beta == null ? null : d(beta), d(y),
                d(mean), d(rstd));
    }

    @Override
    public void groupNormBackward(GroupNormSpec spec, Storage x, Storage gamma, Storage mean, Storage rstd,
                                  Storage gy, Storage gx, Storage ggamma, Storage gbeta) {
        ReferenceKernels.groupNormBackward(spec, d(x), gamma == null ? null : d(gamma), d(mean), d(rstd), d(gy),
                d(gx), ggamma == null ? null : d(ggamma), gbeta == null ? null : d(gbeta));
    }

    // ---- randomness -------------------------------------------------------------------------

    @Override
    public void random(Distribution dist, long key, long counter, Storage out, long count) {
        float[] tmp = new float[n(count)];
        boolean normal = switch (dist) {
            case UNIFORM -> false;
            case NORMAL -> true;
        };
        Philox.fill(normal, key, counter, tmp, 0, tmp.length);
        double[] o = d(out);
        for (int i = 0; i < tmp.length; i++) {
            o[i] = tmp[i];
        }
    }
}

package dev.diti4j.core.cpu;

import dev.diti4j.core.Device;
import dev.diti4j.core.Shape;
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
import jdk.incubator.vector.FloatVector;

/**
 * The CPU backend: float arrays from a pool, SIMD kernels through the Vector API, one fixed
 * worker pool ({@link Parallel}). Each op family lives in its own kernel class.
 */
public final class CpuBackend implements Backend {
    private final BufferPool pool = new BufferPool();

    @Override
    public Device device() {
        return Device.CPU;
    }

    @Override
    public String describe() {
        return "cpu (" + Parallel.THREADS + " threads, " + FloatVector.SPECIES_PREFERRED.vectorBitSize() + "-bit SIMD)";
    }

    private static float[] a(Storage s) {
        return ((CpuStorage) s).data;
    }

    private static int n(long n) {
        return Math.toIntExact(n);
    }

    // ---- memory ---------------------------------------------------------------------------

    @Override
    public Storage allocate(long numel) {
        int len = n(numel);
        float[] arr = pool.take(len);
        return new CpuStorage(arr != null ? arr : pool.fresh(len), pool);
    }

    @Override
    public Storage upload(float[] data, int count) {
        Storage s = allocate(count);
        System.arraycopy(data, 0, a(s), 0, count);
        return s;
    }

    @Override
    public void download(Storage src, float[] dst, int count) {
        System.arraycopy(a(src), 0, dst, 0, count);
    }

    @Override
    public MemoryStats memoryStats() {
        return pool.stats();
    }

    @Override
    public void resetPeakLiveBytes() {
        pool.resetPeak();
    }

    @Override
    public void trimPool() {
        pool.trim();
    }

    @Override
    public void fill(Storage out, long count, float value) {
        java.util.Arrays.fill(a(out), 0, n(count), value);
    }

    @Override
    public void copy(Storage src, long srcOff, Storage dst, long dstOff, long count) {
        System.arraycopy(a(src), n(srcOff), a(dst), n(dstOff), n(count));
    }

    // ---- element-wise -----------------------------------------------------------------------

    @Override
    public void unary(UnaryOp op, Storage x, Storage out, long count) {
        CpuElementwise.unary(op, a(x), a(out), n(count));
    }

    @Override
    public void unaryBackward(UnaryOp op, Storage x, Storage y, Storage gy, Storage gx, long count) {
        CpuElementwise.unaryBackward(op, a(x), a(y), a(gy), a(gx), n(count));
    }

    @Override
    public void binary(BinaryOp op, Storage x, Shape xs, Storage y, Shape ys, Storage out, Shape os) {
        CpuElementwise.binary(op, a(x), xs, a(y), ys, a(out), os);
    }

    @Override
    public void scalar(BinaryOp op, Storage x, float s, boolean scalarFirst, Storage out, long count) {
        CpuElementwise.scalar(op, a(x), s, scalarFirst, a(out), n(count));
    }

    @Override
    public void clamp(Storage x, float lo, float hi, Storage out, long count) {
        CpuElementwise.clamp(a(x), lo, hi, a(out), n(count));
    }

    // ---- reductions -------------------------------------------------------------------------

    @Override
    public void reduce(ReduceOp op, Storage x, Shape xs, boolean[] axes, Storage out) {
        CpuReduce.reduce(op, a(x), xs, axes, a(out));
    }

    @Override
    public void softmax(Storage x, int rows, int cols, boolean log, Storage out) {
        CpuReduce.softmax(a(x), rows, cols, log, a(out));
    }

    @Override
    public void softmaxBackward(Storage y, Storage gy, int rows, int cols, boolean log, Storage gx) {
        CpuReduce.softmaxBackward(a(y), a(gy), rows, cols, log, a(gx));
    }

    // ---- shape ------------------------------------------------------------------------------

    @Override
    public void permute(Storage x, Shape xs, int[] perm, Storage out) {
        CpuLayout.permute(a(x), xs, perm, a(out));
    }

    @Override
    public void copyAlongAxis(Storage src, Shape ss, int srcStart, Storage dst, Shape ds, int dstStart, int axis,
                              int length) {
        CpuLayout.copyAlongAxis(a(src), ss, srcStart, a(dst), ds, dstStart, axis, length);
    }

    @Override
    public void gatherRows(Storage x, Shape xs, int[] idx, Storage out) {
        int rowLen = xs.dim(0) == 0 ? 0 : (int) (xs.numel() / xs.dim(0));
        CpuLayout.gatherRows(a(x), rowLen, idx, a(out));
    }

    @Override
    public void scatterAddRows(Storage g, int[] idx, int rowLen, Storage out, int rows) {
        CpuLayout.scatterAddRows(a(g), idx, rowLen, a(out), rows);
    }

    // ---- linear algebra ---------------------------------------------------------------------

    @Override
    public void matmul(MatmulSpec s, Storage x, Storage y, Storage out, boolean accumulate) {
        float[] av = a(x);
        float[] bv = a(y);
        float[] cv = a(out);
        long cStride = (long) s.m() * s.n();
        // Many small products (attention heads): one product per thread beats splitting each one
        // across threads, which would pay a fork/join and a packing phase per product.
        if (s.batch() >= 2 * Parallel.THREADS && (long) s.m() * s.n() * s.k() <= (1L << 22)) {
            Parallel.forRange(s.batch(), 1, (from, to) -> {
                for (int i = from; i < to; i++) {
                    Gemm.sgemm(s.transA(), s.transB(), s.m(), s.n(), s.k(), av, n(i * s.strideA()), s.lda(),
                            bv, n(i * s.strideB()), s.ldb(), cv, n(i * cStride), s.n(), accumulate, false);
                }
            });
            return;
        }
        for (int i = 0; i < s.batch(); i++) {
            Gemm.sgemm(s.transA(), s.transB(), s.m(), s.n(), s.k(), av, n(i * s.strideA()), s.lda(),
                    bv, n(i * s.strideB()), s.ldb(), cv, n(i * cStride), s.n(), accumulate);
        }
    }

    // ---- vision -----------------------------------------------------------------------------

    @Override
    public void conv2d(Conv2dSpec spec, Storage x, Storage w, Storage bias, Storage y) {
        Conv.forward(spec, a(x), a(w), bias == null ? null : a(bias), a(y));
    }

    @Override
    public void conv2dBackwardInput(Conv2dSpec spec, Storage gy, Storage w, Storage gx) {
        Conv.backwardInput(spec, a(gy), a(w), a(gx));
    }

    @Override
    public void conv2dBackwardFilter(Conv2dSpec spec, Storage x, Storage gy, Storage gw, Storage gb) {
        Conv.backwardFilter(spec, a(x), a(gy), a(gw), gb == null ? null : a(gb));
    }

    @Override
    public void avgPool2x2(Storage x, int planes, int h, int w, Storage out) {
        CpuLayout.avgPool2x2(a(x), planes, h, w, a(out));
    }

    @Override
    public void upsampleNearest2x(Storage x, int planes, int h, int w, Storage out) {
        CpuLayout.upsampleNearest2x(a(x), planes, h, w, a(out));
    }

    @Override
    public void groupNorm(GroupNormSpec spec, Storage x, Storage gamma, Storage beta, Storage y, Storage mean,
                          Storage rstd) {
        GroupNormKernel.forward(spec, a(x), gamma == null ? null : a(gamma), beta == null ? null : a(beta), a(y),
                a(mean), a(rstd));
    }

    @Override
    public void groupNormBackward(GroupNormSpec spec, Storage x, Storage gamma, Storage mean, Storage rstd,
                                  Storage gy, Storage gx, Storage ggamma, Storage gbeta) {
        GroupNormKernel.backward(spec, a(x), gamma == null ? null : a(gamma), a(mean), a(rstd), a(gy), a(gx),
                ggamma == null ? null : a(ggamma), gbeta == null ? null : a(gbeta));
    }

    // ---- randomness -------------------------------------------------------------------------

    @Override
    public void random(Distribution dist, long key, long counter, Storage out, long count) {
        float[] o = a(out);
        int total = n(count);
        int blocks = (total + 3) / 4;
        boolean normal = dist == Distribution.NORMAL;
        Parallel.forRange(blocks, 4096, (s, e) -> Philox.fill(normal, key, counter, o, s * 4, Math.min(total, e * 4)));
    }
}

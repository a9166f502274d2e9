package dev.diti4j.core.backend;

import dev.diti4j.core.Device;
import dev.diti4j.core.Shape;
import dev.diti4j.core.ops.BinaryOp;
import dev.diti4j.core.ops.Conv2dSpec;
import dev.diti4j.core.ops.Distribution;
import dev.diti4j.core.ops.GroupNormSpec;
import dev.diti4j.core.ops.MatmulSpec;
import dev.diti4j.core.ops.ReduceOp;
import dev.diti4j.core.ops.UnaryOp;

/**
 * What a device must implement: one method per op family, on flat buffers. Arguments have
 * already been validated by {@code Tensor} (shapes agree, axes are in range, all storages are on
 * this backend's device), so implementations only compute. Output storages are freshly
 * allocated by the caller and may hold garbage; every method writes all of its output.
 *
 * <p>Op enums are mapped with a {@code switch} without {@code default}, so adding an op fails to
 * compile until every backend handles it.
 */
public interface Backend {

    Device device();

    /** A short human description, e.g. {@code cpu (2 threads, 512-bit SIMD)}. */
    String describe();

    // ---- memory ---------------------------------------------------------------------------

    /** An uninitialised buffer of {@code numel} floats, from the pool when one fits. */
    Storage allocate(long numel);

    /** A new buffer holding a copy of {@code data[0..n)}. */
    Storage upload(float[] data, int n);

    /** Copies the first {@code n} elements of {@code src} to the host. */
    void download(Storage src, float[] dst, int n);

    MemoryStats memoryStats();

    /** Starts a new peak: {@link MemoryStats#peakLiveBytes()} becomes the live bytes of now. */
    void resetPeakLiveBytes();

    /** Drops every pooled (released) buffer. */
    void trimPool();

    void fill(Storage out, long n, float value);

    /** dst[dstOff..dstOff+n) = src[srcOff..srcOff+n). */
    void copy(Storage src, long srcOff, Storage dst, long dstOff, long n);

    // ---- element-wise -----------------------------------------------------------------------

    /** out = f(x) over n elements. */
    void unary(UnaryOp op, Storage x, Storage out, long n);

    /** gx = gy * f'(x), with y = f(x) as computed by the forward. */
    void unaryBackward(UnaryOp op, Storage x, Storage y, Storage gy, Storage gx, long n);

    /** out = a op b, broadcasting a and b to outShape (ranks may differ; aligned at the end). */
    void binary(BinaryOp op, Storage a, Shape aShape, Storage b, Shape bShape, Storage out, Shape outShape);

    /** out = x op s, or s op x when {@code scalarFirst}. */
    void scalar(BinaryOp op, Storage x, float s, boolean scalarFirst, Storage out, long n);

    /** out = min(max(x, lo), hi). */
    void clamp(Storage x, float lo, float hi, Storage out, long n);

    // ---- reductions -------------------------------------------------------------------------

    /**
     * Reduces x over the axes flagged in {@code axes}; out has xShape's rank with 1 on each
     * reduced axis (keepdim layout).
     */
    void reduce(ReduceOp op, Storage x, Shape xShape, boolean[] axes, Storage out);

    /** Softmax (or log-softmax) over the last axis of a (rows, cols) matrix. */
    void softmax(Storage x, int rows, int cols, boolean log, Storage out);

    /**
     * Backward of {@link #softmax}: softmax gx = y * (gy - sum(gy*y)); log-softmax
     * gx = gy - exp(y) * sum(gy).
     */
    void softmaxBackward(Storage y, Storage gy, int rows, int cols, boolean log, Storage gx);

    // ---- shape ------------------------------------------------------------------------------

    /** out = x with its axes reordered: out axis i is x axis perm[i]. */
    void permute(Storage x, Shape xShape, int[] perm, Storage out);

    /**
     * Copies a block along one axis: for every outer index, the {@code length} slices starting at
     * srcStart in src go to dstStart in dst. src and dst agree on every axis but {@code axis}.
     */
    void copyAlongAxis(Storage src, Shape srcShape, int srcStart, Storage dst, Shape dstShape, int dstStart,
                       int axis, int length);

    /** out[i] = x[idx[i]] along axis 0; rows are x.numel / x.dim(0) long. */
    void gatherRows(Storage x, Shape xShape, int[] idx, Storage out);

    /** out = zeros(rows, rowLen); out[idx[i]] += g[i]: the backward of {@link #gatherRows}. */
    void scatterAddRows(Storage g, int[] idx, int rowLen, Storage out, int rows);

    // ---- linear algebra ---------------------------------------------------------------------

    /** C = op(A) op(B) (+ beta * C when accumulate), see {@link MatmulSpec}. */
    void matmul(MatmulSpec spec, Storage a, Storage b, Storage c, boolean accumulate);

    // ---- vision -----------------------------------------------------------------------------

    /** y = conv2d(x, w) + bias; bias may be null. */
    void conv2d(Conv2dSpec spec, Storage x, Storage w, Storage bias, Storage y);

    /** gx = d(conv)/dx applied to gy. */
    void conv2dBackwardInput(Conv2dSpec spec, Storage gy, Storage w, Storage gx);

    /** gw = d(conv)/dw applied to gy; gb (may be null) = sum of gy over n, oh, ow. */
    void conv2dBackwardFilter(Conv2dSpec spec, Storage x, Storage gy, Storage gw, Storage gb);

    /** 2x2 average pooling, stride 2, of (planes, h, w) with even h and w. */
    void avgPool2x2(Storage x, int planes, int h, int w, Storage out);

    /** Nearest-neighbour 2x up-sampling of (planes, h, w) to (planes, 2h, 2w). */
    void upsampleNearest2x(Storage x, int planes, int h, int w, Storage out);

    /**
     * y = (x - mean) * rstd * gamma + beta per group; writes mean and rstd (n*groups each) for
     * the backward. gamma and beta may both be null (no affine).
     */
    void groupNorm(GroupNormSpec spec, Storage x, Storage gamma, Storage beta, Storage y, Storage mean,
                   Storage rstd);

    /** Backward of {@link #groupNorm}; ggamma and gbeta are null when there is no affine. */
    void groupNormBackward(GroupNormSpec spec, Storage x, Storage gamma, Storage mean, Storage rstd,
                           Storage gy, Storage gx, Storage ggamma, Storage gbeta);

    // ---- randomness -------------------------------------------------------------------------

    /**
     * Fills out[0..n) from the Philox4x32-10 stream with the given key, starting at block
     * {@code counter}; element i uses word i%4 of block counter + i/4 (see {@code Philox}).
     */
    void random(Distribution dist, long key, long counter, Storage out, long n);
}

package dev.diti4j.core.ops;

/**
 * A 2-D convolution (cross-correlation, as in every DL framework) over NCHW input with OIHW
 * weights, square stride and symmetric zero padding.
 *
 * <pre>
 *   x (n, cin, h, w) * w (cout, cin, kh, kw) + b (cout) -> y (n, cout, oh, ow)
 *   oh = (h + 2*pad - kh) / stride + 1
 * </pre>
 */
public record Conv2dSpec(int n, int cin, int h, int w, int cout, int kh, int kw, int stride, int pad) {

    public int oh() {
        return (h + 2 * pad - kh) / stride + 1;
    }

    public int ow() {
        return (w + 2 * pad - kw) / stride + 1;
    }

    public double forwardFlops() {
        return 2.0 * n * cout * oh() * ow() * cin * kh * kw;
    }
}

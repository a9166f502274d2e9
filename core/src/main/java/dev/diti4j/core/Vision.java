package dev.diti4j.core;

import dev.diti4j.core.backend.Backend;
import dev.diti4j.core.backend.Storage;
import dev.diti4j.core.ops.Conv2dSpec;
import dev.diti4j.core.ops.GroupNormSpec;

/** Image ops: convolution, pooling, up-sampling, group normalisation. */
final class Vision {
    private Vision() {
    }

    static Tensor conv2d(Tensor x, Tensor w, Tensor bias, int stride, int pad) {
        Checks.live("conv2d", x, w, bias);
        Checks.sameDevice("conv2d", x, w);
        Checks.sameDevice("conv2d", x, bias);
        Checks.rank("conv2d", "input", x, 4);
        Checks.rank("conv2d", "weight", w, 4);
        if (w.dim(1) != x.dim(1)) {
            throw new TensorException.ShapeMismatch("conv2d", "weight " + w.shape() + " vs input " + x.shape()
                    + ": channels " + w.dim(1) + " != " + x.dim(1), x.device());
        }
        if (stride < 1 || pad < 0) {
            throw new TensorException.BadArgument("conv2d", "stride " + stride + " and padding " + pad
                    + " must be >= 1 and >= 0", x.device());
        }
        if (bias != null && (bias.rank() != 1 || bias.dim(0) != w.dim(0))) {
            throw new TensorException.ShapeMismatch("conv2d", "bias " + bias.shape() + " vs weight " + w.shape()
                    + ": expected (" + w.dim(0) + ")", x.device());
        }
        Conv2dSpec spec = new Conv2dSpec(x.dim(0), x.dim(1), x.dim(2), x.dim(3), w.dim(0), w.dim(2), w.dim(3), stride, pad);
        if (x.dim(2) + 2 * pad < w.dim(2) || x.dim(3) + 2 * pad < w.dim(3)) {
            throw new TensorException.ShapeMismatch("conv2d", "kernel " + w.shape() + " larger than padded input "
                    + x.shape() + " (padding " + pad + ")", x.device());
        }
        Backend b = x.backend();
        Shape os = Shape.of(spec.n(), spec.cout(), spec.oh(), spec.ow());
        Storage out = b.allocate(os.numel());
        b.conv2d(spec, x.storage(), w.storage(), bias == null ? null : bias.storage(), out);
        Tensor[] inputs = bias == null ? new Tensor[] {x, w} : new Tensor[] {x, w, bias};
        return Tensor.result(b, os, out, "conv2d", inputs, (gy, y) -> {
            Tensor[] g = new Tensor[inputs.length];
            if (x.requiresGrad()) {
                Storage gx = b.allocate(x.numel());
                b.conv2dBackwardInput(spec, gy.storage(), w.storage(), gx);
                g[0] = new Tensor(x.shape(), gx, b, null);
            }
            boolean needB = bias != null && bias.requiresGrad();
            if (w.requiresGrad() || needB) {
                Storage gw = b.allocate(w.numel());
                Storage gb = bias == null ? null : b.allocate(bias.numel());
                b.conv2dBackwardFilter(spec, x.storage(), gy.storage(), gw, gb);
                g[1] = new Tensor(w.shape(), gw, b, null);
                if (bias != null) {
                    g[2] = new Tensor(bias.shape(), gb, b, null);
                }
            }
            return g;
        }, 0b11);
    }

    static Tensor avgPool2x2(Tensor x) {
        Checks.live("avg_pool2x2", x);
        Checks.rankAtLeast("avg_pool2x2", "input", x, 2);
        int h = x.dim(-2);
        int w = x.dim(-1);
        if (h % 2 != 0 || w % 2 != 0) {
            throw new TensorException.ShapeMismatch("avg_pool2x2", "spatial size " + h + "x" + w + " of " + x.shape()
                    + " must be even", x.device());
        }
        int planes = (int) (x.numel() / ((long) h * w));
        Shape os = x.shape().with(-2, h / 2).with(-1, w / 2);
        Backend b = x.backend();
        Storage out = b.allocate(os.numel());
        b.avgPool2x2(x.storage(), planes, h, w, out);
        // each input pixel contributes a quarter to one output pixel
        return Tensor.result(b, os, out, "avg_pool2x2", new Tensor[] {x},
                (gy, y) -> new Tensor[] {gy.upsampleNearest2x().mul(0.25f)}, Node.READS_NONE);
    }

    static Tensor upsampleNearest2x(Tensor x) {
        Checks.live("upsample_nearest2x", x);
        Checks.rankAtLeast("upsample_nearest2x", "input", x, 2);
        int h = x.dim(-2);
        int w = x.dim(-1);
        int planes = h * w == 0 ? 0 : (int) (x.numel() / ((long) h * w));
        Shape os = x.shape().with(-2, 2 * h).with(-1, 2 * w);
        Backend b = x.backend();
        Storage out = b.allocate(os.numel());
        b.upsampleNearest2x(x.storage(), planes, h, w, out);
        // each input pixel is copied to four output pixels: the gradient is their sum
        return Tensor.result(b, os, out, "upsample_nearest2x", new Tensor[] {x},
                (gy, y) -> new Tensor[] {gy.avgPool2x2().mul(4f)}, Node.READS_NONE);
    }

    static Tensor groupNorm(Tensor x, int groups, Tensor gamma, Tensor beta, float eps) {
        Checks.live("group_norm", x, gamma, beta);
        Checks.sameDevice("group_norm", x, gamma);
        Checks.sameDevice("group_norm", x, beta);
        Checks.rankAtLeast("group_norm", "input", x, 2);
        int c = x.dim(1);
        if (groups < 1 || c % groups != 0) {
            throw new TensorException.BadArgument("group_norm", "channels " + c + " of " + x.shape()
                    + " are not divisible into " + groups + " groups", x.device());
        }
        if ((gamma == null) != (beta == null)) {
            throw new TensorException.BadArgument("group_norm", "gamma and beta must both be given or both be null",
                    x.device());
        }
        for (Tensor p : new Tensor[] {gamma, beta}) {
            if (p != null && (p.rank() != 1 || p.dim(0) != c)) {
                throw new TensorException.ShapeMismatch("group_norm", "affine parameter " + p.shape() + " vs input "
                        + x.shape() + ": expected (" + c + ")", x.device());
            }
        }
        if (!(eps > 0)) {
            throw new TensorException.BadArgument("group_norm", "eps must be > 0, got " + eps, x.device());
        }
        int n = x.dim(0);
        int spatial = (int) x.shape().product(2, x.rank());
        GroupNormSpec spec = new GroupNormSpec(n, c, spatial, groups, eps);
        Backend b = x.backend();
        Storage out = b.allocate(x.numel());
        Storage mean = b.allocate((long) n * groups);
        Storage rstd = b.allocate((long) n * groups);
        b.groupNorm(spec, x.storage(), gamma == null ? null : gamma.storage(), beta == null ? null : beta.storage(),
                out, mean, rstd);
        // mean and rstd live as long as the graph (they are released with the tensors of the scope)
        Tensor meanT = new Tensor(Shape.of(n, groups), mean, b, null);
        Tensor rstdT = new Tensor(Shape.of(n, groups), rstd, b, null);
        Tensor[] inputs = gamma == null ? new Tensor[] {x} : new Tensor[] {x, gamma, beta};
        return Tensor.result(b, x.shape(), out, "group_norm", inputs, (gy, y) -> {
            Storage gx = b.allocate(x.numel());
            Storage gg = gamma == null ? null : b.allocate(c);
            Storage gbt = gamma == null ? null : b.allocate(c);
            b.groupNormBackward(spec, x.storage(), gamma == null ? null : gamma.storage(), meanT.storage(),
                    rstdT.storage(), gy.storage(), gx, gg, gbt);
            Tensor[] g = new Tensor[inputs.length];
            g[0] = new Tensor(x.shape(), gx, b, null);
            if (gamma != null) {
                g[1] = new Tensor(gamma.shape(), gg, b, null);
                g[2] = new Tensor(beta.shape(), gbt, b, null);
            }
            return g;
        }, 0b11);
    }
}

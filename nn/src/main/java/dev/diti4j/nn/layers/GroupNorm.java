package dev.diti4j.nn.layers;

import dev.diti4j.core.Device;
import dev.diti4j.core.Tensor;
import dev.diti4j.nn.Layer;
import dev.diti4j.nn.Module;
import dev.diti4j.nn.Parameter;

/**
 * Group normalisation of (B, C, ...) over C/groups channels and all spatial positions, with an
 * optional per-channel affine map (weight = gamma, initialised to 1; bias = beta, to 0).
 * METHOD.md 1.3 uses 32 groups and eps 1e-5; the small recipe (METHOD.md 9) uses 8 groups.
 */
public final class GroupNorm extends Module implements Layer {
    /** PyTorch's default epsilon. */
    public static final float DEFAULT_EPS = 1e-5f;

    private final int channels;
    private final int groups;
    private final float eps;
    private final Parameter weight;
    private final Parameter bias;

    public GroupNorm(int channels, int groups, Device device) {
        this(channels, groups, DEFAULT_EPS, true, device);
    }

    public GroupNorm(int channels, int groups, float eps, boolean affine, Device device) {
        if (groups < 1 || channels < 1 || channels % groups != 0) {
            throw new IllegalArgumentException("GroupNorm: " + channels + " channels are not divisible into "
                    + groups + " groups");
        }
        if (!(eps > 0)) {
            throw new IllegalArgumentException("GroupNorm: eps must be > 0, got " + eps);
        }
        this.channels = channels;
        this.groups = groups;
        this.eps = eps;
        this.weight = affine ? addParameter("weight", Tensor.full(device, 1f, channels)) : null;
        this.bias = affine ? addParameter("bias", Tensor.full(device, 0f, channels)) : null;
    }

    /** (B, C, ...) -> same shape. */
    @Override
    public Tensor forward(Tensor x) {
        return x.groupNorm(groups, weight == null ? null : weight.tensor(), bias == null ? null : bias.tensor(), eps);
    }

    public int channels() {
        return channels;
    }

    public int groups() {
        return groups;
    }

    public float eps() {
        return eps;
    }

    /** Gamma, or null without affine parameters. */
    public Parameter weight() {
        return weight;
    }

    /** Beta, or null without affine parameters. */
    public Parameter bias() {
        return bias;
    }
}

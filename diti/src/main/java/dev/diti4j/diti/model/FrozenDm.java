package dev.diti4j.diti.model;

import dev.diti4j.core.GradMode;
import dev.diti4j.core.Tensor;
import dev.diti4j.diffusion.EpsilonModel;
import dev.diti4j.nn.unet.Features;
import dev.diti4j.nn.unet.UNet;

/**
 * The pre-trained diffusion model ε_θ, frozen for DiTi training (METHOD 2.2, 8 items 1, 2, 15).
 * The constructor freezes the U-Net's parameters and puts it in evaluation mode, so it runs without
 * dropout; {@link #run} evaluates it with graph recording off ({@link GradMode#off()}), so no
 * backward graph and no saved activations are kept even when x_t requires a gradient.
 *
 * <p>One {@link #run} computes the encoder half once and returns its {@link Features} (every skip,
 * the bottleneck, e_t) together with ε_θ, which the middle block, decoder and head compute from those
 * same features: the shift decoder then reads the very tensors ε_θ was computed from, and a step
 * with two decoder passes ({@link LossMode#DUAL}) still runs the frozen network once.
 */
public final class FrozenDm implements EpsilonModel {
    private final UNet unet;

    /** Freezes {@code unet} in place (all parameters, evaluation mode). */
    public FrozenDm(UNet unet) {
        this.unet = unet;
        unet.freeze().eval();
    }

    /**
     * The frozen network's output for one batch.
     *
     * @param features the encoder half's skips, bottleneck and time embedding, without graph
     * @param eps      ε_θ(x_t, t), without graph
     */
    public record Pass(Features features, Tensor eps) {
    }

    /**
     * Runs the frozen U-Net once on (x_t, t) without recording a graph.
     *
     * @throws IllegalStateException if the U-Net was switched back to training mode since
     */
    public Pass run(Tensor xt, int[] t) {
        if (unet.isTraining()) {
            throw new IllegalStateException("the frozen diffusion model was switched to training mode; it must run"
                    + " without dropout (call eval() on it)");
        }
        try (GradMode ng = GradMode.off()) {
            Features f = unet.encode(xt, t);
            return new Pass(f, unet.decode(f));
        }
    }

    /** ε_θ(x_t, t) alone, without graph. */
    @Override
    public Tensor predictEps(Tensor xt, int[] t) {
        return run(xt, t).eps();
    }

    public UNet unet() {
        return unet;
    }
}

package dev.diti4j.diffusion;

import dev.diti4j.core.Tensor;

/**
 * A network that predicts the noise ε in x_t = √ᾱ_t x_0 + √(1 − ᾱ_t) ε (METHOD 1.2). Samplers,
 * losses and inversion only see this interface, so any network (a U-Net, a DiTi decoder whose
 * prediction is shifted by G, an analytic model in a test) plugs in.
 */
@FunctionalInterface
public interface EpsilonModel {
    /**
     * Predicts ε for a batch.
     *
     * @param xt noisy images, (B, C, H, W) (any rank with the batch first is accepted by the
     *           samplers)
     * @param t  the 0-based time step of each sample, length B
     * @return the predicted noise, same shape as {@code xt}
     */
    Tensor predictEps(Tensor xt, int[] t);
}

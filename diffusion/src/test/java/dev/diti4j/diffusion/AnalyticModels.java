package dev.diti4j.diffusion;

import dev.diti4j.core.Tensor;

/** ε-models whose optimum is known in closed form, for testing samplers without a network. */
final class AnalyticModels {
    private AnalyticModels() {
    }

    /**
     * The optimal ε-model when the data is the single point x0*: every x_t came from x0*, so
     * ε*(x_t, t) = (x_t − √ᾱ_t x0*)/√(1 − ᾱ_t) exactly.
     *
     * @param x0 (1, C, H, W) or (B, C, H, W) broadcastable to the batch
     */
    static EpsilonModel singlePoint(NoiseSchedule s, Tensor x0) {
        return (xt, t) -> {
            Tensor a = PerSample.at(s::sqrtAbar, t, xt);
            Tensor b = PerSample.at(s::sqrtOneMinusAbar, t, xt);
            return xt.sub(x0.mul(a)).div(b);
        };
    }

    /**
     * The optimal ε-model for data x_0 ~ N(μ, σ² I): x_t ~ N(√ᾱ μ, (ᾱσ² + 1 − ᾱ) I), and
     * E[ε | x_t] = √(1−ᾱ)(x_t − √ᾱ μ)/(ᾱσ² + 1 − ᾱ).
     */
    static EpsilonModel gaussian(NoiseSchedule s, Tensor mu, double sigma) {
        return (xt, t) -> {
            Tensor a = PerSample.at(s::sqrtAbar, t, xt);
            Tensor k = PerSample.at(tt -> Math.sqrt(1 - s.abar(tt)) / (s.abar(tt) * sigma * sigma + 1 - s.abar(tt)),
                    t, xt);
            return xt.sub(mu.mul(a)).mul(k);
        };
    }
}

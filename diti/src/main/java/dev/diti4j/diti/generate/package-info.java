/**
 * Generation with a trained DiTi model (METHOD 6): the shifted noise prediction
 * ε̂ = ε_θ − √(1 − ᾱ_t)·G(x_t, z ⊙ M[i(t)], t) ({@link dev.diti4j.diti.generate.ShiftedEpsilon},
 * {@link dev.diti4j.diti.generate.Conditioning}); DDIM sampling and inversion on DiTi's masked
 * grid and PDAE's respaced grid ({@link dev.diti4j.diti.generate.GuidedDdim}); reconstruction and
 * stochastic decodes ({@link dev.diti4j.diti.generate.Reconstruction}); counterfactual
 * interpolation of a range of subsets ({@link dev.diti4j.diti.generate.Counterfactual},
 * {@link dev.diti4j.diti.generate.Interpolation}); and editing along a classifier direction
 * ({@link dev.diti4j.diti.generate.Manipulation}, {@link dev.diti4j.diti.generate.FeatureStats}).
 * docs/internals/generation.md walks through it.
 */
package dev.diti4j.diti.generate;

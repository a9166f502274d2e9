package dev.diti4j.diti.generate;

/**
 * What the shift decoder G is given at each sampling step, and whether it runs at all
 * (METHOD 6.1, 6.2, 8 items 11 and 13).
 */
public enum Conditioning {
    /**
     * DiTi's condition z ⊙ M[i(t)]: at step t only the cumulative prefix of subsets up to
     * i(t) = ⌊t·k/T⌋ is kept, the later subsets are zeroed, exactly as in training
     * (METHOD 4.4, 6.2b).
     */
    MASKED,
    /**
     * The whole z at every step, as PDAE does (METHOD 6.2a) and as the reference's manipulation
     * sampler does even for DiTi models (METHOD 8 item 13). With k = 1 this equals {@link #MASKED}.
     */
    UNMASKED,
    /**
     * No guidance: the plain frozen ε_θ. G is not evaluated at all; in particular G(x_t, 0, t) is
     * <em>not</em> applied, which is what a zero z would give (METHOD 8 item 11).
     */
    OFF
}

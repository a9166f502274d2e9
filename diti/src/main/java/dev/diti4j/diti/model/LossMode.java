package dev.diti4j.diti.model;

import java.util.Locale;

/**
 * Where the gradient of the DiTi loss reaches z (METHOD 4.5). All three give G the same condition
 * value, z ⊙ M[i(t)]; they differ only in which dimensions of z receive a gradient.
 */
public enum LossMode {
    /** Condition z ⊙ M[i]: the gradient reaches every active dimension [0, e_i). */
    BASE("base"),
    /**
     * Condition sg(z) ⊙ R[i] + z ⊙ K[i], the same value as {@link #BASE}: the gradient reaches only
     * subset i's dimensions [e_{i−1}, e_i); the older subsets are read as fixed context.
     */
    STOP_GRAD("stop_grad"),
    /** Both conditions in two decoder passes on the same frozen features; the loss is the sum of both losses. */
    DUAL("dual");

    private final String id;

    LossMode(String id) {
        this.id = id;
    }

    /** The name METHOD 4.5 and the reference's configs use: {@code base}, {@code stop_grad}, {@code dual}. */
    public String id() {
        return id;
    }

    /**
     * The mode named {@code base}, {@code stop_grad} or {@code dual} (case-insensitive; '-' is read as '_').
     *
     * @throws IllegalArgumentException for any other name
     */
    public static LossMode parse(String name) {
        if (name != null) {
            String n = name.trim().toLowerCase(Locale.ROOT).replace('-', '_');
            for (LossMode m : values()) {
                if (m.id.equals(n)) {
                    return m;
                }
            }
        }
        throw new IllegalArgumentException("unknown DiTi loss mode '" + name + "': use base, stop_grad or dual");
    }

    @Override
    public String toString() {
        return id;
    }
}

package dev.diti4j.core.ops;

/** Reductions over a set of axes. */
public enum ReduceOp {
    SUM, MEAN, MAX;

    public String opName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}

package dev.diti4j.core.ops;

/**
 * Group normalisation of x (n, c, *spatial) with {@code groups} groups of c/groups channels:
 * each (sample, group) slab of {@code (c/groups) * spatial} elements is normalised to zero mean
 * and unit variance (biased variance, eps inside the square root), then scaled and shifted per
 * channel.
 */
public record GroupNormSpec(int n, int c, int spatial, int groups, float eps) {

    public int channelsPerGroup() {
        return c / groups;
    }

    /** Elements in one (sample, group) slab. */
    public int groupSize() {
        return (c / groups) * spatial;
    }
}

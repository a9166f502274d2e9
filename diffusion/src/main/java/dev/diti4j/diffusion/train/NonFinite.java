package dev.diti4j.diffusion.train;

import dev.diti4j.core.GradMode;
import dev.diti4j.core.Scope;
import dev.diti4j.core.Tensor;
import java.util.Map;

/**
 * Finds NaN and infinite values in named tensors (weights, gradients, optimizer state). When
 * everything is finite the check costs one pass over the values and one host synchronisation: it
 * sums {@code 0 · x} over all tensors, which is NaN exactly when some x is NaN or infinite.
 */
public final class NonFinite {
    private NonFinite() {
    }

    /**
     * A tensor holding non-finite values.
     *
     * @param name     its name (a parameter name, {@code ema.<param>}, ...)
     * @param nan      how many of its values are NaN
     * @param infinite how many are +∞ or −∞
     * @param size     how many values it has
     */
    public record Found(String name, long nan, long infinite, long size) {
        /** For example {@code 3 NaN values} or {@code 1 NaN and 2 infinite values}, of the size. */
        public String describe() {
            String what = nan > 0 && infinite > 0 ? nan + " NaN and " + infinite + " infinite values"
                    : nan > 0 ? nan + (nan == 1 ? " NaN value" : " NaN values")
                    : infinite + (infinite == 1 ? " infinite value" : " infinite values");
            return what + " of " + size;
        }
    }

    /** The first tensor of {@code tensors} (in iteration order) that holds a NaN or an infinity, or null. */
    public static Found first(Map<String, Tensor> tensors) {
        if (tensors.isEmpty() || Float.isFinite(zeroSum(tensors))) {
            return null;
        }
        for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
            float[] v = e.getValue().toArray();
            long nan = 0;
            long inf = 0;
            for (float x : v) {
                if (Float.isNaN(x)) {
                    nan++;
                } else if (Float.isInfinite(x)) {
                    inf++;
                }
            }
            if (nan + inf > 0) {
                return new Found(e.getKey(), nan, inf, v.length);
            }
        }
        return null;
    }

    private static float zeroSum(Map<String, Tensor> tensors) {
        try (GradMode off = GradMode.off(); Scope s = Scope.open()) {
            Tensor acc = null;
            for (Tensor t : tensors.values()) {
                Tensor term = t.mul(0f).sum();
                acc = acc == null ? term : acc.add(term);
            }
            return acc.item();
        }
    }
}

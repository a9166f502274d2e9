package dev.diti4j.diti.eval.probe;

/**
 * Wilson score intervals for a proportion such as a probe's accuracy.
 *
 * <p>For k successes out of n, p̂ = k/n and z the normal quantile (1.96 for 95%):
 * <pre>
 *   centre    = (p̂ + z²/(2n)) / (1 + z²/n)
 *   halfWidth = z / (1 + z²/n) · √( p̂(1 − p̂)/n + z²/(4n²) )
 * </pre>
 * Unlike p̂ ± z√(p̂(1−p̂)/n) it stays inside [0, 1] and does not collapse to a point at 0 or n
 * successes. Example: 8 of 10 gives [0.490, 0.943].
 */
public final class Intervals {
    /** z for a two-sided 95% interval. */
    public static final double Z95 = 1.96;

    private Intervals() {
    }

    /** A closed interval [lower, upper]. */
    public record Interval(double lower, double upper) {
        public double width() {
            return upper - lower;
        }

        public boolean contains(double v) {
            return v >= lower && v <= upper;
        }
    }

    /** The 95% Wilson interval (z = 1.96) of k successes in n trials. */
    public static Interval wilson(int successes, int n) {
        return wilson(successes, n, Z95);
    }

    /**
     * The Wilson interval of k successes in n trials for normal quantile z.
     *
     * @throws IllegalArgumentException when n &lt; 1, k is outside [0, n] or z is not positive
     */
    public static Interval wilson(int successes, int n, double z) {
        if (n < 1) {
            throw new IllegalArgumentException("a Wilson interval needs at least one trial, got n = " + n);
        }
        if (successes < 0 || successes > n) {
            throw new IllegalArgumentException("successes " + successes + " are outside [0, " + n + "]");
        }
        if (!(z > 0) || !Double.isFinite(z)) {
            throw new IllegalArgumentException("the normal quantile z must be positive, got " + z);
        }
        double p = (double) successes / n;
        double z2 = z * z;
        double denom = 1 + z2 / n;
        double centre = (p + z2 / (2.0 * n)) / denom;
        double half = z / denom * Math.sqrt(p * (1 - p) / n + z2 / (4.0 * n * n));
        return new Interval(Math.max(0, centre - half), Math.min(1, centre + half));
    }
}

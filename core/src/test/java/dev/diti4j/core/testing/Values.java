package dev.diti4j.core.testing;

import dev.diti4j.core.random.Philox;

/**
 * Input generators for op cases: each makes {@code n} float values from a seeded generator, in a
 * domain where the op and its gradient are well defined and finite differences are meaningful
 * (away from kinks, ties and poles).
 */
@FunctionalInterface
public interface Values {
    float[] make(Philox rng, int n);

    /** Standard normal. */
    static Values normal() {
        return (rng, n) -> {
            float[] v = new float[n];
            Philox.fill(true, rng.key(), rng.reserve(n), v, 0, n);
            return v;
        };
    }

    /** Uniform in [lo, hi). */
    static Values uniform(double lo, double hi) {
        return (rng, n) -> {
            float[] v = new float[n];
            Philox.fill(false, rng.key(), rng.reserve(n), v, 0, n);
            for (int i = 0; i < n; i++) {
                v[i] = (float) (lo + (hi - lo) * v[i]);
            }
            return v;
        };
    }

    /** In [0.5, 2): for log, sqrt, rsqrt and denominators. */
    static Values positive() {
        return uniform(0.5, 2.0);
    }

    /** |x| in [0.3, 1.5) with a random sign: keeps abs, relu and 1/x away from their kink or pole at 0. */
    static Values awayFromZero() {
        return (rng, n) -> {
            float[] u = uniform(0.3, 1.5).make(rng, n);
            float[] s = uniform(0, 1).make(rng, n);
            for (int i = 0; i < n; i++) {
                u[i] = s[i] < 0.5f ? -u[i] : u[i];
            }
            return u;
        };
    }

    /**
     * Uniform in [-1.5, 1.5) but at least 0.05 from each of {@code kinks} (clamp bounds), so a
     * finite-difference step never crosses one.
     */
    static Values avoiding(float... kinks) {
        return (rng, n) -> {
            float[] v = new float[n];
            Values pool = uniform(-1.5, 1.5);
            for (int i = 0; i < n; i++) {
                float x;
                boolean near;
                do {
                    x = pool.make(rng, 1)[0];
                    near = false;
                    for (float k : kinks) {
                        near |= Math.abs(x - k) < 0.05f;
                    }
                } while (near);
                v[i] = x;
            }
            return v;
        };
    }

    /** A shuffle of n evenly spaced values in [-2, 2): no two equal, so max has no ties. */
    static Values distinct() {
        return (rng, n) -> {
            int[] perm = new int[n];
            for (int i = 0; i < n; i++) {
                perm[i] = i;
            }
            for (int i = n - 1; i > 0; i--) {
                int j = rng.nextInt(i + 1);
                int t = perm[i];
                perm[i] = perm[j];
                perm[j] = t;
            }
            float[] v = new float[n];
            for (int i = 0; i < n; i++) {
                v[i] = (float) (-2.0 + 4.0 * perm[i] / n);
            }
            return v;
        };
    }

    /** 0 or 1 with equal probability (masks). */
    static Values bits() {
        return (rng, n) -> {
            float[] u = uniform(0, 1).make(rng, n);
            for (int i = 0; i < n; i++) {
                u[i] = u[i] < 0.5f ? 0f : 1f;
            }
            return u;
        };
    }

    /** Integers in [lo, hi], as floats (so eq finds equal pairs). */
    static Values ints(int lo, int hi) {
        return (rng, n) -> {
            float[] v = new float[n];
            for (int i = 0; i < n; i++) {
                v[i] = lo + rng.nextInt(hi - lo + 1);
            }
            return v;
        };
    }
}

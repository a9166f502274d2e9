package dev.diti4j.bench;

import java.util.SplittableRandom;

/** Seeded inputs for the benchmarks. */
final class BenchData {
    private BenchData() {
    }

    /** n standard-normal floats. */
    static float[] gaussian(SplittableRandom rng, int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            // Box-Muller on two uniforms in (0, 1]
            double u = 1.0 - rng.nextDouble();
            double v = rng.nextDouble();
            x[i] = (float) (Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v));
        }
        return x;
    }
}

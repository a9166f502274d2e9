package dev.diti4j.diti.eval.probe;

import dev.diti4j.core.random.Philox;

/** Seeded synthetic features and labels for the probe tests. */
final class ProbeData {
    private ProbeData() {
    }

    /** n × d standard normal values from the Philox stream of the seed. */
    static float[][] gaussian(int n, int d, long seed) {
        float[] flat = new float[n * d];
        Philox.fill(true, seed, 0, flat, 0, flat.length);
        return Features.fromFlat(flat, n, d);
    }

    /** n uniform labels in [0, classes). */
    static int[] uniformLabels(int n, int classes, long seed) {
        Philox rng = new Philox(seed);
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            y[i] = rng.nextInt(classes);
        }
        return y;
    }

    /**
     * Class c has mean {@code sep}·(±e_{c/2}) (sign + for even c) in the first dimensions and
     * unit normal noise everywhere: linearly separable up to the noise.
     */
    static float[][] classClusters(int[] y, int d, float sep, long seed) {
        float[][] x = gaussian(y.length, d, seed);
        for (int i = 0; i < y.length; i++) {
            x[i][y[i] / 2] += (y[i] % 2 == 0 ? sep : -sep);
        }
        return x;
    }
}

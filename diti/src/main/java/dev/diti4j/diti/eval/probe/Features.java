package dev.diti4j.diti.eval.probe;

/**
 * Small conversions between the shapes features arrive in and the {@code float[n][d]} rows the
 * probes read.
 */
public final class Features {
    private Features() {
    }

    /**
     * Rows of a row-major (n, d) array, e.g. an encoder's output tensor copied to the host.
     *
     * @throws IllegalArgumentException when n or d is below 1 or {@code flat.length != n·d}
     */
    public static float[][] fromFlat(float[] flat, int n, int d) {
        Checks.notNull("flat features", flat);
        if (n < 1 || d < 1) {
            throw new IllegalArgumentException("flat features need n >= 1 and d >= 1, got n = " + n + ", d = " + d);
        }
        if ((long) n * d != flat.length) {
            throw new IllegalArgumentException("flat features have " + flat.length + " values, not n·d = " + n + "·"
                    + d + " = " + (long) n * d);
        }
        float[][] x = new float[n][d];
        for (int i = 0; i < n; i++) {
            System.arraycopy(flat, i * d, x[i], 0, d);
        }
        return x;
    }

    /**
     * Columns [from, to) of every row, copied: z[from : to] in METHOD 4.3's notation.
     *
     * @throws IllegalArgumentException when the range is empty or outside the rows
     */
    public static float[][] columns(float[][] x, int from, int to) {
        int d = Checks.features("features", x);
        if (from < 0 || to > d || from >= to) {
            throw new IllegalArgumentException("column range [" + from + ", " + to + ") is empty or outside [0, " + d
                    + ")");
        }
        float[][] out = new float[x.length][];
        for (int i = 0; i < x.length; i++) {
            out[i] = java.util.Arrays.copyOfRange(x[i], from, to);
        }
        return out;
    }
}

package dev.diti4j.diti.eval.probe;

/**
 * The input checks every public entry point of this package runs first. Each failure is one
 * {@link IllegalArgumentException} sentence that names the argument and the offending row or
 * column, so a caller can find the bad value without a debugger.
 */
final class Checks {
    private Checks() {
    }

    /**
     * A feature matrix: not null, at least one row, every row the same non-zero length, every
     * value finite. Returns d, the number of columns.
     */
    static int features(String name, float[][] x) {
        if (x == null) {
            throw new IllegalArgumentException(name + " is null");
        }
        if (x.length == 0) {
            throw new IllegalArgumentException(name + " has no rows (n = 0)");
        }
        if (x[0] == null) {
            throw new IllegalArgumentException(name + " row 0 is null");
        }
        int d = x[0].length;
        if (d == 0) {
            throw new IllegalArgumentException(name + " has no columns (d = 0)");
        }
        for (int i = 0; i < x.length; i++) {
            float[] row = x[i];
            if (row == null) {
                throw new IllegalArgumentException(name + " row " + i + " is null");
            }
            if (row.length != d) {
                throw new IllegalArgumentException(name + " row " + i + " has " + row.length
                        + " columns, but row 0 has " + d);
            }
            for (int j = 0; j < d; j++) {
                if (!Float.isFinite(row[j])) {
                    throw new IllegalArgumentException(name + " row " + i + " column " + j + " is " + row[j]
                            + "; features must be finite");
                }
            }
        }
        return d;
    }

    /** A second feature matrix that must have the same number of columns as the training one. */
    static void sameColumns(String name, float[][] x, int d, String reference) {
        int dx = features(name, x);
        if (dx != d) {
            throw new IllegalArgumentException(name + " has " + dx + " columns but " + reference + " has " + d);
        }
    }

    /** Two arrays that must describe the same examples. */
    static void sameRows(String xName, int rows, String yName, int labels) {
        if (rows != labels) {
            throw new IllegalArgumentException(xName + " has " + rows + " rows but " + yName + " has " + labels
                    + " labels");
        }
    }

    /** Class labels in [0, classes). */
    static void classLabels(String name, int[] y, int classes) {
        if (y == null) {
            throw new IllegalArgumentException(name + " is null");
        }
        if (classes < 2) {
            throw new IllegalArgumentException(name + ": a classifier needs at least 2 classes, got " + classes);
        }
        for (int i = 0; i < y.length; i++) {
            if (y[i] < 0 || y[i] >= classes) {
                throw new IllegalArgumentException(name + "[" + i + "] = " + y[i] + " is outside [0, " + classes + ")");
            }
        }
    }

    /** Every class appears at least once among the training labels. */
    static void everyClassPresent(String name, int[] y, int classes) {
        int[] count = new int[classes];
        for (int v : y) {
            count[v]++;
        }
        for (int c = 0; c < classes; c++) {
            if (count[c] == 0) {
                throw new IllegalArgumentException(name + " has no example of class " + c + " (of " + classes
                        + "); a probe cannot learn a class it never sees");
            }
        }
    }

    /**
     * A rectangular n × L matrix of 0/1 labels. Returns L.
     */
    static int binaryLabels(String name, int[][] y) {
        if (y == null) {
            throw new IllegalArgumentException(name + " is null");
        }
        if (y.length == 0) {
            throw new IllegalArgumentException(name + " has no rows (n = 0)");
        }
        if (y[0] == null || y[0].length == 0) {
            throw new IllegalArgumentException(name + " row 0 has no labels");
        }
        int labels = y[0].length;
        for (int i = 0; i < y.length; i++) {
            if (y[i] == null || y[i].length != labels) {
                throw new IllegalArgumentException(name + " row " + i + " has "
                        + (y[i] == null ? 0 : y[i].length) + " labels, but row 0 has " + labels);
            }
            for (int l = 0; l < labels; l++) {
                if (y[i][l] != 0 && y[i][l] != 1) {
                    throw new IllegalArgumentException(name + " row " + i + " label " + l + " is " + y[i][l]
                            + "; binary labels must be 0 or 1 (map -1/1 attributes with (y + 1) / 2)");
                }
            }
        }
        return labels;
    }

    /** A rectangular n × T matrix of finite targets. Returns T. */
    static int targets(String name, float[][] y) {
        if (y == null) {
            throw new IllegalArgumentException(name + " is null");
        }
        if (y.length == 0) {
            throw new IllegalArgumentException(name + " has no rows (n = 0)");
        }
        if (y[0] == null || y[0].length == 0) {
            throw new IllegalArgumentException(name + " row 0 has no targets");
        }
        int t = y[0].length;
        for (int i = 0; i < y.length; i++) {
            if (y[i] == null || y[i].length != t) {
                throw new IllegalArgumentException(name + " row " + i + " has " + (y[i] == null ? 0 : y[i].length)
                        + " targets, but row 0 has " + t);
            }
            for (int j = 0; j < t; j++) {
                if (!Float.isFinite(y[i][j])) {
                    throw new IllegalArgumentException(name + " row " + i + " target " + j + " is " + y[i][j]
                            + "; targets must be finite");
                }
            }
        }
        return t;
    }

    /** Finite scores of one column, for a metric. */
    static void finiteScores(String name, double[] s) {
        for (int i = 0; i < s.length; i++) {
            if (!Double.isFinite(s[i])) {
                throw new IllegalArgumentException(name + "[" + i + "] is " + s[i] + "; scores must be finite");
            }
        }
    }

    static void notNull(String name, Object o) {
        if (o == null) {
            throw new IllegalArgumentException(name + " is null");
        }
    }

    /**
     * Column ranges [start, end) inside a feature of length d, each non-empty. Returns a copy.
     */
    static int[][] ranges(String name, int[][] ranges, int d) {
        if (ranges == null || ranges.length == 0) {
            throw new IllegalArgumentException(name + " holds no column range");
        }
        int[][] out = new int[ranges.length][];
        for (int i = 0; i < ranges.length; i++) {
            int[] r = ranges[i];
            if (r == null || r.length != 2) {
                throw new IllegalArgumentException(name + " range " + i + " must be {start, end}");
            }
            if (r[0] < 0 || r[1] > d || r[0] >= r[1]) {
                throw new IllegalArgumentException(name + " range " + i + " [" + r[0] + ", " + r[1]
                        + ") is empty or outside [0, " + d + ")");
            }
            out[i] = r.clone();
        }
        return out;
    }

    /**
     * An n × F matrix of factor values, factor f in [0, cardinalities[f]). Returns F.
     */
    static int factorLabels(String name, int[][] y, int[] cardinalities) {
        notNull(name, y);
        notNull("cardinalities", cardinalities);
        if (y.length == 0) {
            throw new IllegalArgumentException(name + " has no rows (n = 0)");
        }
        int f = cardinalities.length;
        if (f == 0) {
            throw new IllegalArgumentException("cardinalities name no factor");
        }
        for (int j = 0; j < f; j++) {
            if (cardinalities[j] < 2) {
                throw new IllegalArgumentException("factor " + j + " has cardinality " + cardinalities[j]
                        + "; a probe needs at least 2 values");
            }
        }
        for (int i = 0; i < y.length; i++) {
            if (y[i] == null || y[i].length != f) {
                throw new IllegalArgumentException(name + " row " + i + " has " + (y[i] == null ? 0 : y[i].length)
                        + " factor values, but there are " + f + " cardinalities");
            }
            for (int j = 0; j < f; j++) {
                if (y[i][j] < 0 || y[i][j] >= cardinalities[j]) {
                    throw new IllegalArgumentException(name + " row " + i + " factor " + j + " = " + y[i][j]
                            + " is outside [0, " + cardinalities[j] + ")");
                }
            }
        }
        return f;
    }

    /** Column f of a label matrix. */
    static int[] column(int[][] y, int f) {
        int[] out = new int[y.length];
        for (int i = 0; i < y.length; i++) {
            out[i] = y[i][f];
        }
        return out;
    }
}

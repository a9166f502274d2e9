package dev.diti4j.diti.eval.probe;

import java.util.Locale;

/**
 * Test accuracies of per-subset probes: the data behind a "factors × time-step ranges" heatmap
 * ({@link SubsetProbes}, METHOD 9 "Evaluation" item 2).
 *
 * @param ranges the column range [start, end) of each subset, in order
 * @param prefix prefix[f][i]: accuracy of factor f from the cumulative prefix, subsets 0 … i
 * @param single single[f][i]: accuracy of factor f from subset i alone
 * @param chance chance[f]: the best constant guess's accuracy ({@link Metrics#chanceAccuracy})
 */
public record SubsetProbeMatrix(int[][] ranges, double[][] prefix, double[][] single, double[] chance) {
    public SubsetProbeMatrix {
        ranges = deep(ranges);
        prefix = deep(prefix);
        single = deep(single);
        chance = chance.clone();
    }

    @Override
    public int[][] ranges() {
        return deep(ranges);
    }

    @Override
    public double[][] prefix() {
        return deep(prefix);
    }

    @Override
    public double[][] single() {
        return deep(single);
    }

    @Override
    public double[] chance() {
        return chance.clone();
    }

    /** F, the number of factors (rows). */
    public int factors() {
        return chance.length;
    }

    /** k, the number of subsets (columns). */
    public int subsets() {
        return ranges.length;
    }

    /** prefix normalised to chance: (acc − chance) / (1 − chance) ({@link Metrics#aboveChance}). */
    public double[][] prefixAboveChance() {
        return aboveChance(prefix);
    }

    /** single normalised to chance: (acc − chance) / (1 − chance). */
    public double[][] singleAboveChance() {
        return aboveChance(single);
    }

    private double[][] aboveChance(double[][] acc) {
        double[][] out = new double[acc.length][acc[0].length];
        for (int f = 0; f < acc.length; f++) {
            for (int i = 0; i < acc[f].length; i++) {
                out[f][i] = Metrics.aboveChance(acc[f][i], chance[f]);
            }
        }
        return out;
    }

    /** Both matrices as text, one row per factor, for logs. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        table(sb, "prefix z[0 : end(i)]", prefix);
        table(sb, "single subset z[start(i) : end(i)]", single);
        return sb.toString();
    }

    private void table(StringBuilder sb, String title, double[][] m) {
        sb.append(title).append(" (accuracy; chance in brackets)\n");
        for (int f = 0; f < m.length; f++) {
            sb.append(String.format(Locale.ROOT, "factor %2d [%.3f]", f, chance[f]));
            for (double v : m[f]) {
                sb.append(String.format(Locale.ROOT, " %.3f", v));
            }
            sb.append('\n');
        }
    }

    private static int[][] deep(int[][] a) {
        int[][] out = new int[a.length][];
        for (int i = 0; i < a.length; i++) {
            out[i] = a[i].clone();
        }
        return out;
    }

    private static double[][] deep(double[][] a) {
        double[][] out = new double[a.length][];
        for (int i = 0; i < a.length; i++) {
            out[i] = a[i].clone();
        }
        return out;
    }
}

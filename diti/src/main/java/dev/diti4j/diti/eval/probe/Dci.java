package dev.diti4j.diti.eval.probe;

import dev.diti4j.diti.model.Partition;
import java.util.Arrays;
import java.util.List;

/**
 * The DCI scores of Eastwood and Williams (ICLR 2018, "A framework for the quantitative evaluation
 * of disentangled representations") from an importance matrix R: R_ij ≥ 0 is how much code i
 * (a feature dimension, or a whole subset of z) matters for predicting factor j.
 *
 * <pre>
 *   Disentanglement   P_ij = R_ij / Σ_j' R_ij'        D_i = 1 − H_F(P_i·)      ρ_i = Σ_j R_ij / Σ R
 *                     D = Σ_i ρ_i D_i
 *   Completeness      P̃_ij = R_ij / Σ_i' R_i'j       C_j = 1 − H_d(P̃_·j)     ρ̃_j = Σ_i R_ij / Σ R
 *                     C = Σ_j ρ̃_j C_j
 *   Informativeness   the probes' accuracy (passed in)
 *   H_K(p) = −Σ p log p / log K, with 0 log 0 = 0 and H_1 ≡ 0.
 * </pre>
 * D_i = 1 when code i matters for one factor only; C_j = 1 when factor j is read from one code
 * only. A code (row) with no importance has weight ρ_i = 0 and D_i = NaN; likewise a factor
 * (column) with C_j = NaN. The overall C weights factors by their importance, as D weights codes
 * (the convention of the disentanglement_lib implementation); {@link Score#unweightedCompleteness()}
 * is the plain mean.
 *
 * <p><b>For DiTi</b>, the codes that matter are the subsets of z, not single dimensions: the method
 * only asks that each subset as a whole carry its own factors (METHOD 4.1). {@link #ofSubsets}
 * groups R's rows by the partition, summing the rows of each subset, and scores the k × F matrix
 * (completeness with log base k).
 *
 * <p>R usually comes from linear probes on <em>standardised</em> z ({@link #importance}), so a
 * weight's size is comparable across dimensions of different scale.
 */
public final class Dci {
    private Dci() {
    }

    /**
     * DCI scores.
     *
     * @param disentanglement         D
     * @param completeness            C (importance-weighted over factors)
     * @param informativeness         as passed in
     * @param perCodeDisentanglement  D_i (NaN for a code with no importance)
     * @param perFactorCompleteness   C_j (NaN for a factor with no importance)
     * @param codeWeights             ρ_i
     * @param factorWeights           ρ̃_j
     */
    public record Score(double disentanglement, double completeness, double informativeness,
                        double[] perCodeDisentanglement, double[] perFactorCompleteness, double[] codeWeights,
                        double[] factorWeights) {
        public Score {
            perCodeDisentanglement = perCodeDisentanglement.clone();
            perFactorCompleteness = perFactorCompleteness.clone();
            codeWeights = codeWeights.clone();
            factorWeights = factorWeights.clone();
        }

        @Override
        public double[] perCodeDisentanglement() {
            return perCodeDisentanglement.clone();
        }

        @Override
        public double[] perFactorCompleteness() {
            return perFactorCompleteness.clone();
        }

        @Override
        public double[] codeWeights() {
            return codeWeights.clone();
        }

        @Override
        public double[] factorWeights() {
            return factorWeights.clone();
        }

        @Override
        public String toString() {
            return "Dci[D=" + disentanglement + ", C=" + completeness + ", I=" + informativeness + ", D_i="
                    + Arrays.toString(perCodeDisentanglement) + ", C_j=" + Arrays.toString(perFactorCompleteness)
                    + ", rho_i=" + Arrays.toString(codeWeights) + "]";
        }

        /** The plain mean of the defined C_j. */
        public double unweightedCompleteness() {
            return Metrics.nanMean(perFactorCompleteness)[0];
        }
    }

    /**
     * D and C of an importance matrix (codes × factors).
     *
     * @param importance      R, non-negative and finite, not all zero
     * @param informativeness the probes' accuracy (or NaN if not measured); reported unchanged
     * @throws IllegalArgumentException for a ragged, negative, non-finite or all-zero R
     */
    public static Score compute(double[][] importance, double informativeness) {
        int f = checkImportance(importance);
        int d = importance.length;
        double[] rowSum = new double[d];
        double[] colSum = new double[f];
        double total = 0;
        for (int i = 0; i < d; i++) {
            for (int j = 0; j < f; j++) {
                rowSum[i] += importance[i][j];
                colSum[j] += importance[i][j];
            }
            total += rowSum[i];
        }
        if (total == 0) {
            throw new IllegalArgumentException("the importance matrix is all zero, so DCI is undefined");
        }
        double[] perCode = new double[d];
        double[] rho = new double[d];
        double dis = 0;
        double[] p = new double[f];
        for (int i = 0; i < d; i++) {
            rho[i] = rowSum[i] / total;
            if (rowSum[i] == 0) {
                perCode[i] = Double.NaN;
                continue;
            }
            for (int j = 0; j < f; j++) {
                p[j] = importance[i][j] / rowSum[i];
            }
            perCode[i] = 1 - entropy(p, f);
            dis += rho[i] * perCode[i];
        }
        double[] perFactor = new double[f];
        double[] rhoF = new double[f];
        double com = 0;
        double[] q = new double[d];
        for (int j = 0; j < f; j++) {
            rhoF[j] = colSum[j] / total;
            if (colSum[j] == 0) {
                perFactor[j] = Double.NaN;
                continue;
            }
            for (int i = 0; i < d; i++) {
                q[i] = importance[i][j] / colSum[j];
            }
            perFactor[j] = 1 - entropy(q, d);
            com += rhoF[j] * perFactor[j];
        }
        return new Score(dis, com, informativeness, perCode, perFactor, rho, rhoF);
    }

    /**
     * DCI with the subsets of a partition as the codes: R's d rows are summed within each subset
     * and the k × F matrix is scored ({@link #groupRows}).
     */
    public static Score ofSubsets(double[][] importance, Partition partition, double informativeness) {
        Checks.notNull("partition", partition);
        checkImportance(importance);
        if (partition.latentDim() != importance.length) {
            throw new IllegalArgumentException("the partition covers " + partition.latentDim()
                    + " dimensions but the importance matrix has " + importance.length + " rows");
        }
        return compute(groupRows(importance, SubsetProbes.ranges(partition)), informativeness);
    }

    /** DCI with explicit column ranges {start, end} as the codes. */
    public static Score ofSubsets(double[][] importance, int[][] ranges, double informativeness) {
        return compute(groupRows(importance, ranges), informativeness);
    }

    /**
     * Row g of the result is Σ_{i ∈ [start_g, end_g)} R_i·: the importance of each range of codes.
     */
    public static double[][] groupRows(double[][] importance, int[][] ranges) {
        int f = checkImportance(importance);
        int[][] r = Checks.ranges("ranges", ranges, importance.length);
        double[][] out = new double[r.length][f];
        for (int g = 0; g < r.length; g++) {
            for (int i = r[g][0]; i < r[g][1]; i++) {
                for (int j = 0; j < f; j++) {
                    out[g][j] += importance[i][j];
                }
            }
        }
        return out;
    }

    /**
     * The importance matrix of one probe per factor (d × F): R_ij = Σ_c |W^(j)_ci|, the absolute
     * weights of factor j's probe on dimension i summed over its classes
     * ({@link LinearModel#absWeightSums()}). Train the probes with standardisation.
     *
     * @throws IllegalArgumentException when the probes disagree on d or the list is empty
     */
    public static double[][] importance(List<LinearModel> factorProbes) {
        if (factorProbes == null || factorProbes.isEmpty()) {
            throw new IllegalArgumentException("give at least one factor probe");
        }
        int d = factorProbes.get(0).inputs();
        double[][] r = new double[d][factorProbes.size()];
        for (int j = 0; j < factorProbes.size(); j++) {
            LinearModel m = factorProbes.get(j);
            if (m.inputs() != d) {
                throw new IllegalArgumentException("factor probe " + j + " reads " + m.inputs()
                        + " dimensions but probe 0 reads " + d);
            }
            double[] col = m.absWeightSums();
            for (int i = 0; i < d; i++) {
                r[i][j] = col[i];
            }
        }
        return r;
    }

    /**
     * The importance matrix of a multi-label probe, each output a factor (d × L): R_il = |W_li|.
     */
    public static double[][] importanceOfOutputs(LinearModel model) {
        Checks.notNull("model", model);
        double[][] w = model.weights();
        double[][] r = new double[model.inputs()][model.outputs()];
        for (int l = 0; l < w.length; l++) {
            for (int i = 0; i < w[l].length; i++) {
                r[i][l] = Math.abs(w[l][i]);
            }
        }
        return r;
    }

    /** H_K(p) = −Σ p log p / log K (natural logs, StrictMath), 0 when K = 1. */
    static double entropy(double[] p, int base) {
        if (base <= 1) {
            return 0;
        }
        double h = 0;
        for (double v : p) {
            if (v > 0) {
                h -= v * StrictMath.log(v);
            }
        }
        return h / StrictMath.log(base);
    }

    private static int checkImportance(double[][] r) {
        Checks.notNull("importance matrix", r);
        if (r.length == 0) {
            throw new IllegalArgumentException("the importance matrix has no rows");
        }
        if (r[0] == null || r[0].length == 0) {
            throw new IllegalArgumentException("the importance matrix has no factor columns");
        }
        int f = r[0].length;
        for (int i = 0; i < r.length; i++) {
            if (r[i] == null || r[i].length != f) {
                throw new IllegalArgumentException("importance row " + i + " has " + (r[i] == null ? 0 : r[i].length)
                        + " columns, but row 0 has " + f);
            }
            for (int j = 0; j < f; j++) {
                if (!Double.isFinite(r[i][j]) || r[i][j] < 0) {
                    throw new IllegalArgumentException("importance row " + i + " column " + j + " is " + r[i][j]
                            + "; importances must be finite and >= 0");
                }
            }
        }
        return f;
    }
}

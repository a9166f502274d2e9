package dev.diti4j.diti.eval.probe;

import java.util.Optional;
import java.util.stream.IntStream;

/**
 * A learned linear map s = W·x̃ + b from a feature to C outputs (logits of classes or labels, or
 * regression predictions), where x̃ is the feature itself (raw z, the default of METHOD 8 item
 * 14) or its standardisation when the probe was trained with one.
 *
 * <p>The weights are exposed so that a caller can use a probe's weight row as a manipulation
 * direction (METHOD 6.5 step 4: w is a classifier weight row in standardised space) or as an
 * importance for {@link Dci}. {@link #weights()} is always in the space the probe was trained in;
 * {@link #foldedIntoRawFeatures()} gives the same function written on raw z.
 */
public final class LinearModel {
    private final double[][] weight;
    private final double[] bias;
    private final Standardizer standardizer;

    /**
     * @param weight       C × d
     * @param bias         C
     * @param standardizer applied to a raw feature before the map, or null for raw z
     */
    public LinearModel(double[][] weight, double[] bias, Standardizer standardizer) {
        Checks.notNull("weight", weight);
        Checks.notNull("bias", bias);
        if (weight.length == 0 || weight.length != bias.length) {
            throw new IllegalArgumentException("a linear model needs as many bias values as weight rows, got "
                    + weight.length + " rows and " + bias.length + " biases");
        }
        int d = weight[0].length;
        double[][] w = new double[weight.length][];
        for (int c = 0; c < weight.length; c++) {
            if (weight[c].length != d || d == 0) {
                throw new IllegalArgumentException("weight row " + c + " has " + weight[c].length
                        + " columns, but row 0 has " + d);
            }
            w[c] = weight[c].clone();
        }
        if (standardizer != null && standardizer.dim() != d) {
            throw new IllegalArgumentException("the standardiser has " + standardizer.dim()
                    + " dimensions but the weights have " + d);
        }
        this.weight = w;
        this.bias = bias.clone();
        this.standardizer = standardizer;
    }

    /** C, the number of outputs. */
    public int outputs() {
        return weight.length;
    }

    /** d, the feature length. */
    public int inputs() {
        return weight[0].length;
    }

    /** W (C × d), a copy. */
    public double[][] weights() {
        double[][] out = new double[weight.length][];
        for (int c = 0; c < weight.length; c++) {
            out[c] = weight[c].clone();
        }
        return out;
    }

    /** Row c of W: output c's direction in the probe's input space. */
    public double[] weightRow(int c) {
        if (c < 0 || c >= weight.length) {
            throw new IllegalArgumentException("output " + c + " is outside [0, " + weight.length + ")");
        }
        return weight[c].clone();
    }

    /** b, a copy. */
    public double[] bias() {
        return bias.clone();
    }

    /** The standardisation the probe applies before W, if it was trained with one. */
    public Optional<Standardizer> standardizer() {
        return Optional.ofNullable(standardizer);
    }

    /**
     * Σ_c |W_cj| for every feature j: how much the probe relies on each dimension, summed over
     * its outputs. With a standardised probe this is the per-factor importance column {@link Dci}
     * expects.
     */
    public double[] absWeightSums() {
        double[] r = new double[inputs()];
        for (double[] row : weight) {
            for (int j = 0; j < r.length; j++) {
                r[j] += Math.abs(row[j]);
            }
        }
        return r;
    }

    /**
     * The same function on raw features: W' = W / σ (column-wise), b' = b − W'·μ. Returns this
     * model when it has no standardiser.
     */
    public LinearModel foldedIntoRawFeatures() {
        if (standardizer == null) {
            return this;
        }
        double[] mu = standardizer.mean();
        double[] sd = standardizer.std();
        double[][] w = new double[weight.length][inputs()];
        double[] b = bias.clone();
        for (int c = 0; c < weight.length; c++) {
            for (int j = 0; j < inputs(); j++) {
                w[c][j] = weight[c][j] / sd[j];
                b[c] -= w[c][j] * mu[j];
            }
        }
        return new LinearModel(w, b, null);
    }

    /**
     * s = W·x̃ + b for every row (n × C), in double precision.
     *
     * @throws IllegalArgumentException for an empty, ragged or non-finite matrix or one with the
     *         wrong number of columns
     */
    public double[][] scores(float[][] x) {
        Checks.sameColumns("features", x, inputs(), "the model");
        return scores(x, false);
    }

    /** Unchecked; rows are independent, so the parallel version gives the same bits. */
    double[][] scores(float[][] x, boolean parallel) {
        double[][] out = new double[x.length][];
        IntStream rows = IntStream.range(0, x.length);
        (parallel ? rows.parallel() : rows).forEach(i -> out[i] = scoreRow(x[i]));
        return out;
    }

    private double[] scoreRow(float[] row) {
        int d = inputs();
        double[] in = new double[d];
        if (standardizer != null) {
            in = standardizer.apply(row);
        } else {
            for (int j = 0; j < d; j++) {
                in[j] = row[j];
            }
        }
        double[] s = new double[weight.length];
        for (int c = 0; c < weight.length; c++) {
            double acc = bias[c];
            double[] w = weight[c];
            for (int j = 0; j < d; j++) {
                acc += w[j] * in[j];
            }
            s[c] = acc;
        }
        return s;
    }
}

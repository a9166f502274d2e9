package dev.diti4j.diti.eval.probe;

/**
 * A multi-label linear probe, METHOD 7.1's CelebA protocol: Linear(d → L) on frozen z trained with
 * binary cross-entropy on the logits over all L labels, the epoch with the best mean validation AP
 * kept, mean test AP reported.
 *
 * <p>Loss: the mean over the batch's m examples and L labels of
 * −[y log σ(s) + (1 − y) log(1 − σ(s))], so ∂loss/∂s_il = (σ(s_il) − y_il) / (m·L), PyTorch's
 * {@code BCEWithLogitsLoss()}. σ is computed with {@link StrictMath#exp} in its overflow-free form.
 */
public final class MultiLabelProbe {
    private MultiLabelProbe() {
    }

    /**
     * Trains Linear(d → L).
     *
     * @param xTrain training features (n × d)
     * @param yTrain training labels (n × L), 0 or 1; every label needs at least one positive and
     *               one negative training example
     * @param xVal   validation features for model selection, or null to keep the last epoch
     * @param yVal   validation labels, null exactly when {@code xVal} is
     * @throws IllegalArgumentException for a length mismatch, no rows, a non-finite feature, a label
     *         other than 0 or 1, or a label that never varies in training
     */
    public static ProbeFit fit(float[][] xTrain, int[][] yTrain, float[][] xVal, int[][] yVal, ProbeConfig cfg) {
        Checks.notNull("probe config", cfg);
        int d = Checks.features("xTrain", xTrain);
        int labels = Checks.binaryLabels("yTrain", yTrain);
        Checks.sameRows("xTrain", xTrain.length, "yTrain", yTrain.length);
        for (int l = 0; l < labels; l++) {
            int pos = 0;
            for (int[] row : yTrain) {
                pos += row[l];
            }
            if (pos == 0 || pos == yTrain.length) {
                throw new IllegalArgumentException("yTrain label " + l + " is " + (pos == 0 ? 0 : 1)
                        + " for every training example; a probe cannot learn a label that never varies");
            }
        }
        java.util.function.ToDoubleFunction<LinearModel> validate = null;
        if (xVal != null || yVal != null) {
            if (xVal == null || yVal == null) {
                throw new IllegalArgumentException("give both xVal and yVal, or neither");
            }
            Checks.sameColumns("xVal", xVal, d, "xTrain");
            int lv = Checks.binaryLabels("yVal", yVal);
            Checks.sameRows("xVal", xVal.length, "yVal", yVal.length);
            if (lv != labels) {
                throw new IllegalArgumentException("yVal has " + lv + " labels per row but yTrain has " + labels);
            }
            validate = m -> Metrics.meanAveragePrecision(m.scores(xVal, cfg.parallel()), yVal).mean();
        }
        AdamTrainer.Loss bce = (rows, logits, grad, i) -> {
            double scale = 1.0 / ((double) rows.length * labels);
            int[] y = yTrain[rows[i]];
            for (int l = 0; l < labels; l++) {
                grad[i][l] = (sigmoid(logits[i][l]) - y[l]) * scale;
            }
        };
        return AdamTrainer.train(xTrain, labels, bce, validate, cfg);
    }

    /**
     * The per-label AP and mean AP of a trained probe on a split (METHOD 7.1 "Report"); labels
     * with no positive example in the split are NaN and left out of the mean.
     */
    public static Metrics.MeanAp evaluate(LinearModel model, float[][] x, int[][] y) {
        Checks.notNull("model", model);
        Checks.sameColumns("x", x, model.inputs(), "the model");
        int labels = Checks.binaryLabels("y", y);
        Checks.sameRows("x", x.length, "y", y.length);
        if (labels != model.outputs()) {
            throw new IllegalArgumentException("y has " + labels + " labels per row but the model has "
                    + model.outputs() + " outputs");
        }
        return Metrics.meanAveragePrecision(model.scores(x, false), y);
    }

    /** σ(s) = 1/(1 + e^−s) for s ≥ 0 and e^s/(1 + e^s) otherwise, so exp never overflows. */
    static double sigmoid(double s) {
        if (s >= 0) {
            return 1 / (1 + StrictMath.exp(-s));
        }
        double e = StrictMath.exp(s);
        return e / (1 + e);
    }
}

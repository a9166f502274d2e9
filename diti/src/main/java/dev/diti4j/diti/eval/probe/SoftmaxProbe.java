package dev.diti4j.diti.eval.probe;

import java.util.function.ToDoubleFunction;

/**
 * A multi-class linear probe (softmax regression), METHOD 9 "Evaluation" item 1: Linear(d → C) on
 * frozen z trained with cross-entropy, the epoch with the best validation accuracy kept; reports
 * accuracy and the mean one-vs-rest AP (the DiTi metric, METHOD 7.1) of the softmax probabilities.
 *
 * <p>Loss: the batch mean of −log softmax(s)_y, so ∂loss/∂s_ic = (p_ic − [c = y_i]) / m.
 */
public final class SoftmaxProbe {
    private SoftmaxProbe() {
    }

    /**
     * A probe's scores on one split.
     *
     * @param accuracy    correct / n
     * @param correct     how many predictions (argmax of the logits) were right
     * @param n           examples scored
     * @param oneVsRest   per-class one-vs-rest AP of the probabilities and their mean
     * @param predictions the predicted class of every example
     */
    public record Score(double accuracy, int correct, int n, Metrics.MeanAp oneVsRest, int[] predictions) {
        public Score {
            predictions = predictions.clone();
        }

        @Override
        public int[] predictions() {
            return predictions.clone();
        }

        /** The 95% Wilson score interval of the accuracy ({@link Intervals#wilson(int, int)}). */
        public Intervals.Interval wilson() {
            return Intervals.wilson(correct, n);
        }

        /** (accuracy − chance) / (1 − chance) ({@link Metrics#aboveChance}). */
        public double aboveChance(double chance) {
            return Metrics.aboveChance(accuracy, chance);
        }
    }

    /**
     * Trains Linear(d → C).
     *
     * @param xTrain  training features (n × d)
     * @param yTrain  training classes in [0, classes); each class needs a training example
     * @param classes C ≥ 2
     * @param xVal    validation features for model selection, or null to keep the last epoch
     * @param yVal    validation classes, null exactly when {@code xVal} is
     * @throws IllegalArgumentException for a length mismatch, no rows, a non-finite feature, a label
     *         out of range, or a class with no training example
     */
    public static ProbeFit fit(float[][] xTrain, int[] yTrain, int classes, float[][] xVal, int[] yVal,
                               ProbeConfig cfg) {
        Checks.notNull("probe config", cfg);
        int d = Checks.features("xTrain", xTrain);
        Checks.classLabels("yTrain", yTrain, classes);
        Checks.sameRows("xTrain", xTrain.length, "yTrain", yTrain.length);
        Checks.everyClassPresent("yTrain", yTrain, classes);
        ToDoubleFunction<LinearModel> validate = null;
        if (xVal != null || yVal != null) {
            if (xVal == null || yVal == null) {
                throw new IllegalArgumentException("give both xVal and yVal, or neither");
            }
            Checks.sameColumns("xVal", xVal, d, "xTrain");
            Checks.classLabels("yVal", yVal, classes);
            Checks.sameRows("xVal", xVal.length, "yVal", yVal.length);
            validate = m -> Metrics.accuracy(Metrics.argmax(m.scores(xVal, cfg.parallel())), yVal);
        }
        AdamTrainer.Loss crossEntropy = (rows, logits, grad, i) -> {
            double[] p = Metrics.softmax(logits[i]);
            int y = yTrain[rows[i]];
            double scale = 1.0 / rows.length;
            for (int c = 0; c < classes; c++) {
                grad[i][c] = (p[c] - (c == y ? 1 : 0)) * scale;
            }
        };
        return AdamTrainer.train(xTrain, classes, crossEntropy, validate, cfg);
    }

    /** Accuracy and one-vs-rest AP of a trained probe on a split. */
    public static Score evaluate(LinearModel model, float[][] x, int[] y) {
        Checks.notNull("model", model);
        Checks.sameColumns("x", x, model.inputs(), "the model");
        Checks.classLabels("y", y, model.outputs());
        Checks.sameRows("x", x.length, "y", y.length);
        double[][] logits = model.scores(x, false);
        int[] pred = Metrics.argmax(logits);
        double[][] prob = new double[logits.length][];
        for (int i = 0; i < logits.length; i++) {
            prob[i] = Metrics.softmax(logits[i]);
        }
        int correct = Metrics.correct(pred, y);
        return new Score((double) correct / y.length, correct, y.length,
                Metrics.oneVsRestAveragePrecision(prob, y, model.outputs()), pred);
    }
}

package dev.diti4j.cli.demo;

import dev.diti4j.diti.data.Dataset;
import dev.diti4j.diti.eval.probe.Bootstrap;
import dev.diti4j.diti.eval.probe.Dci;
import dev.diti4j.diti.eval.probe.Intervals;
import dev.diti4j.diti.eval.probe.LinearModel;
import dev.diti4j.diti.eval.probe.Metrics;
import dev.diti4j.diti.eval.probe.ProbeConfig;
import dev.diti4j.diti.eval.probe.SoftmaxProbe;
import dev.diti4j.diti.eval.probe.SubsetProbeMatrix;
import dev.diti4j.diti.eval.probe.SubsetProbes;
import java.util.ArrayList;
import java.util.List;

/**
 * The linear-probe evaluation of one representation (METHOD 7, 9 "Evaluation"): one softmax probe
 * per label column on standardised features, selected on a validation split and scored on a test
 * split, with Wilson intervals per label and a bootstrap interval of the mean; optionally the
 * per-subset probe matrix and the subset-level DCI scores.
 */
final class Probes {
    /** Full-batch Adam on standardised features (the evaluation's probe for every representation). */
    static final ProbeConfig PROBE = ProbeConfig.fullBatch().withStandardize(true);
    static final long BOOTSTRAP_SEED = 0xB007L;

    private Probes() {
    }

    /** A representation's scores. */
    record Result(String name, int dim, double[] accuracy, Intervals.Interval[] wilson, double[] chance,
            double[] oneVsRestAp, Bootstrap.Result meanAccuracy, double meanAp, SubsetProbeMatrix subsets,
            Dci.Score dci, List<LinearModel> models) {
    }

    /**
     * @param ranges the subsets' column ranges for the per-subset matrix and DCI, or null to skip them
     */
    static Result run(String name, float[][] train, int[][] yTrain, float[][] val, int[][] yVal, float[][] test,
            int[][] yTest, List<Dataset.LabelSpec> labels, int[][] ranges) {
        int f = labels.size();
        double[] acc = new double[f];
        double[] ap = new double[f];
        double[] chance = new double[f];
        Intervals.Interval[] wilson = new Intervals.Interval[f];
        int[][] predicted = new int[yTest.length][f];
        List<LinearModel> models = new ArrayList<>();
        int[] cards = new int[f];
        for (int j = 0; j < f; j++) {
            cards[j] = labels.get(j).cardinality();
            LinearModel m = SoftmaxProbe.fit(train, FeatureSets.column(yTrain, j), cards[j], val,
                    FeatureSets.column(yVal, j), PROBE).model();
            models.add(m);
            SoftmaxProbe.Score s = SoftmaxProbe.evaluate(m, test, FeatureSets.column(yTest, j));
            acc[j] = s.accuracy();
            wilson[j] = s.wilson();
            ap[j] = s.oneVsRest().mean();
            chance[j] = Metrics.chanceAccuracy(FeatureSets.column(yTrain, j), FeatureSets.column(yTest, j), cards[j]);
            int[] p = s.predictions();
            for (int i = 0; i < p.length; i++) {
                predicted[i][j] = p[i];
            }
        }
        Bootstrap.Result mean = Bootstrap.percentile(yTest.length, Bootstrap.meanAccuracy(predicted, yTest),
                BOOTSTRAP_SEED);
        double meanAp = java.util.Arrays.stream(ap).average().orElse(Double.NaN);
        SubsetProbeMatrix subsets = null;
        Dci.Score dci = null;
        if (ranges != null) {
            subsets = SubsetProbes.run(train, yTrain, test, yTest, cards, ranges, SubsetProbes.Options.ridge());
            if (f > 1) {   // disentanglement is about spreading several factors; with one it is 1 by definition
                dci = Dci.ofSubsets(Dci.importance(models), ranges, mean.estimate());
            }
        }
        return new Result(name, train[0].length, acc, wilson, chance, ap, mean, meanAp, subsets, dci, models);
    }
}

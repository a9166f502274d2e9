package dev.diti4j.diti.eval.probe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.diti4j.diti.model.Partition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** Every bad input is refused with one sentence that names what is wrong and where. */
class BadInputsTest {
    private static final float[][] X = {{0, 1}, {1, 0}, {1, 1}, {0, 0}};
    private static final int[] Y = {0, 1, 1, 0};
    private static final ProbeConfig CFG = ProbeConfig.reference().withEpochs(1);

    private static void refused(String message, Executable e) {
        assertEquals(message, assertThrows(IllegalArgumentException.class, e).getMessage());
    }

    @Test
    void features() {
        refused("xTrain has no rows (n = 0)", () -> SoftmaxProbe.fit(new float[0][], new int[0], 2, null, null, CFG));
        refused("xTrain row 2 column 1 is NaN; features must be finite",
                () -> SoftmaxProbe.fit(new float[][] {{0, 1}, {1, 0}, {1, Float.NaN}, {0, 0}}, Y, 2, null, null, CFG));
        refused("xTrain row 1 has 3 columns, but row 0 has 2",
                () -> SoftmaxProbe.fit(new float[][] {{0, 1}, {1, 0, 2}, {1, 1}, {0, 0}}, Y, 2, null, null, CFG));
        refused("xTrain has 4 rows but yTrain has 3 labels",
                () -> SoftmaxProbe.fit(X, new int[] {0, 1, 1}, 2, null, null, CFG));
        refused("xVal has 3 columns but xTrain has 2",
                () -> SoftmaxProbe.fit(X, Y, 2, new float[][] {{0, 1, 2}}, new int[] {0}, CFG));
        refused("give both xVal and yVal, or neither", () -> SoftmaxProbe.fit(X, Y, 2, X, null, CFG));
        refused("flat features have 5 values, not n·d = 2·3 = 6", () -> Features.fromFlat(new float[5], 2, 3));
        refused("column range [1, 1) is empty or outside [0, 2)", () -> Features.columns(X, 1, 1));
    }

    @Test
    void labels() {
        refused("yTrain[3] = 2 is outside [0, 2)",
                () -> SoftmaxProbe.fit(X, new int[] {0, 1, 1, 2}, 2, null, null, CFG));
        refused("yTrain has no example of class 2 (of 3); a probe cannot learn a class it never sees",
                () -> SoftmaxProbe.fit(X, Y, 3, null, null, CFG));
        refused("yTrain row 1 label 0 is -1; binary labels must be 0 or 1 (map -1/1 attributes with (y + 1) / 2)",
                () -> MultiLabelProbe.fit(X, new int[][] {{1}, {-1}, {1}, {0}}, null, null, CFG));
        refused("yTrain label 1 is 0 for every training example; a probe cannot learn a label that never varies",
                () -> MultiLabelProbe.fit(X, new int[][] {{1, 0}, {0, 0}, {1, 0}, {0, 0}}, null, null, CFG));
        refused("yTrain row 2 target 0 is Infinity; targets must be finite",
                () -> RegressionProbe.fit(X, new float[][] {{1}, {2}, {Float.POSITIVE_INFINITY}, {0}}, 0.1));
        refused("choosing among 2 ridge penalties needs a validation split",
                () -> RegressionProbe.fit(X, new float[][] {{1}, {2}, {3}, {0}}, null, null, new double[] {0, 1},
                        false));
        refused("y has 2 labels per row but the model has 1 outputs",
                () -> MultiLabelProbe.evaluate(new LinearModel(new double[][] {{1, 1}}, new double[] {0}, null), X,
                        new int[][] {{1, 0}, {0, 1}, {1, 1}, {0, 0}}));
    }

    @Test
    void metricsAndIntervals() {
        refused("scores has 2 rows but the label array has 3 labels",
                () -> Metrics.averagePrecision(new double[] {1, 2}, new int[] {1, 0, 1}));
        refused("scores[1] is NaN; scores must be finite",
                () -> Metrics.averagePrecision(new double[] {1, Double.NaN}, new int[] {1, 0}));
        refused("average precision needs at least one example (n = 0)",
                () -> Metrics.averagePrecision(new double[0], new boolean[0]));
        refused("Pearson's r needs at least 2 pairs, got 1", () -> Metrics.pearson(new double[] {1}, new double[] {2}));
        refused("successes 11 are outside [0, 10]", () -> Intervals.wilson(11, 10));
        refused("a Wilson interval needs at least one trial, got n = 0", () -> Intervals.wilson(0, 0));
        refused("a bootstrap needs at least one test example (n = 0)",
                () -> Bootstrap.percentile(0, idx -> 0, 1L));
        refused("the confidence level must be inside (0, 1), got 1.0",
                () -> Bootstrap.percentile(3, idx -> 0, 10, 1.0, 1L));
        refused("a probe needs at least one epoch, got 0", () -> CFG.withEpochs(0));
    }

    @Test
    void subsetsAndDci() {
        int[] cards = {2};
        int[][] y = {{0}, {1}, {1}, {0}};
        refused("the partition covers 4 dimensions but the features have 2",
                () -> SubsetProbes.run(X, y, X, y, cards, Partition.uniform(2, 4), SubsetProbes.Options.ridge()));
        refused("yTest row 1 factor 0 = 5 is outside [0, 2)",
                () -> SubsetProbes.run(X, y, X, new int[][] {{0}, {5}, {1}, {0}}, cards, new int[][] {{0, 1}, {1, 2}},
                        SubsetProbes.Options.ridge()));
        refused("ranges range 1 [1, 3) is empty or outside [0, 2)",
                () -> SubsetProbes.run(X, y, X, y, cards, new int[][] {{0, 1}, {1, 3}}, SubsetProbes.Options.ridge()));
        refused("yTrain factor 0 has no example of class 1 (of 2); a probe cannot learn a class it never sees",
                () -> SubsetProbes.run(X, new int[][] {{0}, {0}, {0}, {0}}, X, y, cards, new int[][] {{0, 2}},
                        SubsetProbes.Options.ridge()));
        refused("importance row 1 column 0 is -1.0; importances must be finite and >= 0",
                () -> Dci.compute(new double[][] {{1, 0}, {-1, 0}}, 1));
        refused("the importance matrix is all zero, so DCI is undefined",
                () -> Dci.compute(new double[][] {{0, 0}, {0, 0}}, 1));
        refused("the partition covers 4 dimensions but the importance matrix has 2 rows",
                () -> Dci.ofSubsets(new double[][] {{1}, {1}}, Partition.uniform(2, 4), 1));
    }
}

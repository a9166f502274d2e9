package dev.diti4j.diti.eval.probe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.diti4j.diti.data.SyntheticShapes;
import dev.diti4j.diti.model.Partition;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * Per-subset probes (METHOD 9 "Evaluation" item 2) on features where each factor lives in the
 * dimensions of exactly one subset: the factor is readable from that subset and from every prefix
 * that contains it, and from nothing else.
 */
class SubsetProbesTest {
    /** The seven synthetic-shapes factors: 4, 6, 4, 3, 3, 3, 4 values. */
    private static final int[] CARDS = Arrays.stream(SyntheticShapes.Factor.values())
            .mapToInt(SyntheticShapes.Factor::cardinality).toArray();
    /** The subset that carries each factor. */
    private static final int[] HOME = {3, 5, 7, 9, 11, 13, 15};

    @Test
    void aFactorIsReadFromItsSubsetAndEveryPrefixHoldingIt() {
        Partition p = Partition.uniform(16, 64);
        Data tr = data(2000, p, 1);
        Data te = data(1000, p, 2);
        SubsetProbeMatrix m = SubsetProbes.run(tr.x, tr.y, te.x, te.y, CARDS, p, SubsetProbes.Options.ridge());
        assertEquals(7, m.factors());
        assertEquals(16, m.subsets());
        double[][] prefix = m.prefix();
        double[][] single = m.single();
        double[] chance = m.chance();
        for (int f = 0; f < CARDS.length; f++) {
            assertEquals(1.0 / CARDS[f], chance[f], 0.05, "chance of factor " + f);
            for (int i = 0; i < 16; i++) {
                String where = "factor " + f + " subset " + i + "\n" + m;
                if (i == HOME[f]) {
                    assertTrue(single[f][i] >= 0.9, where);
                } else {
                    assertTrue(single[f][i] < chance[f] + 0.1, where);
                }
                if (i >= HOME[f]) {
                    assertTrue(prefix[f][i] >= 0.9, where);
                    assertTrue(m.prefixAboveChance()[f][i] >= 0.85, where);
                } else {
                    assertTrue(prefix[f][i] < chance[f] + 0.1, where);
                    assertTrue(Math.abs(m.prefixAboveChance()[f][i]) < 0.15, where);
                }
            }
        }
        // the partition and its explicit ranges give the same matrix
        SubsetProbeMatrix again = SubsetProbes.run(tr.x, tr.y, te.x, te.y, CARDS, SubsetProbes.ranges(p),
                SubsetProbes.Options.ridge());
        assertTrue(Arrays.deepEquals(m.prefix(), again.prefix()));
        assertTrue(Arrays.deepEquals(m.single(), again.single()));
    }

    @Test
    void softmaxCellsAgreeWithTheRidgeClassifier() {
        Partition p = Partition.uniform(4, 16);
        int[] cards = {4, 3};
        int[] home = {1, 3};
        Data tr = data(800, p, cards, home, 3);
        Data te = data(400, p, cards, home, 4);
        ProbeConfig cfg = ProbeConfig.fullBatch().withEpochs(100);
        SubsetProbeMatrix soft = SubsetProbes.run(tr.x, tr.y, te.x, te.y, cards, p, SubsetProbes.Options.softmax(cfg));
        SubsetProbeMatrix ridge = SubsetProbes.run(tr.x, tr.y, te.x, te.y, cards, p, SubsetProbes.Options.ridge());
        for (int f = 0; f < 2; f++) {
            for (int i = 0; i < 4; i++) {
                assertEquals(ridge.single()[f][i], soft.single()[f][i], 0.1, "factor " + f + " subset " + i);
                assertEquals(ridge.prefix()[f][i], soft.prefix()[f][i], 0.1, "factor " + f + " subset " + i);
            }
            assertTrue(soft.single()[f][home[f]] >= 0.9);
        }
    }

    @Test
    void runsAreReproducible() {
        Partition p = Partition.uniform(4, 16);
        int[] cards = {3, 2};
        int[] home = {0, 2};
        Data tr = data(300, p, cards, home, 5);
        Data te = data(200, p, cards, home, 6);
        SubsetProbeMatrix a = SubsetProbes.run(tr.x, tr.y, te.x, te.y, cards, p, SubsetProbes.Options.ridge());
        SubsetProbeMatrix b = SubsetProbes.run(tr.x, tr.y, te.x, te.y, cards, p, SubsetProbes.Options.ridge());
        assertTrue(Arrays.deepEquals(a.prefix(), b.prefix()));
        assertTrue(Arrays.deepEquals(a.single(), b.single()));
    }

    private record Data(float[][] x, int[][] y) {
    }

    private static Data data(int n, Partition p, long seed) {
        return data(n, p, CARDS, HOME, seed);
    }

    /**
     * Unit normal noise in every dimension; factor f with value v adds 3·(±e_{v/2}) (sign + for
     * even v) inside the dimensions of subset home[f].
     */
    private static Data data(int n, Partition p, int[] cards, int[] home, long seed) {
        float[][] x = ProbeData.gaussian(n, p.latentDim(), seed);
        int[][] y = new int[n][cards.length];
        for (int f = 0; f < cards.length; f++) {
            int[] v = ProbeData.uniformLabels(n, cards[f], seed * 100 + f);
            for (int i = 0; i < n; i++) {
                y[i][f] = v[i];
                x[i][p.start(home[f]) + v[i] / 2] += v[i] % 2 == 0 ? 3f : -3f;
            }
        }
        return new Data(x, y);
    }
}

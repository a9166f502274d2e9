package dev.diti4j.diti.eval.probe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.diti4j.diti.model.Partition;
import java.util.List;
import org.junit.jupiter.api.Test;

/** DCI disentanglement and completeness (Eastwood and Williams 2018), per dimension and per subset. */
class DciTest {
    @Test
    void identityImportanceIsFullyDisentangledAndComplete() {
        Dci.Score s = Dci.compute(new double[][] {{2, 0, 0}, {0, 1, 0}, {0, 0, 5}}, 0.9);
        assertEquals(1.0, s.disentanglement(), 1e-15);
        assertEquals(1.0, s.completeness(), 1e-15);
        assertEquals(0.9, s.informativeness(), 0);
        assertEquals(1.0, s.unweightedCompleteness(), 1e-15);
    }

    @Test
    void uniformImportanceIsNotDisentangled() {
        double[][] r = new double[4][3];
        for (double[] row : r) {
            java.util.Arrays.fill(row, 0.7);
        }
        Dci.Score s = Dci.compute(r, Double.NaN);
        assertEquals(0.0, s.disentanglement(), 1e-15);
        assertEquals(0.0, s.completeness(), 1e-15);
    }

    @Test
    void handComputedTwoByTwo() {
        // R = [[3, 1], [0, 2]], Σ R = 6.
        // row 0: P = (3/4, 1/4), H_2 = 0.811278, D_0 = 0.188722, ρ_0 = 4/6
        // row 1: P = (0, 1), D_1 = 1, ρ_1 = 2/6      → D = 4/6·0.188722 + 2/6 = 0.4591479170272448
        // col 0: (1, 0), C_0 = 1, ρ̃_0 = 3/6; col 1: (1/3, 2/3), H_2 = 0.918296, C_1 = 0.081704, ρ̃_1 = 3/6
        //                                             → C = 1/2 + 0.040852 = 0.5408520829727552
        Dci.Score s = Dci.compute(new double[][] {{3, 1}, {0, 2}}, 1.0);
        assertEquals(0.4591479170272448, s.disentanglement(), 1e-12);
        assertEquals(0.5408520829727552, s.completeness(), 1e-12);
        assertEquals(4.0 / 6, s.codeWeights()[0], 1e-15);
        assertEquals(1.0, s.perCodeDisentanglement()[1], 1e-15);
        assertEquals(1.0, s.perFactorCompleteness()[0], 1e-15);
    }

    @Test
    void aCodeWithNoImportanceHasNoWeight() {
        Dci.Score s = Dci.compute(new double[][] {{1, 0}, {0, 0}, {0, 1}}, 1.0);
        assertTrue(Double.isNaN(s.perCodeDisentanglement()[1]));
        assertEquals(0.0, s.codeWeights()[1], 0);
        assertEquals(1.0, s.disentanglement(), 1e-15);
        // each factor uses one of three codes: C = 1
        assertEquals(1.0, s.completeness(), 1e-15);
    }

    @Test
    void subsetLevelDciGroupsTheDimensionsOfEachSubset() {
        // d = 8, four subsets of two dimensions; factor j spread evenly over both dims of subset j
        Partition p = Partition.uniform(4, 8);
        double[][] r = new double[8][4];
        for (int i = 0; i < 8; i++) {
            r[i][i / 2] = 1;
        }
        Dci.Score perDim = Dci.compute(r, 1.0);
        assertEquals(1.0, perDim.disentanglement(), 1e-15);
        // each factor is spread over 2 of 8 dimensions: C_j = 1 − log 2 / log 8 = 2/3
        assertEquals(2.0 / 3, perDim.completeness(), 1e-12);
        Dci.Score perSubset = Dci.ofSubsets(r, p, 1.0);
        assertEquals(1.0, perSubset.disentanglement(), 1e-15);
        assertEquals(1.0, perSubset.completeness(), 1e-15);
        double[][] grouped = Dci.groupRows(r, SubsetProbes.ranges(p));
        assertEquals(4, grouped.length);
        assertEquals(2.0, grouped[2][2], 0);
        assertEquals(0.0, grouped[2][1], 0);
    }

    @Test
    void importanceFromStandardisedProbesFindsTheFactorsSubsets() {
        // factor 0 lives in subset 0 (dims 0-3), factor 1 in subset 2 (dims 8-11) of d = 16
        Partition p = Partition.uniform(4, 16);
        int n = 800;
        float[][] x = ProbeData.gaussian(n, 16, 5);
        int[] y0 = ProbeData.uniformLabels(n, 4, 6);
        int[] y1 = ProbeData.uniformLabels(n, 3, 7);
        for (int i = 0; i < n; i++) {
            x[i][y0[i] / 2] += y0[i] % 2 == 0 ? 3 : -3;
            x[i][8 + y1[i] / 2] += y1[i] % 2 == 0 ? 3 : -3;
        }
        ProbeConfig cfg = ProbeConfig.fullBatch().withStandardize(true);
        LinearModel m0 = SoftmaxProbe.fit(x, y0, 4, null, null, cfg).model();
        LinearModel m1 = SoftmaxProbe.fit(x, y1, 3, null, null, cfg).model();
        double[][] r = Dci.importance(List.of(m0, m1));
        assertEquals(16, r.length);
        assertEquals(2, r[0].length);
        Dci.Score s = Dci.ofSubsets(r, p, Double.NaN);
        // The probes also put small weights on the noise dimensions, and a binary entropy is steep
        // near 0, so D and C stay well below 1 here (about 0.55); what must hold is the structure.
        double[] perSubset = s.perCodeDisentanglement();
        assertTrue(perSubset[0] > 0.5 && perSubset[2] > 0.5, java.util.Arrays.toString(perSubset));
        assertTrue(perSubset[1] < 0.3 && perSubset[3] < 0.3, java.util.Arrays.toString(perSubset));
        assertTrue(s.disentanglement() > 0.45, "D " + s.disentanglement());
        assertTrue(s.completeness() > 0.3, "C " + s.completeness());
        // the subsets that carry a factor carry most of the importance
        double[] w = s.codeWeights();
        assertTrue(w[0] + w[2] > 0.75, java.util.Arrays.toString(w));
        // both factors in one subset: the subset-level disentanglement collapses
        double[][] mixed = new double[16][2];
        for (int i = 0; i < 16; i++) {
            mixed[i][0] = r[i][0];
            mixed[i ^ 8][1] = r[i][1]; // move factor 1's dims 8-11 onto 0-3
        }
        assertTrue(Dci.ofSubsets(mixed, p, Double.NaN).disentanglement() < s.disentanglement() - 0.3);
        double[][] outputs = Dci.importanceOfOutputs(m0);
        assertEquals(16, outputs.length);
        assertEquals(4, outputs[0].length);
        assertEquals(Math.abs(m0.weightRow(2)[5]), outputs[5][2], 0);
    }
}

package dev.diti4j.diti.generate;

import static dev.diti4j.diti.generate.TinyDiti.CPU;
import static dev.diti4j.diti.generate.TinyDiti.assertMessage;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.diti4j.core.Tensor;
import dev.diti4j.core.random.Philox;
import java.util.List;
import org.junit.jupiter.api.Test;

/** METHOD 6.5 step 1: per-dimension μ and σ of z, in double, with a floor on σ. */
class FeatureStatsTest {
    @Test
    void meanAndSampleStdMatchADirectComputation() {
        Tensor z = Tensor.randn(new Philox(1), CPU, 50, 4).mul(3f).add(1f);
        float[] v = z.toArray();
        FeatureStats s = FeatureStats.of(z);
        assertEquals(50, s.count());
        for (int j = 0; j < 4; j++) {
            double mean = 0;
            for (int i = 0; i < 50; i++) {
                mean += v[i * 4 + j];
            }
            mean /= 50;
            double ss = 0;
            for (int i = 0; i < 50; i++) {
                ss += (v[i * 4 + j] - mean) * (v[i * 4 + j] - mean);
            }
            assertEquals(mean, s.mean()[j], 1e-12, "mean of dim " + j);
            assertEquals(Math.sqrt(ss / 49), s.std()[j], 1e-12, "std (N - 1) of dim " + j);
        }
        // batch by batch gives the same statistics
        FeatureStats parts = FeatureStats.of(List.of(z.slice(0, 0, 7), z.slice(0, 7, 31), z.slice(0, 31, 50)));
        assertArrayEquals(s.mean(), parts.mean(), 1e-12);
        assertArrayEquals(s.std(), parts.std(), 1e-12);
    }

    @Test
    void aConstantDimensionGetsTheFloorAndStandardisationRoundTrips() {
        Tensor z = Tensor.of(new float[] {1, 5, 2, 5, 4, 5}, 3, 2);
        FeatureStats s = FeatureStats.of(z);
        assertEquals(FeatureStats.DEFAULT_STD_FLOOR, s.std()[1]);
        assertEquals(0.25, FeatureStats.of(List.of(z), 0.25).std()[1]);
        float[] hat = s.standardize(z).toArray();
        assertEquals(0f, hat[1], "a constant dimension standardises to 0, not NaN");
        assertEquals((1 - 7 / 3.0) / Math.sqrt(7 / 3.0), hat[0], 1e-6);
        assertArrayEquals(z.toArray(), s.unstandardize(s.standardize(z)).toArray(), 1e-6f);
    }

    @Test
    void refusesBadInputs() {
        assertMessage(() -> FeatureStats.of(Tensor.zeros(1, 3)), "feature statistics need at least two feature rows, got 1");
        assertMessage(() -> FeatureStats.of(List.of(Tensor.zeros(2, 3), Tensor.zeros(2, 4))),
                "feature batches must be (N, d) with one d = 3, got (2,4)");
        assertMessage(() -> FeatureStats.of(List.of(Tensor.zeros(2, 3)), 0), "the std floor must be positive and finite,"
                + " got 0.0");
        assertMessage(() -> FeatureStats.of(Tensor.of(new float[] {0, Float.NaN}, 2, 1)),
                "feature row 1 has a non-finite value in dimension 0");
        assertMessage(() -> new FeatureStats(new double[] {0, 0}, new double[] {1, 0}),
                "the std of dimension 1 must be positive and finite, got 0.0");
        FeatureStats s = new FeatureStats(new double[] {0, 0}, new double[] {1, 1});
        assertMessage(() -> s.standardize(Tensor.zeros(2, 3)), "features must have shape (B, 2) for these statistics,"
                + " got (2,3)");
    }
}

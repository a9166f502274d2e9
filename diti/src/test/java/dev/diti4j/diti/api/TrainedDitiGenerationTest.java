package dev.diti4j.diti.api;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.diti4j.core.Scope;
import dev.diti4j.core.Tensor;
import dev.diti4j.diti.generate.Counterfactual;
import dev.diti4j.diti.generate.FeatureStats;
import dev.diti4j.diti.generate.Manipulation;
import dev.diti4j.diti.generate.Reconstruction;
import dev.diti4j.diti.model.EncoderConfig;
import dev.diti4j.diti.train.DitiTrainer;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The facade's generation: the generate package's results, from any thread, with clear refusals. */
class TrainedDitiGenerationTest {
    @TempDir
    static Path dir;
    static TrainedDiti diti;

    @BeforeAll
    static void train() {
        Path dm = TinyDiti.dm(dir.resolve("dm"));
        DitiTrainer t = TinyDiti.trainer(dm, EncoderConfig.small(3, 8, 8));
        TinyDiti.steps(t, 2);
        TinyDiti.save(t, dir.resolve("diti"), dm, true, Map.of());
        diti = TrainedDiti.load(dir.resolve("diti"));
    }

    @Test
    void reconstructIsTheReconstructionOfTheEmaModel() {
        try (Scope s = Scope.open()) {
            Tensor x = TinyDiti.batch(1, 3, 3, 8);
            Tensor a = diti.reconstruct(x, 4).images();
            Tensor b = new Reconstruction(diti.model(), diti.schedule(), 4, 4).reconstruct(x).images();
            assertArrayEquals(b.toArray(), a.toArray());
            BufferedImage[] imgs = diti.reconstruct(4, TrainedDiti.toImages(x));
            assertEquals(3, imgs.length);
            assertEquals(8, imgs[0].getWidth());
        }
    }

    @Test
    void counterfactualAtAlphaZeroWithSourceNoiseIsTheReconstruction() {
        try (Scope s = Scope.open()) {
            Tensor x1 = TinyDiti.batch(2, 2, 3, 8);
            Tensor x2 = TinyDiti.batch(3, 2, 3, 8);
            Counterfactual.Result r = diti.counterfactual(x1, x2, 1, 3, new double[] {0, 1},
                    Counterfactual.Noise.SOURCE, 4);
            assertEquals(4, r.rows());
            float[] rec = diti.reconstruct(x1, 4).images().toArray();
            float[] cf = r.images().toArray();
            int per = 3 * 8 * 8;
            for (int p = 0; p < 2; p++) {
                for (int j = 0; j < per; j++) {   // row 2p, column 0: pair p's z_12 at α = 0
                    assertEquals(rec[p * per + j], cf[(2 * p * 2) * per + j], 1e-5f);
                }
            }
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> diti.counterfactual(x1, x2, 3, 9, new double[] {1}, Counterfactual.Noise.SOURCE, 4));
            assertTrue(e.getMessage().contains("block range"), e.getMessage());
        }
    }

    @Test
    void manipulateWithScaleZeroKeepsZ() {
        try (Scope s = Scope.open()) {
            Tensor x = TinyDiti.batch(4, 4, 3, 8);
            FeatureStats stats = FeatureStats.of(diti.encode(x));
            float[] w = new float[diti.latentDim()];
            w[2] = 1;
            Manipulation.Result r = diti.manipulate(x, stats, w, new double[] {0, 0.5}, 4);
            float[] z = r.z().toArray();
            float[] e = r.edited().toArray();
            int d = diti.latentDim();
            for (int i = 0; i < d; i++) {
                assertEquals(z[i], e[i], 1e-5f, "scale 0 leaves z");
            }
            assertTrue(Math.abs(e[d + 2] - z[2]) > 1e-4, "scale 0.5 moves dimension 2");
        }
    }

    @Test
    void wrongImagesAreRefused() {
        try (Scope s = Scope.open()) {
            Tensor bad = TinyDiti.batch(5, 1, 1, 8);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> diti.reconstruct(bad, 4));
            assertEquals("x0 must be images (B, 3, 8, 8), got (1,1,8,8)", e.getMessage());
        }
    }

    @Test
    void fourThreadsGetTheBitsOfOne() throws Exception {
        float[] expected;
        try (Scope s = Scope.open()) {
            expected = diti.reconstruct(TinyDiti.batch(6, 2, 3, 8), 3).images().toArray();
        }
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<float[]>> f = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                f.add(pool.submit(() -> {
                    try (Scope s = Scope.open()) {
                        return diti.reconstruct(TinyDiti.batch(6, 2, 3, 8), 3).images().toArray();
                    }
                }));
            }
            for (Future<float[]> r : f) {
                assertArrayEquals(expected, r.get());
            }
        } finally {
            pool.shutdown();
        }
    }
}

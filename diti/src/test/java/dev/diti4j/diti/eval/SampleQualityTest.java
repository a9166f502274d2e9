package dev.diti4j.diti.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.diti4j.core.Device;
import dev.diti4j.core.Tensor;
import dev.diti4j.core.random.Philox;
import dev.diti4j.diti.data.SyntheticShapes;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SampleQualityTest {
    @TempDir
    Path dir;

    @Test
    void entropyConfidenceAndHistogramsFollowTheirDefinitions() {
        assertEquals(1.0, SampleQuality.normalisedEntropy(new int[] {5, 5, 5, 5}), 1e-12);
        assertEquals(0.0, SampleQuality.normalisedEntropy(new int[] {0, 9, 0}), 1e-12);
        assertEquals(0.5, SampleQuality.normalisedEntropy(new int[] {1, 1, 0, 0}), 1e-12, "log 2 / log 4");
        int factors = FactorClassifier.FACTORS.length;
        float[][][] p = new float[factors][2][];
        for (int f = 0; f < factors; f++) {
            int k = FactorClassifier.FACTORS[f].cardinality();
            p[f][0] = new float[k];
            p[f][0][0] = 0.95f;             // image 0: value 0 of every factor, confidently
            p[f][0][1] = 0.05f;
            p[f][1] = new float[k];
            p[f][1][k - 1] = f == 2 ? 0.6f : 0.99f;   // image 1: unsure about the shape only
            p[f][1][0] = f == 2 ? 0.4f : 0.01f;
        }
        SampleQuality.SetStats s = SampleQuality.summarise("x", p, 0.9);
        assertEquals(0.5, s.confidentFraction(), 1e-12, "only image 0 is confident on all factors");
        assertEquals(0.5, s.factors().get(2).confidentFraction(), 1e-12);
        assertEquals(1.0, s.factors().get(0).confidentFraction(), 1e-12);
        assertArrayEquals(new int[] {1, 0, 0, 1}, s.factors().get(2).histogram());
        assertEquals(0.5, s.factors().get(0).normalisedEntropy(), 1e-12, "two of four textures, once each");
        assertEquals((0.95 + 0.6) / 2, s.factors().get(2).meanMaxProbability(), 1e-6);
    }

    @Test
    void aBrieflyTrainedClassifierSeparatesRealImagesFromNoise() {
        int size = 16;
        ClassifierTraining.Budget budget = new ClassifierTraining.Budget(200, 32, 3e-3f, 400);
        Path cache = dir.resolve("clf.safetensors");
        ClassifierTraining.Trained t = ClassifierTraining.loadOrTrain(cache, size, budget, 1, Device.CPU, n -> { });
        double[] chance = {1 / 4.0, 1 / 6.0, 1 / 4.0, 1 / 3.0, 1 / 3.0, 1 / 3.0, 1 / 4.0};
        for (int f = 0; f < chance.length; f++) {
            // the 1-px textures of 16 px images are the slowest factor to learn
            assertTrue(t.accuracy()[f] > chance[f] + 0.15, FactorClassifier.FACTORS[f] + " accuracy " + t.accuracy()[f]
                    + " after 200 steps, chance " + chance[f]);
        }
        assertTrue(java.util.Arrays.stream(t.accuracy()).average().orElseThrow() > 0.75,
                "mean accuracy " + java.util.Arrays.toString(t.accuracy()));
        assertTrue(Files.isRegularFile(cache));

        int n = 64;
        Tensor real = ClassifierTraining.realImages(new SyntheticShapes(size, n, SampleQuality.REAL_DATA_SEED, true),
                n, null, Device.CPU);
        // what an untrained model's DDIM samples look like: saturated per-pixel noise
        Tensor noise = Tensor.randn(new Philox(5), Device.CPU, n, 3, size, size).mul(3f).clamp(-1f, 1f);
        SampleQuality.SetStats r = SampleQuality.measure("real", t.model(), real, SampleQuality.THRESHOLD);
        SampleQuality.SetStats z = SampleQuality.measure("noise", t.model(), noise, SampleQuality.THRESHOLD);
        double realConf = r.factors().stream().mapToDouble(SampleQuality.FactorStats::confidentFraction).average()
                .orElseThrow();
        double noiseConf = z.factors().stream().mapToDouble(SampleQuality.FactorStats::confidentFraction).average()
                .orElseThrow();
        double realMax = r.factors().stream().mapToDouble(SampleQuality.FactorStats::meanMaxProbability).average()
                .orElseThrow();
        double noiseMax = z.factors().stream().mapToDouble(SampleQuality.FactorStats::meanMaxProbability).average()
                .orElseThrow();
        System.out.printf("accuracy %s; per-factor confident: real %.3f noise %.3f; max prob: real %.3f noise %.3f;"
                + " all factors: real %.3f noise %.3f%n", java.util.Arrays.toString(t.accuracy()), realConf, noiseConf,
                realMax, noiseMax, r.confidentFraction(), z.confidentFraction());
        // a briefly trained classifier is not yet sure of every factor of every real image, so the
        // all-factor fraction needs the full budget; per factor it already separates the two sets
        assertTrue(realConf > noiseConf + 0.3, "share of confident factors: real " + realConf + " vs noise " + noiseConf);
        assertTrue(realMax > noiseMax + 0.1, "mean max probability: real " + realMax + " vs noise " + noiseMax);
        assertTrue(r.confidentFraction() >= z.confidentFraction());

        // the cache is reused when the settings match
        ClassifierTraining.Trained again = ClassifierTraining.loadOrTrain(cache, size, budget, 1, Device.CPU, x -> {
            throw new AssertionError("must not retrain");
        });
        assertTrue(again.cached());
        assertArrayEquals(t.accuracy(), again.accuracy(), 0.0);
    }
}

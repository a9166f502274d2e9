package dev.diti4j.diti.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.diti4j.core.Device;
import dev.diti4j.core.Tensor;
import dev.diti4j.core.random.Philox;
import dev.diti4j.diffusion.TimestepWeights;
import dev.diti4j.diffusion.train.BatchSource;
import dev.diti4j.diffusion.train.DmSettings;
import dev.diti4j.diffusion.train.DmTrainer;
import dev.diti4j.diffusion.train.TrainingCheckpoints;
import dev.diti4j.diti.model.EncoderConfig;
import dev.diti4j.diti.model.LossMode;
import dev.diti4j.diti.model.Partition;
import dev.diti4j.nn.checkpoint.Checkpoint;
import dev.diti4j.nn.checkpoint.CheckpointException;
import dev.diti4j.nn.unet.UNet;
import dev.diti4j.nn.unet.UNetConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The DiTi trainer of METHOD 4.7: step 0 is the frozen loss, exact resume, the frozen U-Net untouched. */
class DitiTrainerTest {
    @TempDir
    Path dir;

    private static final DmSettings DM = DmSettings.recipe(3).withLr(2e-3f).withWeights(TimestepWeights.Kind.PDAE);
    private static final Partition PARTITION = Partition.uniform(4, 8);
    private static final EncoderConfig ENCODER = EncoderConfig.small(3, 8, 8);

    /** Batches that are a pure function of (epoch, batch), three per epoch. */
    static final class FakeSource implements BatchSource {
        private long epoch;
        private long batch;

        @Override
        public Tensor next() {
            Philox rng = new Philox(77).fork(epoch * 1000 + batch);
            Tensor x = Tensor.randn(rng, Device.CPU, 2, 3, 8, 8).mul(0.5f).clamp(-1f, 1f);
            if (++batch == 3) {
                batch = 0;
                epoch++;
            }
            return x;
        }

        @Override
        public Position position() {
            return new Position(epoch, batch);
        }

        @Override
        public void seek(Position p) {
            epoch = p.epoch();
            batch = p.batch();
        }
    }

    /** A tiny DM trained two steps and checkpointed, as train-dm leaves it. */
    private Path dmCheckpoint() {
        DmTrainer dm = new DmTrainer(new UNet(UNetConfig.tinyTest(), new Philox(5)), DM);
        FakeSource src = new FakeSource();
        for (int i = 0; i < 2; i++) {
            dm.step(src.next());
        }
        return TrainingCheckpoints.save(dm, dir.resolve("dm"), src.position(), Map.of(), 0);
    }

    private DitiTrainer fresh(Path dmFile, DitiSettings s) {
        DitiTrainer.FrozenSource f = DitiTrainer.loadDm(Checkpoint.read(dmFile), Device.CPU);
        return new DitiTrainer(f.unet(), f.settings(), ENCODER, PARTITION, s);
    }

    private static Map<String, float[]> trained(DitiTrainer t) {
        Map<String, float[]> out = new LinkedHashMap<>();
        t.model().namedParameters().forEach((n, p) -> out.put(n, p.tensor().toArray()));
        for (String n : t.model().namedParameters().keySet()) {
            out.put("ema." + n, t.ema().shadow(n).toArray());
        }
        return out;
    }

    @Test
    void stepZeroIsTheFrozenLossAndTheFrozenUNetStaysUnchanged() {
        Path dmFile = dmCheckpoint();
        DitiTrainer t = fresh(dmFile, DitiSettings.recipe(1).withLr(1e-3f));
        Map<String, float[]> before = new LinkedHashMap<>();
        t.model().frozen().unet().namedParameters().forEach((n, p) -> before.put(n, p.tensor().toArray()));
        FakeSource src = new FakeSource();
        DitiTrainer.StepResult first = t.step(src.next());
        // G = 0 at step 0 (the shift decoder's output layer starts at zero): the loss is the frozen one, bit for bit
        assertEquals(Float.floatToRawIntBits(first.frozenLoss()), Float.floatToRawIntBits(first.loss()),
                first.loss() + " vs " + first.frozenLoss());
        for (int i = 0; i < 3; i++) {
            t.step(src.next());
        }
        t.model().frozen().unet().namedParameters().forEach((n, p) ->
                assertArrayEquals(before.get(n), p.tensor().toArray(), "frozen weight " + n + " changed"));
        // the frozen U-Net equals the DM checkpoint's EMA weights
        UNet again = DitiTrainer.loadDm(Checkpoint.read(dmFile), Device.CPU).unet();
        again.namedParameters().forEach((n, p) -> assertArrayEquals(p.tensor().toArray(), before.get(n), n));
        LossReductionHistogram h = t.histogram();
        long n = 0;
        for (int b = 0; b < h.bins(); b++) {
            n += h.count(b);
        }
        assertEquals(8, n, "every sample of four batches of two is in the histogram");
        assertEquals(h.toJson(), LossReductionHistogram.fromJson(h.toJson()).toJson());
    }

    @Test
    void resumeIsBitIdenticalToAnUninterruptedRun() {
        Path dmFile = dmCheckpoint();
        for (LossMode mode : List.of(LossMode.BASE, LossMode.DUAL)) {
            DitiSettings s = DitiSettings.recipe(9).withLr(1e-3f).withEma(0.9f).withMode(mode);
            DitiTrainer a = fresh(dmFile, s);
            FakeSource srcA = new FakeSource();
            List<Float> lossesA = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                lossesA.add(a.step(srcA.next()).loss());
            }

            DitiTrainer b = fresh(dmFile, s);
            FakeSource srcB = new FakeSource();
            List<Float> lossesB = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                lossesB.add(b.step(srcB.next()).loss());
            }
            Path ck = TrainingCheckpoints.save(b, dir.resolve("diti-" + mode), srcB.position(), Map.of(), 0);
            DitiTrainer.FrozenSource f = DitiTrainer.loadDm(Checkpoint.read(dmFile), Device.CPU);
            DitiTrainer.Resumed r = DitiTrainer.resume(Checkpoint.read(TrainingCheckpoints.resolve(ck.getParent())),
                    f.unet());
            DitiTrainer c = r.trainer();
            assertEquals(2, c.stepCount());
            FakeSource srcC = new FakeSource();
            srcC.seek(r.position());
            for (int i = 0; i < 3; i++) {
                lossesB.add(c.step(srcC.next()).loss());
            }
            assertEquals(lossesA, lossesB, mode + ": losses");
            assertNotEquals(lossesA.get(0), lossesA.get(4));
            Map<String, float[]> wa = trained(a);
            Map<String, float[]> wc = trained(c);
            assertEquals(wa.keySet(), wc.keySet());
            wa.forEach((n, v) -> assertArrayEquals(v, wc.get(n), mode + ": " + n));
            assertEquals(a.histogram().toJson(), c.histogram().toJson(), mode + ": histogram");
            assertEquals(a.noiseRng().offset(), c.noiseRng().offset());
        }
    }

    @Test
    void refusesADmCheckpointAsADitiOneAndAPartitionOfTheWrongSize() {
        Path dmFile = dmCheckpoint();
        DitiTrainer.FrozenSource f = DitiTrainer.loadDm(Checkpoint.read(dmFile), Device.CPU);
        CheckpointException e = assertThrows(CheckpointException.class,
                () -> DitiTrainer.resume(Checkpoint.read(dmFile), f.unet()));
        assertTrue(e.getMessage().contains("not a diti-model"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new DitiTrainer(f.unet(), f.settings(), ENCODER,
                Partition.uniform(4, 16), DitiSettings.recipe(0)));
    }

    @Test
    void aDivergingStepStopsNamingTheStepAndIsNotCounted() {
        Path dmFile = dmCheckpoint();
        // Adam moves every weight by about lr: at 1e30 the second forward pass overflows
        DitiTrainer t = fresh(dmFile, DitiSettings.recipe(1).withLr(1e30f));
        FakeSource src = new FakeSource();
        t.step(src.next());
        dev.diti4j.diffusion.train.TrainingDivergedException e = assertThrows(
                dev.diti4j.diffusion.train.TrainingDivergedException.class, () -> t.step(src.next()));
        assertEquals(2, e.step(), e.getMessage());
        assertTrue(e.getMessage().startsWith("training diverged at step 2") || e.getMessage().startsWith(
                "training stopped at step 2"), e.getMessage());
        assertTrue(e.tensor() == null || t.model().namedParameters().containsKey(e.tensor()), e.getMessage());
        assertEquals(1, t.stepCount(), "the diverged step is not counted");
    }

    @Test
    void aNonFiniteWeightIsNamed() {
        DitiTrainer t = fresh(dmCheckpoint(), DitiSettings.recipe(1).withLr(1e-3f));
        String name = t.model().namedParameters().keySet().iterator().next();
        Tensor w = t.model().namedParameters().get(name).tensor();
        float[] v = w.toArray();
        v[0] = Float.POSITIVE_INFINITY;
        w.assign(Tensor.of(v, w.shape().dims()));
        dev.diti4j.diffusion.train.TrainingDivergedException e = assertThrows(
                dev.diti4j.diffusion.train.TrainingDivergedException.class, () -> t.step(new FakeSource().next()));
        assertEquals(name, e.tensor(), e.getMessage());
        assertTrue(e.getMessage().contains("'" + name + "'"), e.getMessage());
        assertEquals(0, t.stepCount());
    }
}

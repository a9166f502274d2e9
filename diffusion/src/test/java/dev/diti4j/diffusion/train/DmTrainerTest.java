package dev.diti4j.diffusion.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.diti4j.core.Device;
import dev.diti4j.core.Tensor;
import dev.diti4j.core.backend.Backends;
import dev.diti4j.core.random.Philox;
import dev.diti4j.diffusion.TimestepWeights;
import dev.diti4j.nn.Parameter;
import dev.diti4j.nn.checkpoint.Checkpoint;
import dev.diti4j.nn.checkpoint.CheckpointException;
import dev.diti4j.nn.unet.UNet;
import dev.diti4j.nn.unet.UNetConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DmTrainerTest {
    @TempDir
    Path dir;

    /** Dropout on, so the dropout generator's state matters for exactness. */
    private static final UNetConfig CFG = UNetConfig.tinyTest().withDropout(0.1f);
    private static final DmSettings SETTINGS = DmSettings.recipe(7).withLr(2e-3f).withWarmupSteps(3)
            .withMaxGradNorm(1f).withEma(0.99f, true).withWeights(TimestepWeights.Kind.PDAE);

    /**
     * Batches that are a pure function of (epoch, batch): blurry random images in [−1, 1], three
     * batches per epoch, so resuming crosses an epoch boundary.
     */
    static final class FakeSource implements BatchSource {
        static final int PER_EPOCH = 3;
        private long epoch;
        private long batch;

        @Override
        public Tensor next() {
            Philox rng = new Philox(99).fork(epoch * 1000 + batch);
            Tensor x = Tensor.randn(rng, Device.CPU, 2, 3, 8, 8).mul(0.5f).clamp(-1f, 1f);
            if (++batch == PER_EPOCH) {
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

    private static DmTrainer fresh() {
        return new DmTrainer(new UNet(CFG, new Philox(1)), SETTINGS);
    }

    private static TrainingRun.Plan plan(long steps, Path ckpt) {
        return new TrainingRun.Plan(steps, 0, ckpt, 0, null, Map.of("note", "test"));
    }

    private static List<float[]> state(DmTrainer t) {
        List<float[]> out = new ArrayList<>();
        for (Parameter p : t.model().parameters()) {
            out.add(p.tensor().toArray());
        }
        t.ema().stateTensors().values().forEach(x -> out.add(x.toArray()));
        t.optimizer().stateTensors().values().forEach(x -> out.add(x.toArray()));
        return out;
    }

    @Test
    void resumingContinuesBitIdenticallyIncludingEmaAndOptimizer() {
        int n = 4;
        DmTrainer straight = fresh();
        new TrainingRun(straight, new FakeSource(), plan(2L * n, null)).run(new TrainingRun.Listener() { });

        DmTrainer first = fresh();
        FakeSource src = new FakeSource();
        var out = new TrainingRun(first, src, plan(n, dir)).run(new TrainingRun.Listener() { });
        assertEquals(n, out.steps());
        assertEquals(dir.resolve(TrainingCheckpoints.fileName(n)), out.lastCheckpoint());
        assertEquals(new BatchSource.Position(1, 1), src.position(), "4 batches of 3 per epoch");

        DmTrainer.Resumed r = DmTrainer.resume(Checkpoint.read(TrainingCheckpoints.resolve(dir)), Device.CPU);
        assertEquals(n, r.trainer().stepCount());
        assertEquals(new BatchSource.Position(1, 1), r.position());
        assertEquals("test", r.checkpoint().metadata("note"));
        assertEquals(SETTINGS, r.trainer().settings());
        FakeSource resumedSrc = new FakeSource();
        resumedSrc.seek(r.position());
        new TrainingRun(r.trainer(), resumedSrc, plan(2L * n, null)).run(new TrainingRun.Listener() { });

        List<float[]> a = state(straight);
        List<float[]> b = state(r.trainer());
        assertEquals(a.size(), b.size());
        for (int i = 0; i < a.size(); i++) {
            assertArrayEquals(a.get(i), b.get(i), 0f, "tensor " + i + " differs after resuming");
        }
        assertEquals(straight.noiseRng().offset(), r.trainer().noiseRng().offset());
        assertEquals(straight.dropoutRng().offset(), r.trainer().dropoutRng().offset());
        assertEquals(straight.ema().updates(), r.trainer().ema().updates());
    }

    @Test
    void aDifferentContinuationIsDetected() {
        // the same comparison fails when the data position is not restored, so the test above has teeth
        DmTrainer straight = fresh();
        new TrainingRun(straight, new FakeSource(), plan(4, null)).run(new TrainingRun.Listener() { });
        DmTrainer first = fresh();
        new TrainingRun(first, new FakeSource(), plan(2, dir)).run(new TrainingRun.Listener() { });
        DmTrainer.Resumed r = DmTrainer.resume(Checkpoint.read(TrainingCheckpoints.resolve(dir)), Device.CPU);
        new TrainingRun(r.trainer(), new FakeSource(), plan(4, null)).run(new TrainingRun.Listener() { });
        float[] wa = straight.model().parameters().get(0).tensor().toArray();
        float[] wb = r.trainer().model().parameters().get(0).tensor().toArray();
        boolean differ = false;
        for (int i = 0; i < wa.length; i++) {
            differ |= wa[i] != wb[i];
        }
        assertTrue(differ, "replaying batches from the start must give other weights");
    }

    @Test
    void lossFallsAndLiveMemoryStaysFlat() {
        DmTrainer t = new DmTrainer(new UNet(UNetConfig.tinyTest(), new Philox(3)),
                DmSettings.recipe(5).withLr(3e-3f).withEma(0.9f, false));
        FakeSource src = new FakeSource();
        src.seek(new BatchSource.Position(0, 0));
        var backend = Backends.cpu();
        settleGarbage(backend);   // tensors of earlier tests that only the GC frees
        List<Float> losses = new ArrayList<>();
        long live = -1;
        for (int i = 0; i < 40; i++) {
            // one fixed batch: the loss on it must fall
            src.seek(BatchSource.Position.START);
            try (var s = dev.diti4j.core.Scope.open()) {
                losses.add(t.step(src.next()).loss());
            }
            if (i == 3) {
                live = backend.memoryStats().liveBytes();
            }
        }
        assertEquals(live, backend.memoryStats().liveBytes(), "live bytes after 36 more steps");
        double early = losses.subList(0, 8).stream().mapToDouble(Float::doubleValue).average().orElseThrow();
        double late = losses.subList(32, 40).stream().mapToDouble(Float::doubleValue).average().orElseThrow();
        assertTrue(late < 0.8 * early, "mean loss of steps 1-8 " + early + " vs 33-40 " + late);
    }

    /** Runs the GC until the backend's live bytes stop changing, so only this test's tensors move them. */
    static void settleGarbage(dev.diti4j.core.backend.Backend backend) {
        long prev = -1;
        for (int i = 0; i < 40; i++) {
            System.gc();
            try {
                Thread.sleep(25);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            long now = backend.memoryStats().liveBytes();
            if (now == prev) {
                return;
            }
            prev = now;
        }
    }

    @Test
    void checkpointFolderKeepsTheNewestAndPointsLatestAtIt() throws Exception {
        DmTrainer t = fresh();
        var plan = new TrainingRun.Plan(5, 2, dir, 2, null, Map.of());
        List<Long> saved = new ArrayList<>();
        var out = new TrainingRun(t, new FakeSource(), plan).run(new TrainingRun.Listener() {
            @Override
            public void onCheckpoint(long step, Path file) {
                saved.add(step);
            }
        });
        assertEquals(List.of(2L, 4L, 5L), saved, "every 2 steps and at the end");
        assertEquals(List.of(dir.resolve("step-0000004.safetensors"), dir.resolve("step-0000005.safetensors")),
                TrainingCheckpoints.list(dir));
        assertEquals("step-0000005.safetensors", Files.readString(dir.resolve("latest")).strip());
        assertEquals(out.lastCheckpoint(), TrainingCheckpoints.resolve(dir.getParent().resolve(dir.getFileName())));
        assertEquals(5, TrainingCheckpoints.stepOf(out.lastCheckpoint()));
    }

    @Test
    void aStopRequestEndsTheLoopWithACheckpoint() {
        DmTrainer t = fresh();
        TrainingRun[] run = new TrainingRun[1];
        run[0] = new TrainingRun(t, new FakeSource(), plan(100, dir));
        var out = run[0].run(new TrainingRun.Listener() {
            @Override
            public void onStep(DmTrainer.StepResult r) {
                if (r.step() == 2) {
                    run[0].requestStop();
                }
            }
        });
        assertEquals(TrainingRun.Stop.REQUESTED, out.reason());
        assertEquals(2, out.steps());
        assertEquals(dir.resolve("step-0000002.safetensors"), out.lastCheckpoint());
    }

    @Test
    void badCheckpointsFailWithOneSentence() throws Exception {
        CheckpointException missing = assertThrows(CheckpointException.class,
                () -> TrainingCheckpoints.resolve(dir.resolve("nope")));
        assertTrue(missing.getMessage().endsWith("no such file or folder"), missing.getMessage());
        CheckpointException empty = assertThrows(CheckpointException.class, () -> TrainingCheckpoints.resolve(dir));
        assertTrue(empty.getMessage().contains("holds no checkpoint"), empty.getMessage());

        // a plain model checkpoint (no trainer state) is not resumable
        Path plain = dir.resolve("plain.safetensors");
        UNet net = new UNet(CFG, new Philox(1));
        Checkpoint.writer().module("", net).config(CFG.toJson()).step(0).write(plain);
        CheckpointException kind = assertThrows(CheckpointException.class,
                () -> DmTrainer.resume(Checkpoint.read(plain), Device.CPU));
        assertEquals(CheckpointException.Kind.BAD_METADATA, kind.kind());
        assertTrue(kind.getMessage().contains("not a diffusion-model training checkpoint"), kind.getMessage());

        Files.writeString(dir.resolve("latest"), "gone.safetensors\n");
        CheckpointException dangling = assertThrows(CheckpointException.class, () -> TrainingCheckpoints.resolve(dir));
        assertTrue(dangling.getMessage().contains("names gone.safetensors, which does not exist"), dangling.getMessage());
    }

    @Test
    void nonFiniteFindsTheFirstTensorWithNanOrInfinity() {
        Map<String, Tensor> m = new java.util.LinkedHashMap<>();
        m.put("a", Tensor.of(new float[] {1, 2, 3}, 3));
        assertEquals(null, NonFinite.first(m));
        m.put("b", Tensor.of(new float[] {Float.NaN, 0, Float.NEGATIVE_INFINITY, Float.NaN}, 2, 2));
        m.put("c", Tensor.of(new float[] {Float.POSITIVE_INFINITY}, 1));
        NonFinite.Found f = NonFinite.first(m);
        assertEquals("b", f.name());
        assertEquals(2, f.nan());
        assertEquals(1, f.infinite());
        assertEquals("2 NaN and 1 infinite values of 4", f.describe());
    }

    @Test
    void aDivergingStepIsRefusedNamingTheStepAndTheTensorAndNothingIsSavedAfterIt() throws Exception {
        // an absurd learning rate: the first update puts the weights near 1e30, the next forward pass overflows
        DmTrainer t = new DmTrainer(new UNet(CFG, new Philox(1)), SETTINGS.withLr(1e30f).withMaxGradNorm(0f)
                .withWarmupSteps(0));
        var plan = new TrainingRun.Plan(10, 1, dir, 0, null, Map.of());
        List<Long> saved = new ArrayList<>();
        TrainingDivergedException e = assertThrows(TrainingDivergedException.class,
                () -> new TrainingRun(t, new FakeSource(), plan).run(new TrainingRun.Listener() {
                    @Override
                    public void onCheckpoint(long step, Path file) {
                        saved.add(step);
                    }
                }));
        assertEquals(2, e.step(), e.getMessage());
        assertTrue(e.getMessage().startsWith("training diverged at step 2: the loss is "), e.getMessage());
        assertTrue(e.getMessage().contains("the first non-finite gradient is that of"), e.getMessage());
        assertTrue(e.tensor() != null && t.model().namedParameters().containsKey(e.tensor()), e.getMessage());
        assertTrue(e.getMessage().contains("'" + e.tensor() + "'"), e.getMessage());
        assertEquals(1, t.stepCount(), "the diverged step is not counted");
        assertEquals(List.of(1L), saved);
        assertEquals(List.of(dir.resolve("step-0000001.safetensors")), TrainingCheckpoints.list(dir));
        assertEquals("step-0000001.safetensors", Files.readString(dir.resolve("latest")).strip());
        // the update of the diverged step was not applied: the weights are those of the checkpoint
        Checkpoint c = Checkpoint.read(dir.resolve("step-0000001.safetensors"));
        t.model().namedParameters().forEach((name, p) ->
                assertArrayEquals(c.tensor(name, Device.CPU).toArray(), p.tensor().toArray(), 0f, name));
    }

    @Test
    void weightsThatAreAlreadyNonFiniteAreNamedAsSuchNotAsADivergence() {
        DmTrainer t = fresh();
        Tensor w = t.model().namedParameters().get("out.conv.weight").tensor();
        float[] v = w.toArray();
        v[5] = Float.NaN;
        w.assign(Tensor.of(v, w.shape().dims()));
        TrainingDivergedException e = assertThrows(TrainingDivergedException.class, () -> t.step(new FakeSource().next()));
        assertEquals(TrainingDivergedException.Cause.WEIGHTS, e.reason());
        assertEquals("out.conv.weight", e.tensor());
        assertEquals("training stopped at step 1: the loss is NaN because parameter 'out.conv.weight' already holds 1 NaN"
                + " value of " + v.length, e.getMessage());
        assertEquals(0, t.stepCount());
    }

    @Test
    void checkpointsComeBeforeAfterStepWorkAndAFailureThereKeepsTheStep() {
        DmTrainer t = fresh();
        List<String> calls = new ArrayList<>();
        var plan = new TrainingRun.Plan(10, 2, dir, 0, null, Map.of());
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> new TrainingRun(t, new FakeSource(), plan).run(new TrainingRun.Listener() {
                    @Override
                    public void onStep(DmTrainer.StepResult r) {
                        calls.add("step " + r.step());
                    }

                    @Override
                    public void onCheckpoint(long step, Path file) {
                        calls.add("checkpoint " + step);
                    }

                    @Override
                    public void afterStep(DmTrainer.StepResult r) {
                        calls.add("after " + r.step());
                        if (r.step() == 3) {
                            throw new IllegalStateException("sample grid failed");
                        }
                    }
                }));
        assertEquals("sample grid failed", e.getMessage());
        assertEquals(List.of("step 1", "after 1", "step 2", "checkpoint 2", "after 2", "step 3", "after 3"), calls);
        assertEquals(List.of(dir.resolve("step-0000002.safetensors"), dir.resolve("step-0000003.safetensors")),
                TrainingCheckpoints.list(dir), "step 3 is saved although its after-step work failed");
    }

    @Test
    void aCallWithStepsLeftDoesAtLeastOneWhateverTheBudget() {
        DmTrainer t = fresh();
        var out = new TrainingRun(t, new FakeSource(), new TrainingRun.Plan(5, 0, null, 0, java.time.Duration.ZERO,
                Map.of())).run(new TrainingRun.Listener() { });
        assertEquals(TrainingRun.Stop.BUDGET, out.reason());
        assertEquals(1, out.steps());
    }

    @Test
    void settingsRoundTripThroughJsonExactly() {
        DmSettings s = SETTINGS.withLr(1.7e-4f).withEma(0.9993f, false);
        assertEquals(s, DmSettings.fromJson(s.toJson()));
        assertEquals(2e-3f / 3, SETTINGS.lrAt(0), 1e-9);
        assertEquals(2e-3f, SETTINGS.lrAt(2), 0f);
        assertEquals(0.1f, SETTINGS.emaDecayAt(0), 1e-7);
        assertEquals(0.99f, SETTINGS.emaDecayAt(100_000), 0f);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SETTINGS.withLr(-1f));
        assertEquals("DM training: learning rate must be finite and > 0, got -1.0", e.getMessage());
    }
}

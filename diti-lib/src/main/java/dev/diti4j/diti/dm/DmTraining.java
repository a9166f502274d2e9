package dev.diti4j.diti.dm;

import dev.diti4j.core.Device;
import dev.diti4j.core.Tensor;
import dev.diti4j.core.random.Philox;
import dev.diti4j.diffusion.train.BatchSource;
import dev.diti4j.diffusion.train.DmSettings;
import dev.diti4j.diffusion.train.DmTrainer;
import dev.diti4j.diffusion.train.TrainingCheckpoints;
import dev.diti4j.diffusion.train.TrainingRun;
import dev.diti4j.diti.data.DataLoader;
import dev.diti4j.diti.data.Dataset;
import dev.diti4j.diti.data.DatasetException;
import dev.diti4j.diti.run.Progress;
import dev.diti4j.diti.run.RunFolder;
import dev.diti4j.nn.checkpoint.Checkpoint;
import dev.diti4j.nn.checkpoint.CheckpointException;
import dev.diti4j.nn.json.Json;
import dev.diti4j.nn.unet.UNet;
import dev.diti4j.nn.unet.UNetConfig;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A diffusion-model training run and the folder it writes:
 *
 * <pre>
 *   config.json                 every setting, resolved (model, trainer, data, schedule of outputs)
 *   metrics.jsonl               one line per step: step, loss, lr, grad_norm, images_per_s, elapsed_s
 *   loss.png                    the loss curve, raw and smoothed, log y
 *   samples/step-0000500.png    EMA samples (DDIM) during training, from the same x_T every time
 *   samples.png                 the newest of them
 *   checkpoints/step-*.safetensors, checkpoints/latest
 * </pre>
 *
 * A checkpoint also records the data set and the run's options, so {@link #resume} needs nothing
 * but the run folder (or one checkpoint) to continue exactly where the run stopped.
 */
public final class DmTraining {
    /** The seed of the fixed x_T used for every sample grid of a run (comparable across steps). */
    public static final long SAMPLE_SEED = 1234L;
    /** Fork id that derives the data loader's seed from the run seed. */
    public static final long DATA_STREAM = 0xDA7AL;

    /**
     * Everything a fresh run needs.
     *
     * @param steps           total optimisation steps
     * @param budget          stop earlier after this much training wall time (null = no limit)
     * @param checkpointEvery save every N steps (0 = only at the end)
     * @param keepCheckpoints keep the newest N step files (0 = all)
     * @param sampleEvery     write an EMA sample grid every N steps (0 = only at the end)
     * @param sampleCount     images per grid
     * @param sampleSteps     DDIM steps per grid
     */
    public record Options(DataSpec data, UNetConfig model, DmSettings settings, int batch, boolean flip, long steps,
            Duration budget, long checkpointEvery, int keepCheckpoints, long sampleEvery, int sampleCount,
            int sampleSteps, Device device, Path out) {
    }

    /** What can change when a run is resumed; null keeps the run's own value. */
    public record ResumeOptions(Long steps, Duration budget, Long checkpointEvery, Long sampleEvery, Device device,
            Path out) {
    }

    /**
     * The outcome.
     *
     * @param seconds        wall time of this call's training loop (samples included)
     * @param secondsPerStep mean time of one optimisation step in this call (data and samples excluded)
     * @param smoothedLoss   the exponentially smoothed loss at the end
     */
    public record Result(Path runDir, long steps, long stepsThisCall, Path checkpoint, Path samples, Path lossCurve,
            double seconds, double secondsPerStep, float smoothedLoss, TrainingRun.Stop reason, Options options) {
    }

    private DmTraining() {
    }

    // ---- starting ---------------------------------------------------------------------------

    /** Starts a fresh run in {@code o.out()}. */
    public static Result start(Options o, PrintStream console) {
        Path ckptDir = o.out().resolve("checkpoints");
        if (Files.exists(ckptDir.resolve(TrainingCheckpoints.LATEST)) || !TrainingCheckpoints.list(ckptDir).isEmpty()) {
            throw new RunRequestException("run folder " + o.out() + " already holds checkpoints: resume it with --resume "
                    + o.out() + ", or choose another --out");
        }
        if (o.steps() < 1) {
            throw new RunRequestException("the number of steps must be at least 1, got " + o.steps());
        }
        if (o.data().channels() != o.model().inChannels()) {
            throw new RunRequestException("the model takes " + o.model().inChannels() + " channels but "
                    + o.data().describe() + " has " + o.data().channels());
        }
        try {
            ModelPresets.checkImageSize(o.model(), o.data().imageSize());
        } catch (IllegalArgumentException e) {
            throw new RunRequestException(e.getMessage(), e);
        }
        Dataset dataset = openData(o.data());
        checkBatch(dataset, o.batch());
        RunFolder run = RunFolder.open(o.out());
        UNet model = new UNet(o.model(), o.device(), new Philox(o.settings().seed()));
        DmTrainer trainer = new DmTrainer(model, o.settings());
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("command", "train-dm");
        config.put("started", Instant.now().toString());
        config.putAll(optionsMap(o));
        config.put("parameters", model.parameterCount());
        config.put("java", Runtime.version().toString());
        config.put("cpus", Runtime.getRuntime().availableProcessors());
        run.writeJson("config.json", config);
        deleteQuietly(run.file("metrics.jsonl"));
        console.printf(Locale.ROOT, "training a %,d-parameter U-Net on %s (%d px, batch %d) for %d steps -> %s%n",
                model.parameterCount(), dataset.name(), o.data().imageSize(), o.batch(), o.steps(), o.out());
        return train(run, trainer, dataset, BatchSource.Position.START, o, 0.0, console);
    }

    /** Continues a run from its folder (newest checkpoint) or from one checkpoint file. */
    public static Result resume(Path from, ResumeOptions r, PrintStream console) {
        if (!Files.exists(from)) {
            throw new RunRequestException("nothing to resume at " + from + ": no such file or folder");
        }
        Path file = TrainingCheckpoints.resolve(from);
        Checkpoint c = Checkpoint.read(file);
        Device device = r.device() != null ? r.device() : Device.CPU;
        DmTrainer.Resumed resumed = DmTrainer.resume(c, device);
        Options saved = savedOptions(c, resumed.trainer(), device);
        Path out = r.out() != null ? r.out() : runFolderOf(file);
        Options o = new Options(saved.data(), saved.model(), saved.settings(), saved.batch(), saved.flip(),
                r.steps() != null ? r.steps() : saved.steps(), r.budget(),
                r.checkpointEvery() != null ? r.checkpointEvery() : saved.checkpointEvery(), saved.keepCheckpoints(),
                r.sampleEvery() != null ? r.sampleEvery() : saved.sampleEvery(), saved.sampleCount(),
                saved.sampleSteps(), device, out);
        long done = resumed.trainer().stepCount();
        if (o.steps() <= done) {
            throw new RunRequestException("the run in " + file + " has already done " + done + " of its " + o.steps()
                    + " steps: pass --steps with more than " + done + " to train further");
        }
        Dataset dataset = openData(o.data());
        checkBatch(dataset, o.batch());
        RunFolder run = RunFolder.open(out);
        Map<String, Object> config = Files.isRegularFile(run.file("config.json"))
                ? new LinkedHashMap<>(readConfig(run)) : new LinkedHashMap<>(optionsMap(o));
        config.put("steps", o.steps());
        config.put("checkpointEvery", o.checkpointEvery());
        config.put("sampleEvery", o.sampleEvery());
        @SuppressWarnings("unchecked")
        List<Object> resumes = config.get("resumes") instanceof List<?> l ? new ArrayList<>((List<Object>) l)
                : new ArrayList<>();
        resumes.add(Map.of("fromStep", done, "checkpoint", file.toString(), "at", Instant.now().toString()));
        config.put("resumes", resumes);
        run.writeJson("config.json", config);
        MetricsLog.truncateAfter(run.file("metrics.jsonl"), done);
        double elapsed = savedElapsed(c);
        console.printf(Locale.ROOT, "resuming %s at step %d of %d (epoch %d, batch %d) -> %s%n", file, done, o.steps(),
                resumed.position().epoch(), resumed.position().batch(), out);
        return train(run, resumed.trainer(), dataset, resumed.position(), o, elapsed, console);
    }

    // ---- the loop ---------------------------------------------------------------------------

    private static Result train(RunFolder run, DmTrainer trainer, Dataset dataset, BatchSource.Position position,
            Options o, double elapsedBefore, PrintStream console) {
        DataLoader loader = DataLoader.builder(dataset).batchSize(o.batch()).shuffle(true).flip(o.flip())
                .seed(dataSeed(o.settings().seed())).device(o.device()).prefetch(2).build();
        long startNanos = System.nanoTime();
        long firstStep = trainer.stepCount();
        Path samplesDir = run.file("samples");
        Path[] lastGrid = {null};
        long[] lastGridStep = {-1};
        TrainingRun[] loop = new TrainingRun[1];
        CountDownLatch finished = new CountDownLatch(1);
        java.util.concurrent.atomic.AtomicBoolean stopping = new java.util.concurrent.atomic.AtomicBoolean();
        Thread hook = new Thread(() -> {
            // Ctrl-C: let the current step finish and save a checkpoint before the JVM exits
            stopping.set(true);
            if (loop[0] != null) {
                loop[0].requestStop();
            }
            try {
                finished.await(120, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "diti-train-stop");
        Runtime.getRuntime().addShutdownHook(hook);
        try (LoaderBatchSource source = new LoaderBatchSource(loader);
                Progress bar = Progress.start("train-dm", o.steps(), firstStep, "step")) {
            source.seek(position);
            MetricsLog metrics = new MetricsLog(run, o.steps(), elapsedBefore, startNanos);
            TrainingRun.Plan plan = new TrainingRun.Plan(o.steps(), o.checkpointEvery(), run.checkpoints(),
                    o.keepCheckpoints(), o.budget(), () -> checkpointMetadata(o, metrics.elapsedSeconds()));
            loop[0] = new TrainingRun(trainer, source, plan);
            TrainingRun.Outcome out = loop[0].run(new TrainingRun.Listener() {
                @Override
                public void onStep(DmTrainer.StepResult r) {
                    metrics.record(r);
                    if (o.budget() != null && r.step() % 10 == 0) {
                        // a time budget: show the step count it will reach at the current pace
                        double left = o.budget().toNanos() / 1e9 - (System.nanoTime() - startNanos) / 1e9;
                        double perStep = (System.nanoTime() - startNanos) / 1e9 / (r.step() - firstStep);
                        bar.setTotal(Math.min(o.steps(), r.step() + (long) Math.max(0, left / perStep)));
                    }
                    bar.update(r.step(), metrics.message());
                    if (o.sampleEvery() > 0 && r.step() % o.sampleEvery() == 0 && r.step() < o.steps()) {
                        lastGrid[0] = sampleGrid(trainer, o, samplesDir, r.step(), bar, run);
                        lastGridStep[0] = r.step();
                    }
                    metrics.resumeClock();
                }

                @Override
                public void onCheckpoint(long step, Path file) {
                    if (!stopping.get()) {   // no plotting (AWT) while the JVM shuts down
                        metrics.plot();
                    }
                }
            });
            if (out.reason() != TrainingRun.Stop.REQUESTED && lastGridStep[0] != out.steps() && out.steps() > firstStep) {
                lastGrid[0] = sampleGrid(trainer, o, samplesDir, out.steps(), bar, run);
            }
            if (!stopping.get()) {
                metrics.plot();
            }
            bar.close();
            double seconds = (System.nanoTime() - startNanos) / 1e9;
            long done = out.steps() - firstStep;
            Result result = new Result(run.dir(), out.steps(), done, out.lastCheckpoint(), lastGrid[0],
                    run.file("loss.png"), seconds, metrics.meanStepSeconds(), metrics.smoothedLoss(), out.reason(), o);
            console.printf(Locale.ROOT, "%s after %d steps (%d in this call, %.1f s, %.3f s/step): loss %.4f%n",
                    switch (out.reason()) {
                        case STEPS -> "done";
                        case BUDGET -> "time budget reached";
                        case REQUESTED -> "stopped";
                    }, out.steps(), done, seconds, metrics.meanStepSeconds(), metrics.smoothedLoss());
            if (out.lastCheckpoint() != null) {
                console.println("checkpoint  " + out.lastCheckpoint());
            }
            if (lastGrid[0] != null) {
                console.println("samples     " + run.file("samples.png"));
            }
            if (Files.isRegularFile(run.file("loss.png"))) {
                console.println("loss curve  " + run.file("loss.png"));
            }
            if (out.reason() == TrainingRun.Stop.REQUESTED) {
                console.println("continue with: ./diti train-dm --resume " + run.dir());
            }
            return result;
        } finally {
            finished.countDown();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException e) {
                // the JVM is already shutting down (Ctrl-C): the hook is running and now returns
            }
        }
    }

    /** An EMA sample grid at {@code step}, also copied to samples.png. */
    private static Path sampleGrid(DmTrainer trainer, Options o, Path dir, long step, Progress bar, RunFolder run) {
        UNet ema = trainer.snapshot(true);
        int size = o.data().imageSize();
        Tensor images = DmSampling.generate(ema::forward, o.model().inChannels(), size, trainer.schedule(),
                DmSampling.Sampler.DDIM, o.sampleSteps(), o.sampleCount(), SAMPLE_SEED, o.device(),
                (d, total, t) -> bar.update(step, "sampling " + d + "/" + total));
        Path png = dir.resolve(String.format(Locale.ROOT, "step-%07d.png", step));
        int cols = DmSampling.columns(o.sampleCount());
        DmSampling.writeGrid(images, cols, DmSampling.displayScale(size), png);
        DmSampling.writeGrid(images, cols, DmSampling.displayScale(size), run.file("samples.png"));
        return png;
    }

    // ---- options in config.json and in checkpoints ------------------------------------------

    static long dataSeed(long seed) {
        return new Philox(seed).fork(DATA_STREAM).key();
    }

    private static Map<String, Object> optionsMap(Options o) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("data", o.data().toMap());
        m.put("model", Json.parseObject(o.model().toJson()));
        m.put("trainer", Json.parseObject(o.settings().toJson()));
        m.put("batch", o.batch());
        m.put("flip", o.flip());
        m.put("dataSeed", dataSeed(o.settings().seed()));
        m.put("steps", o.steps());
        m.put("checkpointEvery", o.checkpointEvery());
        m.put("keepCheckpoints", o.keepCheckpoints());
        m.put("sampleEvery", o.sampleEvery());
        m.put("sampleCount", o.sampleCount());
        m.put("sampleSteps", o.sampleSteps());
        m.put("device", o.device().toString());
        return m;
    }

    private static Map<String, String> checkpointMetadata(Options o, double elapsed) {
        Map<String, Object> runEntry = new LinkedHashMap<>();
        runEntry.put("batch", o.batch());
        runEntry.put("flip", o.flip());
        runEntry.put("steps", o.steps());
        runEntry.put("checkpointEvery", o.checkpointEvery());
        runEntry.put("keepCheckpoints", o.keepCheckpoints());
        runEntry.put("sampleEvery", o.sampleEvery());
        runEntry.put("sampleCount", o.sampleCount());
        runEntry.put("sampleSteps", o.sampleSteps());
        runEntry.put("elapsedSeconds", elapsed);
        return Map.of("data", o.data().toJson(), "run", Json.write(runEntry));
    }

    /** The options stored in a checkpoint by a run. */
    private static Options savedOptions(Checkpoint c, DmTrainer t, Device device) {
        try {
            DataSpec data = DataSpec.fromJson(c.metadata("data"));
            Map<String, Object> r = Json.parseObject(c.metadata("run"));
            return new Options(data, t.model().config(), t.settings(), Json.getInt(r, "batch"),
                    Boolean.TRUE.equals(r.get("flip")), Json.getLong(r, "steps"), null,
                    Json.getLong(r, "checkpointEvery"), Json.getInt(r, "keepCheckpoints"), Json.getLong(r, "sampleEvery"),
                    Json.getInt(r, "sampleCount"), Json.getInt(r, "sampleSteps"), device, null);
        } catch (IllegalArgumentException e) {
            throw new CheckpointException(CheckpointException.Kind.BAD_METADATA, c.path(),
                    "it does not record how its run was set up ('data'/'run' metadata): " + e.getMessage(), e);
        }
    }

    private static double savedElapsed(Checkpoint c) {
        try {
            return Json.getDouble(Json.parseObject(c.metadata("run")), "elapsedSeconds");
        } catch (IllegalArgumentException e) {
            return 0;
        }
    }

    /** The run folder a checkpoint file belongs to: the parent of its {@code checkpoints} folder. */
    public static Path runFolderOf(Path checkpointFile) {
        Path dir = checkpointFile.toAbsolutePath().getParent();
        if (dir.getFileName() != null && dir.getFileName().toString().equals("checkpoints") && dir.getParent() != null) {
            return dir.getParent();
        }
        return dir;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> readConfig(RunFolder run) {
        try {
            return run.readJson("config.json", Map.class);
        } catch (RuntimeException e) {
            return new LinkedHashMap<>();
        }
    }

    private static Dataset openData(DataSpec spec) {
        try {
            return spec.open();
        } catch (DatasetException | IllegalArgumentException e) {
            throw new RunRequestException(e.getMessage(), e);
        }
    }

    private static void checkBatch(Dataset d, int batch) {
        if (batch < 1) {
            throw new RunRequestException("the batch size must be at least 1, got " + batch);
        }
        if (d.size() < batch) {
            throw new RunRequestException(d.name() + " has " + d.size() + " images, fewer than one batch of " + batch);
        }
    }

    private static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("cannot replace " + p + ": " + e.getMessage(), e);
        }
    }
}

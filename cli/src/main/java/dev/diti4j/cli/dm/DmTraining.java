package dev.diti4j.cli.dm;

import dev.diti4j.diti.data.DataSpec;
import dev.diti4j.diti.data.LoaderBatchSource;
import dev.diti4j.diti.ModelPresets;
import dev.diti4j.core.Device;
import dev.diti4j.core.Tensor;
import dev.diti4j.core.random.Philox;
import dev.diti4j.diffusion.train.BatchSource;
import dev.diti4j.diffusion.train.DmSettings;
import dev.diti4j.diffusion.train.DmTrainer;
import dev.diti4j.diffusion.train.TrainingCheckpoints;
import dev.diti4j.diffusion.train.TrainingDivergedException;
import dev.diti4j.diffusion.train.TrainingRun;
import dev.diti4j.diti.data.DataLoader;
import dev.diti4j.diti.data.Dataset;
import dev.diti4j.diti.data.DatasetException;
import dev.diti4j.cli.run.Progress;
import dev.diti4j.cli.run.RunFolder;
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

    /**
     * Starts a fresh run in {@code o.out()}, which must not exist or be empty. Every check of the
     * request (data, model, outputs, folder) comes before anything is written.
     *
     * @throws RunRequestException (one sentence) when the request cannot be carried out as given
     * @throws RunFailedException  (one sentence) when training fails once it has started
     */
    public static Result start(Options o, PrintStream console) {
        if (o.steps() < 1) {
            throw new RunRequestException("the number of steps must be at least 1, got " + o.steps());
        }
        requireNewRunFolder(o.out(), false);
        if (o.data().channels() != o.model().inChannels()) {
            throw new RunRequestException("the model takes " + o.model().inChannels() + " channels but "
                    + o.data().describe() + " has " + o.data().channels());
        }
        try {
            ModelPresets.checkImageSize(o.model(), o.data().imageSize());
            ModelPresets.checkTensorSizes(o.model(), o.data().imageSize(),
                    Math.max(o.batch(), Math.min(o.sampleCount(), DmSampling.CHUNK)));
            DmSampling.checkDdimSteps("--sample-steps", o.sampleSteps(), o.settings().noiseSchedule());
            DmSampling.checkImages("--sample-count", o.sampleCount(), 0, o.model().inChannels(), o.data().imageSize());
        } catch (IllegalArgumentException e) {
            throw new RunRequestException(e.getMessage(), e);
        }
        Dataset dataset = openData(o.data());
        checkBatch(dataset, o.batch());
        UNet model = buildModel(o);
        DmTrainer trainer = new DmTrainer(model, o.settings());
        try (RunFolder run = lock(o.out())) {
            Map<String, Object> config = new LinkedHashMap<>();
            config.put("command", "train-dm");
            config.put("started", Instant.now().toString());
            config.putAll(optionsMap(o));
            config.put("parameters", model.parameterCount());
            config.put("java", Runtime.version().toString());
            config.put("cpus", Runtime.getRuntime().availableProcessors());
            run.writeJson("config.json", config);
            console.printf(Locale.ROOT, "training a %,d-parameter U-Net on %s (%d px, batch %d) for %d steps -> %s%n",
                    model.parameterCount(), dataset.name(), o.data().imageSize(), o.batch(), o.steps(), o.out());
            return train(run, trainer, dataset, BatchSource.Position.START, o, 0.0, console);
        }
    }

    /**
     * Continues a run from its folder (newest checkpoint) or from one checkpoint file. Without
     * {@code --out} the run continues in its own folder, which needs the newest checkpoint and a
     * {@code config.json} that agrees with it; with {@code --out} it continues in a copy: a new (or
     * empty) folder that receives the run's config, its metrics up to the checkpoint and the checkpoint
     * itself. A checkpoint file outside a run folder's {@code checkpoints/} needs {@code --out}. Every
     * check comes before anything is written.
     *
     * @throws RunRequestException (one sentence) when the request cannot be carried out as given
     * @throws RunFailedException  (one sentence) when training fails once it has started
     */
    public static Result resume(Path from, ResumeOptions r, PrintStream console) {
        if (!Files.exists(from)) {
            throw new RunRequestException("nothing to resume at " + from + ": no such file or folder");
        }
        Device device = r.device() != null ? r.device() : Device.CPU;
        Path file;
        Checkpoint c;
        DmTrainer.Resumed resumed;
        Options saved;
        try {
            file = TrainingCheckpoints.resolve(from);
            c = Checkpoint.read(file);
            resumed = DmTrainer.resume(c, device);
            saved = savedOptions(c, resumed.trainer(), device);
        } catch (CheckpointException e) {
            throw new RunRequestException(e.getMessage(), e);
        }
        requireFiniteState(c, resumed.trainer());
        Path home = homeOf(file);
        if (r.out() == null && home == null) {
            throw new RunRequestException("checkpoint " + file + " is not in a run folder's checkpoints/, so there is no"
                    + " run to continue in place: give --out <new folder> for the continued run");
        }
        Path out = r.out() != null ? r.out() : home;
        boolean inPlace = home != null && samePath(out, home);
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
        if (inPlace) {
            Path newest;
            try {
                newest = TrainingCheckpoints.resolve(home);
            } catch (CheckpointException e) {
                throw new RunRequestException(e.getMessage(), e);
            }
            if (!samePath(newest, file)) {
                throw new RunRequestException("checkpoint " + file.getFileName() + " is not the newest of run folder "
                        + home + " (that is " + newest.getFileName() + "): continuing it there would overwrite later"
                        + " checkpoints and metrics, so give --out <new folder> to continue it in a copy");
            }
        } else {
            requireNewRunFolder(out, true);
        }
        if (home != null) {
            ConfigAgreement.require(home, file, optionsMap(o));
        }
        Dataset dataset = openData(o.data());
        checkBatch(dataset, o.batch());
        try (RunFolder run = lock(out)) {
            List<String> stale = run.removeStaleTemporaries();
            if (!stale.isEmpty()) {
                console.println("removed " + stale.size() + " temporary file" + (stale.size() == 1 ? "" : "s")
                        + " of an interrupted write: " + String.join(", ", stale));
            }
            Map<String, Object> config;
            if (home != null && Files.isRegularFile(home.resolve("config.json"))) {
                config = new LinkedHashMap<>(ConfigAgreement.read(home));
            } else {
                config = new LinkedHashMap<>();
                config.put("command", "train-dm");
                config.putAll(optionsMap(o));
                config.put("parameters", resumed.trainer().model().parameterCount());
            }
            if (!inPlace) {
                if (home != null && Files.isRegularFile(home.resolve("metrics.jsonl"))) {
                    copy(home.resolve("metrics.jsonl"), run.file("metrics.jsonl"));
                }
                try {
                    TrainingCheckpoints.copyIn(file, run.checkpoints(), done);
                } catch (CheckpointException e) {
                    throw new RunFailedException(e.getMessage(), e);
                }
            }
            config.put("steps", o.steps());
            config.put("checkpointEvery", o.checkpointEvery());
            config.put("sampleEvery", o.sampleEvery());
            @SuppressWarnings("unchecked")
            List<Object> resumes = config.get("resumes") instanceof List<?> l ? new ArrayList<>((List<Object>) l)
                    : new ArrayList<>();
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("fromStep", done);
            entry.put("checkpoint", file.toString());
            entry.put("at", Instant.now().toString());
            if (!inPlace) {
                entry.put("into", out.toString());
            }
            resumes.add(entry);
            config.put("resumes", resumes);
            run.writeJson("config.json", config);
            MetricsLog.truncateAfter(run.file("metrics.jsonl"), done);
            double elapsed = savedElapsed(c);
            console.printf(Locale.ROOT, "resuming %s at step %d of %d (epoch %d, batch %d) -> %s%n", file, done,
                    o.steps(), resumed.position().epoch(), resumed.position().batch(), out);
            return train(run, resumed.trainer(), dataset, resumed.position(), o, elapsed, console);
        }
    }

    // ---- checks made before anything is written ---------------------------------------------

    /**
     * A fresh run, or a resumed run continued in a copy, needs a folder of its own: one that does not
     * exist yet or is empty.
     */
    public static void requireNewRunFolder(Path out, boolean resuming) {
        if (Files.exists(out) && !Files.isDirectory(out)) {
            throw new RunRequestException("--out " + out + " is a file, not a folder");
        }
        Path ckpt = out.resolve("checkpoints");
        if (Files.exists(ckpt.resolve(TrainingCheckpoints.LATEST)) || !TrainingCheckpoints.list(ckpt).isEmpty()) {
            throw new RunRequestException(resuming
                    ? "--out " + out + " already holds another run's checkpoints: give a new or empty folder for the"
                            + " continued run, or leave --out out to continue in the run's own folder"
                    : "run folder " + out + " already holds checkpoints: resume it with --resume " + out
                            + ", or choose another --out");
        }
        List<String> entries = RunFolder.entries(out);
        if (!entries.isEmpty()) {
            String shown = String.join(", ", entries.subList(0, Math.min(3, entries.size())))
                    + (entries.size() > 3 ? " and " + (entries.size() - 3) + " more" : "");
            throw new RunRequestException("--out " + out + " is not empty (it holds " + shown + ") but has no"
                    + " checkpoint to resume: choose another --out, or empty the folder first");
        }
        try {
            DmSampling.checkOutputFolder("--out", out);
        } catch (IllegalArgumentException e) {
            throw new RunRequestException(e.getMessage(), e);
        }
    }

    /** The model of a fresh run, built before anything is written (a model too large for memory is refused). */
    private static UNet buildModel(Options o) {
        UNet model;
        try {
            model = new UNet(o.model(), o.device(), new Philox(o.settings().seed()));
        } catch (OutOfMemoryError e) {
            throw new RunRequestException("the model does not fit in memory: building its weights ran out of the "
                    + gigabytes(Runtime.getRuntime().maxMemory()) + " Java may use (give Java more with"
                    + " DITI_JAVA_OPTS=-Xmx<size>, or choose a smaller model)", e);
        } catch (RuntimeException e) {
            throw new RunRequestException("the model cannot be built: " + e.getMessage(), e);
        }
        // weights, gradients, two Adam moments and the EMA: five floats per parameter at least
        long need = 5 * 4 * model.parameterCount();
        long max = Runtime.getRuntime().maxMemory();
        if (o.device().equals(Device.CPU) && max != Long.MAX_VALUE && need > max) {
            throw new RunRequestException(String.format(Locale.ROOT, "the model has %,d parameters: training it needs at"
                    + " least %s (weights, gradients, Adam moments and EMA) but Java may use %s here (give Java more"
                    + " with DITI_JAVA_OPTS=-Xmx<size>, or choose a smaller model)", model.parameterCount(),
                    gigabytes(need), gigabytes(max)));
        }
        return model;
    }

    private static String gigabytes(long bytes) {
        return String.format(Locale.ROOT, "%.1f GB", bytes / 1e9);
    }

    /** Every weight, EMA shadow and optimizer moment of a resumed trainer must be finite. */
    private static void requireFiniteState(Checkpoint c, DmTrainer t) {
        Map<String, Tensor> all = new LinkedHashMap<>();
        t.model().namedParameters().forEach((name, p) -> all.put(name, p.tensor()));
        t.ema().stateTensors().forEach((name, x) -> all.put("ema." + name, x));
        t.optimizer().stateTensors().forEach((name, x) -> all.put("optim." + name, x));
        DmSampling.requireFinite(c, all, "resumed");
    }

    /** The run folder a checkpoint file lives in ({@code <run>/checkpoints/<file>}), or null for a loose file. */
    private static Path homeOf(Path file) {
        Path dir = file.toAbsolutePath().getParent();
        if (dir != null && dir.getFileName() != null && dir.getFileName().toString().equals("checkpoints")
                && dir.getParent() != null) {
            return dir.getParent();
        }
        return null;
    }

    private static boolean samePath(Path a, Path b) {
        if (!Files.exists(a) || !Files.exists(b)) {
            return false;
        }
        try {
            return Files.isSameFile(a, b);
        } catch (java.io.IOException e) {
            return a.toAbsolutePath().normalize().equals(b.toAbsolutePath().normalize());
        }
    }

    public static RunFolder lock(Path dir) {
        try {
            return RunFolder.lock(dir);
        } catch (RunFolder.InUseException e) {
            throw new RunRequestException(e.getMessage(), e);
        }
    }

    private static void copy(Path from, Path to) {
        try {
            Files.copy(from, to, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        } catch (java.io.IOException e) {
            throw new RunFailedException("cannot copy " + from + " to " + to + ": " + oneLine(e), e);
        }
    }

    static String oneLine(Throwable e) {
        String m = e.getMessage();
        return m == null ? e.getClass().getSimpleName() : m.lines().findFirst().orElse(m).strip();
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
        StopHook hook = new StopHook();   // Ctrl-C / SIGTERM: finish the step and save before the JVM exits
        try (LoaderBatchSource source = new LoaderBatchSource(loader);
                Progress bar = Progress.start("train-dm", o.steps(), firstStep, "step")) {
            source.seek(position);
            MetricsLog metrics = new MetricsLog(run, o.steps(), elapsedBefore, startNanos);
            TrainingRun.Plan plan = new TrainingRun.Plan(o.steps(), o.checkpointEvery(), run.checkpoints(),
                    o.keepCheckpoints(), o.budget(), () -> checkpointMetadata(o, metrics.elapsedSeconds()));
            TrainingRun loop = new TrainingRun(trainer, source, plan);
            hook.onStop(loop::requestStop);
            TrainingRun.Outcome out;
            try {
                out = loop.run(new TrainingRun.Listener() {
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
                }

                @Override
                public void onCheckpoint(long step, Path file) {
                    if (!hook.stopping()) {   // no plotting (AWT) while the JVM shuts down
                        metrics.plot();
                    }
                }

                @Override
                public void afterStep(DmTrainer.StepResult r) {
                    // after the step's checkpoint, so a failing grid cannot lose the step
                    if (o.sampleEvery() > 0 && r.step() % o.sampleEvery() == 0 && r.step() < o.steps()) {
                        long t0 = System.nanoTime();
                        lastGrid[0] = sampleGrid(trainer, o, samplesDir, r.step(), bar, run);
                        lastGridStep[0] = r.step();
                        metrics.exclude(System.nanoTime() - t0);
                    }
                }
            });
            } catch (TrainingDivergedException e) {
                throw diverged(e, run);
            } catch (RuntimeException | OutOfMemoryError e) {
                throw failed(e, trainer.stepCount(), run);
            }
            if (out.reason() != TrainingRun.Stop.REQUESTED && lastGridStep[0] != out.steps() && out.steps() > firstStep) {
                try {
                    lastGrid[0] = sampleGrid(trainer, o, samplesDir, out.steps(), bar, run);
                } catch (RuntimeException | OutOfMemoryError e) {
                    throw failed(e, out.steps(), run);   // the final checkpoint is already written
                }
            }
            if (!hook.stopping()) {
                metrics.plot();
            }
            bar.close();
            double seconds = (System.nanoTime() - startNanos) / 1e9;
            long done = out.steps() - firstStep;
            Result result = new Result(run.dir(), out.steps(), done, out.lastCheckpoint(), lastGrid[0],
                    run.file("loss.png"), seconds, metrics.meanStepSeconds(), metrics.smoothedLoss(), out.reason(), o);
            String why = switch (out.reason()) {
                case STEPS -> "done";
                case BUDGET -> "time budget reached";
                case REQUESTED -> "stopped";
            };
            if (done > 0) {
                console.printf(Locale.ROOT, "%s after %d steps (%d in this call, %.1f s, %.3f s/step): loss %.4f%n", why,
                        out.steps(), done, seconds, metrics.meanStepSeconds(), metrics.smoothedLoss());
            } else {
                console.printf(Locale.ROOT, "%s after %d steps (none in this call)%n", why, out.steps());
            }
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
                console.println("continue with: ./diti4j train-dm --resume " + run.dir());
            }
            return result;
        } finally {
            hook.close();
        }
    }

    /** A diverged step: nothing after it was saved, so the newest checkpoint is the last good one. */
    private static RunFailedException diverged(TrainingDivergedException e, RunFolder run) {
        String newest = newestCheckpoint(run);
        String kept = newest == null ? "; no checkpoint had been written yet"
                : "; nothing of it was saved and the newest checkpoint, " + newest + ", is the last good one";
        String hint = e.reason() == TrainingDivergedException.Cause.WEIGHTS ? ""
                : " (train again with a lower --lr, or with --clip)";
        return new RunFailedException(e.getMessage() + kept + hint, e);
    }

    /** Work after a good step failed (a sample grid, a file write): the loop saved that step first. */
    private static RunFailedException failed(Throwable e, long step, RunFolder run) {
        String what = e instanceof OutOfMemoryError ? "out of memory (give Java more with DITI_JAVA_OPTS=-Xmx<size>,"
                + " or use a smaller --batch or --sample-count)" : oneLine(e);
        String newest = newestCheckpoint(run);
        String kept = newest != null && newest.endsWith(TrainingCheckpoints.fileName(step))
                ? "; training stopped after step " + step + ", which is saved in " + newest + " (continue with"
                        + " ./diti4j train-dm --resume " + run.dir() + ")"
                : newest != null ? "; training stopped and the newest checkpoint is " + newest
                : "; training stopped before any checkpoint was written";
        return new RunFailedException(what + kept, e);
    }

    /** The newest checkpoint of the run, relative to the run folder, or null when there is none. */
    private static String newestCheckpoint(RunFolder run) {
        try {
            return run.dir().relativize(TrainingCheckpoints.resolve(run.checkpoints())).toString();
        } catch (CheckpointException | IllegalArgumentException e) {
            return null;
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

    static double savedElapsed(Checkpoint c) {
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

    public static Dataset openData(DataSpec spec) {
        try {
            return spec.open(dev.diti4j.cli.run.Progress.terminalListener());
        } catch (DatasetException | IllegalArgumentException e) {
            throw new RunRequestException(e.getMessage(), e);
        }
    }

    static void checkBatch(Dataset d, int batch) {
        if (batch < 1) {
            throw new RunRequestException("the batch size must be at least 1, got " + batch);
        }
        if (d.size() < batch) {
            throw new RunRequestException(d.name() + " has " + d.size() + " images, fewer than one batch of " + batch);
        }
    }

}

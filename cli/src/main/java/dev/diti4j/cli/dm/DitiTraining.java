package dev.diti4j.cli.dm;

import dev.diti4j.cli.run.Plots;
import dev.diti4j.cli.run.Progress;
import dev.diti4j.cli.run.RunFolder;
import dev.diti4j.core.Device;
import dev.diti4j.diffusion.train.BatchSource;
import dev.diti4j.diffusion.train.TrainingCheckpoints;
import dev.diti4j.diffusion.train.TrainingDivergedException;
import dev.diti4j.diffusion.train.TrainingLoop;
import dev.diti4j.diffusion.train.TrainingRun;
import dev.diti4j.diti.data.DataLoader;
import dev.diti4j.diti.data.DataSpec;
import dev.diti4j.diti.data.Dataset;
import dev.diti4j.diti.data.LoaderBatchSource;
import dev.diti4j.diti.model.EncoderConfig;
import dev.diti4j.diti.model.LossMode;
import dev.diti4j.diti.model.Partition;
import dev.diti4j.diti.train.DitiSettings;
import dev.diti4j.diti.train.DitiTrainer;
import dev.diti4j.diti.train.LossReductionHistogram;
import dev.diti4j.nn.checkpoint.Checkpoint;
import dev.diti4j.nn.checkpoint.CheckpointException;
import dev.diti4j.nn.json.Json;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
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
 * A DiTi training run (METHOD 4.7, 9 stage B) on the training skeleton shared with train-dm
 * ({@link TrainingLoop}, {@link TrainingCheckpoints}, {@link MetricsLog}, {@link StopHook},
 * {@link Progress}, {@link RunFolder}) and the folder it writes:
 *
 * <pre>
 *   config.json              every setting, resolved, and the diffusion-model checkpoint used
 *   metrics.jsonl            one line per step: step, loss, frozen_loss, grad_norm, images_per_s, elapsed_s
 *   loss.png                 the loss curve
 *   histogram.json           the per-time-step loss reduction (METHOD 4.3), bins of T/bins steps
 *   histogram.png            its plot
 *   checkpoints/step-*.safetensors, checkpoints/latest
 * </pre>
 */
public final class DitiTraining {
    /**
     * A fresh run.
     *
     * @param dm         a train-dm run folder or checkpoint
     * @param partition  uniform:K, widths:a,b,..., or celeba64
     * @param flip       random horizontal flips; null = as the diffusion model's run
     */
    public record Options(Path dm, Path out, String partition, int latent, String encoder, LossMode mode, int batch,
            float lr, float ema, long steps, Duration budget, long seed, Boolean flip, long checkpointEvery,
            int histogramBins, Device device) {
    }

    /** What a run did. */
    public record Result(Path runDir, long steps, Path checkpoint, Path histogram, TrainingRun.Stop reason) {
    }

    private DitiTraining() {
    }

    /** Parses {@code uniform:K}, {@code widths:a,b,...} or {@code celeba64} for latent size d. */
    static Partition partition(String spec, int d, int steps) {
        try {
            if (spec.equals("celeba64")) {
                Partition p = Partition.celeba64();
                if (p.latentDim() != d || p.steps() != steps) {
                    throw new IllegalArgumentException("the celeba64 partition needs --latent " + p.latentDim()
                            + " and " + p.steps() + " time steps");
                }
                return p;
            }
            if (spec.startsWith("uniform:")) {
                return Partition.uniform(Integer.parseInt(spec.substring(8).strip()), d, steps);
            }
            if (spec.startsWith("widths:")) {
                String[] parts = spec.substring(7).split(",");
                int[] w = new int[parts.length];
                for (int i = 0; i < w.length; i++) {
                    w[i] = Integer.parseInt(parts[i].strip());
                }
                return Partition.explicit(d, w, steps);
            }
        } catch (NumberFormatException e) {
            throw new RunRequestException("--partition " + spec + " holds a number that is not an integer", e);
        } catch (IllegalArgumentException e) {
            throw new RunRequestException("--partition " + spec + " does not fit --latent " + d + ": " + e.getMessage(), e);
        }
        throw new RunRequestException("--partition must be uniform:K, widths:a,b,... or celeba64, got '" + spec + "'");
    }

    static EncoderConfig encoder(String name, int channels, int imageSize, int d) {
        EncoderConfig e = switch (name) {
            case "small" -> EncoderConfig.small(channels, imageSize, d);
            case "celeba64" -> EncoderConfig.celeba64(d);
            case "ffhq128" -> EncoderConfig.ffhq128(d);
            default -> throw new RunRequestException("--encoder must be small, celeba64 or ffhq128, got '" + name + "'");
        };
        if (e.imageSize() != imageSize || e.inChannels() != channels) {
            throw new RunRequestException("the " + name + " encoder reads " + e.inChannels() + "-channel " + e.imageSize()
                    + " px images but the diffusion model's data has " + channels + "-channel " + imageSize + " px ones");
        }
        return e;
    }

    /**
     * Starts a fresh run in {@code o.out()}, which must not exist or be empty. Every check comes
     * before anything is written.
     */
    public static Result start(Options o, PrintStream console) {
        if (o.steps() < 1) {
            throw new RunRequestException("the number of steps must be at least 1, got " + o.steps());
        }
        if (o.latent() < 1) {
            throw new RunRequestException("--latent must be at least 1, got " + o.latent());
        }
        if (o.histogramBins() < 1) {
            throw new RunRequestException("--histogram-bins must be at least 1, got " + o.histogramBins());
        }
        DmTraining.requireNewRunFolder(o.out(), false);
        Path dmFile;
        DitiTrainer.FrozenSource dm;
        DataSpec data;
        boolean flip;
        try {
            dmFile = TrainingCheckpoints.resolve(o.dm()).toAbsolutePath();
            Checkpoint c = Checkpoint.read(dmFile);
            dm = DitiTrainer.loadDm(c, o.device());
            DmSampling.requireFinite(c, "ema", dm.unet().namedParameters(), "used as the frozen model");
            data = DataSpec.fromJson(c.metadata("data"));
            flip = o.flip() != null ? o.flip() : Boolean.TRUE.equals(Json.parseObject(c.metadata("run")).get("flip"));
        } catch (CheckpointException e) {
            throw new RunRequestException("--dm " + o.dm() + ": " + e.getMessage(), e);
        } catch (IllegalArgumentException e) {
            throw new RunRequestException("--dm " + o.dm() + " does not record its data set: " + e.getMessage(), e);
        }
        int steps = dm.settings().noiseSchedule().steps();
        Partition partition = partition(o.partition(), o.latent(), steps);
        EncoderConfig enc = encoder(o.encoder(), data.channels(), data.imageSize(), o.latent());
        int width = Math.max(1, steps / o.histogramBins());
        DitiSettings settings;
        DitiTrainer trainer;
        try {
            settings = new DitiSettings(o.seed(), o.lr(), o.ema(), o.mode(), width);
            trainer = new DitiTrainer(dm.unet(), dm.settings(), enc, partition, settings);
        } catch (IllegalArgumentException e) {
            throw new RunRequestException(e.getMessage(), e);
        }
        Dataset dataset = DmTraining.openData(data);
        DmTraining.checkBatch(dataset, o.batch());
        try (RunFolder run = DmTraining.lock(o.out())) {
            Map<String, Object> config = new LinkedHashMap<>();
            config.put("command", "train-diti");
            config.put("started", Instant.now().toString());
            config.put("dm", dmFile.toString());
            config.put("data", data.toMap());
            config.put("partition", Json.parseObject(partition.toJson()));
            config.put("encoder", Json.parseObject(enc.toJson()));
            config.put("trainer", Json.parseObject(settings.toJson()));
            config.put("batch", o.batch());
            config.put("flip", flip);
            config.put("steps", o.steps());
            config.put("checkpointEvery", o.checkpointEvery());
            config.put("parameters", trainer.model().parameterCount());
            config.put("java", Runtime.version().toString());
            run.writeJson("config.json", config);
            console.printf(Locale.ROOT, "training DiTi (%,d parameters, k = %d, d = %d, %s) on the frozen %s, %s,"
                    + " batch %d, for %d steps -> %s%n", trainer.model().parameterCount(), partition.subsets(),
                    partition.latentDim(), o.mode(), dmFile.getFileName(), dataset.name(), o.batch(), o.steps(), o.out());
            Map<String, Object> runEntry = new LinkedHashMap<>();
            runEntry.put("dm", dmFile.toString());
            runEntry.put("batch", o.batch());
            runEntry.put("flip", flip);
            runEntry.put("steps", o.steps());
            runEntry.put("checkpointEvery", o.checkpointEvery());
            Map<String, String> meta = Map.of("data", data.toJson(), "run", Json.write(runEntry));
            return train(run, trainer, dataset, BatchSource.Position.START, o.batch(), flip, o.steps(), o.budget(),
                    o.checkpointEvery(), meta, 0.0, o.device(), console);
        }
    }

    /**
     * Continues a run in its own folder from its newest checkpoint (the diffusion model is loaded
     * again from the checkpoint the run recorded). {@code steps} and {@code budget} may change.
     */
    public static Result resume(Path runDir, Long steps, Duration budget, Device device, PrintStream console) {
        Checkpoint c;
        DitiTrainer.Resumed r;
        DataSpec data;
        Map<String, Object> runEntry;
        try {
            Path file = TrainingCheckpoints.resolve(runDir);
            c = Checkpoint.read(file);
            runEntry = Json.parseObject(c.metadata("run"));
            data = DataSpec.fromJson(c.metadata("data"));
            Path dmFile = Path.of(Json.getString(runEntry, "dm"));
            DitiTrainer.FrozenSource dm = DitiTrainer.loadDm(Checkpoint.read(dmFile), device);
            r = DitiTrainer.resume(c, dm.unet());
        } catch (CheckpointException e) {
            throw new RunRequestException("--resume " + runDir + ": " + e.getMessage(), e);
        } catch (IllegalArgumentException e) {
            throw new RunRequestException("--resume " + runDir + " is not a train-diti run: " + e.getMessage(), e);
        }
        long total = steps != null ? steps : Json.getLong(runEntry, "steps");
        if (total < r.trainer().stepCount()) {
            throw new RunRequestException("--steps " + total + " is below the " + r.trainer().stepCount()
                    + " steps the run has done");
        }
        int batch = Json.getInt(runEntry, "batch");
        boolean flip = Boolean.TRUE.equals(runEntry.get("flip"));
        long every = Json.getLong(runEntry, "checkpointEvery");
        Path home = DmTraining.runFolderOf(c.path());
        Dataset dataset = DmTraining.openData(data);
        runEntry.put("steps", total);
        Map<String, String> meta = Map.of("data", data.toJson(), "run", Json.write(runEntry));
        try (RunFolder run = DmTraining.lock(home)) {
            run.removeStaleTemporaries();
            MetricsLog.truncateAfter(run.file("metrics.jsonl"), r.trainer().stepCount());
            console.printf(Locale.ROOT, "resuming DiTi training at step %d of %d -> %s%n", r.trainer().stepCount(),
                    total, home);
            return train(run, r.trainer(), dataset, r.position(), batch, flip, total, budget, every, meta,
                    DmTraining.savedElapsed(c), device, console);
        }
    }

    private static Result train(RunFolder run, DitiTrainer trainer, Dataset dataset, BatchSource.Position position,
            int batch, boolean flip, long steps, Duration budget, long checkpointEvery, Map<String, String> meta,
            double elapsedBefore, Device device, PrintStream console) {
        DataLoader loader = DataLoader.builder(dataset).batchSize(batch).shuffle(true).flip(flip)
                .seed(DmTraining.dataSeed(trainer.settings().seed())).device(device).prefetch(2).build();
        long startNanos = System.nanoTime();
        long firstStep = trainer.stepCount();
        try (StopHook hook = new StopHook(); LoaderBatchSource source = new LoaderBatchSource(loader);
                Progress bar = Progress.start("train-diti", steps, firstStep, "step")) {
            source.seek(position);
            MetricsLog metrics = new MetricsLog(run, steps, elapsedBefore, startNanos);
            TrainingRun.Plan plan = new TrainingRun.Plan(steps, checkpointEvery, run.checkpoints(), 0, budget,
                    () -> withElapsed(meta, metrics.elapsedSeconds()));
            TrainingLoop<DitiTrainer.StepResult> loop = new TrainingLoop<>(trainer, source, plan);
            hook.onStop(loop::requestStop);
            TrainingRun.Outcome out;
            try {
                out = loop.run(new TrainingLoop.Listener<>() {
                    @Override
                    public void onStep(DitiTrainer.StepResult r) {
                        Map<String, Object> extra = new LinkedHashMap<>();
                        extra.put("frozen_loss", r.frozenLoss());
                        extra.put("grad_norm", r.gradNorm());
                        metrics.record(r.step(), r.loss(), r.batch(), r.seconds(), extra);
                        bar.update(r.step(), metrics.message());
                    }

                    @Override
                    public void onCheckpoint(long step, Path file) {
                        writeHistogram(run, trainer.histogram());
                        if (!hook.stopping()) {
                            metrics.plot();
                            plotHistogram(run, trainer.histogram());
                        }
                    }
                });
            } catch (TrainingDivergedException e) {
                throw new RunFailedException(e.getMessage() + " (train again with a lower --lr)", e);
            }
            bar.close();
            console.printf(Locale.ROOT, "%s after %d steps: loss %.4f%n", out.reason() == TrainingRun.Stop.STEPS ? "done"
                    : out.reason() == TrainingRun.Stop.BUDGET ? "time budget reached" : "stopped", out.steps(),
                    metrics.smoothedLoss());
            if (out.lastCheckpoint() != null) {
                console.println("checkpoint  " + out.lastCheckpoint());
            }
            console.println("histogram   " + run.file("histogram.json"));
            if (out.reason() == TrainingRun.Stop.REQUESTED) {
                console.println("continue with: ./diti4j train-diti --resume " + run.dir());
            }
            return new Result(run.dir(), out.steps(), out.lastCheckpoint(), run.file("histogram.json"), out.reason());
        }
    }

    /** The checkpoint metadata with the training time so far in the {@code run} entry, so a resume counts on. */
    private static Map<String, String> withElapsed(Map<String, String> meta, double elapsed) {
        Map<String, String> m = new LinkedHashMap<>(meta);
        Map<String, Object> runEntry = Json.parseObject(meta.get("run"));
        runEntry.put("elapsedSeconds", elapsed);
        m.put("run", Json.write(runEntry));
        return m;
    }

    private static void writeHistogram(RunFolder run, LossReductionHistogram h) {
        Path tmp = run.file(".histogram.json.tmp");
        try {
            Files.writeString(tmp, h.toJson() + "\n", StandardCharsets.UTF_8);
            Files.move(tmp, run.file("histogram.json"), java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                    java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new RunFailedException("cannot write " + run.file("histogram.json") + ": " + DmTraining.oneLine(e), e);
        }
    }

    /** The reduction per bin, (frozen − shifted) / frozen, over the bins' middle steps. */
    private static void plotHistogram(RunFolder run, LossReductionHistogram h) {
        List<Double> xs = new ArrayList<>();
        List<Double> ys = new ArrayList<>();
        for (int b = 0; b < h.bins(); b++) {
            double r = h.reduction(b);
            if (!Double.isNaN(r)) {
                xs.add(b * h.binWidth() + h.binWidth() / 2.0);
                ys.add(r);
            }
        }
        if (xs.isEmpty()) {
            return;
        }
        double[] x = xs.stream().mapToDouble(Double::doubleValue).toArray();
        double[] y = ys.stream().mapToDouble(Double::doubleValue).toArray();
        Plots.line(run.file("histogram.png"), "loss reduction by G per time step", "time step t",
                "(frozen - shifted) / frozen", false, List.of(new Plots.Series("reduction", x, y)));
    }
}

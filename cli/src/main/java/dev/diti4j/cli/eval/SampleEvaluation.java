package dev.diti4j.cli.eval;

import dev.diti4j.diti.eval.ClassifierTraining;
import dev.diti4j.diti.eval.SampleQuality;
import dev.diti4j.core.Device;
import dev.diti4j.core.Tensor;
import dev.diti4j.core.random.Philox;
import dev.diti4j.diti.data.SyntheticShapes;
import dev.diti4j.diti.data.DataSpec;
import dev.diti4j.cli.dm.DmSampling;
import dev.diti4j.cli.dm.DmTraining;
import dev.diti4j.cli.dm.RunRequestException;
import dev.diti4j.cli.run.Progress;
import dev.diti4j.nn.unet.UNet;
import dev.diti4j.nn.unet.UNetConfig;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Evaluates a diffusion model trained on synthetic shapes: trains (or reuses) the factor
 * classifier, generates images with the model, with an untrained model of the same configuration
 * (its output layer starts at zero, so it predicts ε = 0 and sampling ends in noise) and takes
 * held-out real images, then writes {@code quality.json}, {@code quality.png} and the three image
 * grids ({@code generated.png}, {@code untrained.png}, {@code real.png}).
 */
public final class SampleEvaluation {
    /** Factor stream of the real images shown and scored: {@link SampleQuality#REAL_DATA_SEED}. */
    public static final long REAL_DATA_SEED = SampleQuality.REAL_DATA_SEED;

    /**
     * @param count          images per set
     * @param ddimSteps      DDIM steps for generated and untrained images
     * @param seed           seed of the starting noise (and of the untrained model's weights)
     * @param ema            evaluate the EMA weights
     * @param classifier     how much to train the classifier
     * @param classifierSeed its initialisation and data-order seed
     * @param outDir         where to write (null: the run folder's {@code eval})
     */
    public record Options(int count, int ddimSteps, long seed, boolean ema, ClassifierTraining.Budget classifier,
            long classifierSeed, Device device, Path outDir) {
        public Options {
            if (count < 1 || ddimSteps < 1) {
                throw new IllegalArgumentException("evaluation needs at least one image and one step, got " + count
                        + " images, " + ddimSteps + " steps");
            }
        }

        public static Options standard() {
            return new Options(128, 50, 0, true, ClassifierTraining.Budget.standard(), 0, Device.CPU, null);
        }
    }

    private SampleEvaluation() {
    }

    /** Evaluates the newest checkpoint of a run folder, or one checkpoint file. */
    public static QualityReport run(Path runOrCheckpoint, Options o, PrintStream console) {
        long start = System.nanoTime();
        DmSampling.Loaded m = DmSampling.load(runOrCheckpoint, o.ema(), o.device());
        DataSpec data;
        try {
            data = DataSpec.fromJson(m.checkpoint().metadata("data"));
        } catch (RuntimeException e) {
            throw new RunRequestException("cannot tell what " + m.checkpoint().path() + " was trained on, so its samples"
                    + " cannot be scored: " + e.getMessage(), e);
        }
        if (data.kind() != DataSpec.Kind.SHAPES) {
            throw new RunRequestException("eval-samples scores models trained on synthetic shapes; this one was trained"
                    + " on " + data.describe());
        }
        int size = data.imageSize();
        Path out = o.outDir() != null ? o.outDir() : DmTraining.runFolderOf(m.checkpoint().path()).resolve("eval");
        try {   // everything the work below needs, checked before the classifier trains
            DmSampling.checkDdimSteps("--steps", o.ddimSteps(), m.schedule());
            DmSampling.checkImages("--count", o.count(), 0, m.model().config(), size);
            DmSampling.checkOutputFolder("--out", out);
        } catch (IllegalArgumentException e) {
            throw new RunRequestException(e.getMessage(), e);
        }

        ClassifierTraining.Trained clf;
        try (Progress bar = Progress.start("classifier", o.classifier().steps(), 0, "step")) {
            clf = ClassifierTraining.loadOrTrain(out.resolve("classifier-" + size + "px.safetensors"), size,
                    o.classifier(), o.classifierSeed(), o.device(), done -> bar.update(done, null));
        }
        console.printf(Locale.ROOT, "factor classifier (%s): worst held-out accuracy %.3f%n",
                clf.cached() ? "cached" : String.format(Locale.ROOT, "trained in %.1f s", clf.seconds()),
                clf.worstAccuracy());

        UNetConfig cfg = m.model().config();
        Tensor generated = sample("generated", m.model(), m, size, o);
        UNet untrainedModel = new UNet(cfg, o.device(), new Philox(o.seed()));
        untrainedModel.eval();
        Tensor untrained = sample("untrained", untrainedModel, m, size, o);
        Tensor real = ClassifierTraining.realImages(new SyntheticShapes(size, o.count(), REAL_DATA_SEED, true),
                o.count(), null, o.device());

        int cols = DmSampling.columns(Math.min(o.count(), 64));
        int scale = DmSampling.displayScale(size);
        DmSampling.writeGrid(first(generated, 64), cols, scale, out.resolve("generated.png"));
        DmSampling.writeGrid(first(untrained, 64), cols, scale, out.resolve("untrained.png"));
        DmSampling.writeGrid(first(real, 64), cols, scale, out.resolve("real.png"));

        double thr = SampleQuality.THRESHOLD;
        QualityReport report = new QualityReport(m.checkpoint().path(), m.step(), o.ema(), "ddim-" + o.ddimSteps(),
                o.seed(), clf, thr, SampleQuality.measure("generated", clf.model(), generated, thr),
                SampleQuality.measure("untrained", clf.model(), untrained, thr),
                SampleQuality.measure("real", clf.model(), real, thr), (System.nanoTime() - start) / 1e9);
        report.write(out);
        console.print(report.summary());
        console.println("report      " + out.resolve("quality.json") + ", " + out.resolve("quality.png"));
        console.println("grids       " + out.resolve("generated.png") + ", untrained.png, real.png");
        return report;
    }

    private static Tensor sample(String what, UNet model, DmSampling.Loaded m, int size, Options o) {
        int perChunk = dev.diti4j.diffusion.DdimGrid.of(dev.diti4j.diffusion.DdimGrid.Kind.RESPACED, m.schedule(),
                o.ddimSteps()).size();
        int chunks = (o.count() + DmSampling.CHUNK - 1) / DmSampling.CHUNK;
        try (Progress bar = Progress.start(what, (long) chunks * perChunk, 0, "step")) {
            return DmSampling.generate(model::forward, model.config().inChannels(), size, m.schedule(),
                    DmSampling.Sampler.DDIM, o.ddimSteps(), o.count(), o.seed(), o.device(),
                    (d, total, t) -> bar.update(d, null));
        }
    }

    private static Tensor first(Tensor images, int n) {
        return images.dim(0) <= n ? images : images.slice(0, 0, n);
    }
}

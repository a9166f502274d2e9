package dev.diti4j.cli;

import dev.diti4j.core.Device;
import dev.diti4j.diffusion.NoiseSchedule;
import dev.diti4j.diffusion.TimestepWeights;
import dev.diti4j.diffusion.train.DmSettings;
import dev.diti4j.diti.data.DataSpec;
import dev.diti4j.cli.dm.DmSampling;
import dev.diti4j.cli.dm.DmTraining;
import dev.diti4j.diti.ModelPresets;
import dev.diti4j.diti.eval.ClassifierTraining;
import dev.diti4j.cli.eval.QualityReport;
import dev.diti4j.cli.eval.SampleEvaluation;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code ./diti4j demo}: the whole pipeline on the CPU. Trains the {@code small} U-Net on 16 px
 * synthetic shapes for a time budget (7 minutes by default: colours and positions, not yet shapes,
 * on two cores; about an hour gives clear shapes, see docs/usage/train-dm.md), writes sample grids,
 * then scores the samples with the factor classifier against an untrained model and real images.
 */
@Command(name = "demo", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Train a small diffusion model on 16 px shapes, sample a grid and score it.",
            "Training stops at --steps or after --minutes, whichever comes first; clear shapes need",
            "about --minutes 60 on two cores."})
final class DemoCommand implements Callable<Integer> {
    /** Demo hyper-parameters, chosen by measurement on a 2-core machine (docs/usage/train-dm.md). */
    static final int IMAGE_SIZE = 16;
    static final int BATCH = 32;
    static final float LR = 2e-3f;
    static final int WARMUP = 100;
    static final float CLIP = 1f;
    static final float EMA = 0.995f;

    @Spec
    CommandSpec spec;

    @Option(names = "--steps", defaultValue = "20000", paramLabel = "<n>", description = "Training steps at most (default: ${DEFAULT-VALUE}).")
    long steps;

    @Option(names = "--minutes", defaultValue = "7", paramLabel = "<m>", description = "Training time at most (default: ${DEFAULT-VALUE}).")
    double minutes;

    @Option(names = "--out", paramLabel = "<folder>", description = "Run folder (default: runs/demo-<date>-<time>).")
    Path out;

    @Option(names = "--seed", defaultValue = "0", paramLabel = "<n>", description = "Seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--eval-count", defaultValue = "64", paramLabel = "<n>",
            description = "Images per set for the quality score, up to 10000; 0 skips scoring (default: ${DEFAULT-VALUE}).")
    int evalCount;

    @Override
    public Integer call() {
        Options.positive(spec, "--steps", steps);
        Options.range(spec, "--eval-count", evalCount, 0, DmSampling.MAX_IMAGES);
        Duration budget = TrainDmCommand.budget(spec, minutes);
        long start = System.nanoTime();
        Path dir = out != null ? out : Options.defaultRunFolder("demo");
        DataSpec data = new DataSpec(DataSpec.Kind.SHAPES, null, IMAGE_SIZE, null);
        DmSettings settings = new DmSettings(LR, WARMUP, CLIP, EMA, true, TimestepWeights.Kind.UNIFORM,
                NoiseSchedule.Kind.LINEAR, NoiseSchedule.DEFAULT_STEPS, seed);
        var o = new DmTraining.Options(data, ModelPresets.small(), settings, BATCH, false, steps, budget,
                1000, 2, 1000, 64, 50, Device.CPU, dir);
        DmTraining.Result r = DmTraining.start(o, System.out);
        QualityReport q = null;
        if (evalCount > 0) {
            System.out.println();
            System.out.println("scoring the samples (factor classifier, generated vs untrained vs real images)");
            var std = ClassifierTraining.Budget.standard();
            q = SampleEvaluation.run(r.runDir(), new SampleEvaluation.Options(evalCount, 50, seed, true, std, 0,
                    Device.CPU, null), System.out);
        }
        double total = (System.nanoTime() - start) / 1e9;
        System.out.println();
        System.out.printf(Locale.ROOT, "demo finished in %.1f min: %d training steps (%.2f s/step, batch %d, %d px)%n",
                total / 60, r.steps(), r.secondsPerStep(), BATCH, IMAGE_SIZE);
        if (q != null) {
            System.out.printf(Locale.ROOT, "all 7 factors read with confidence: generated %.1f%%, untrained model %.1f%%,"
                    + " real %.1f%%%n", 100 * q.generated().confidentFraction(), 100 * q.untrained().confidentFraction(),
                    100 * q.real().confidentFraction());
            System.out.printf(Locale.ROOT, "factors read with confidence (mean): generated %.1f%%, untrained model %.1f%%,"
                    + " real %.1f%%%n", 100 * q.generated().meanFactorConfidentFraction(),
                    100 * q.untrained().meanFactorConfidentFraction(), 100 * q.real().meanFactorConfidentFraction());
        }
        System.out.println("run folder  " + r.runDir().toAbsolutePath());
        System.out.println("samples     " + r.runDir().resolve("samples.png").toAbsolutePath());
        if (q != null) {
            System.out.println("quality     " + r.runDir().resolve("eval").resolve("quality.png").toAbsolutePath());
        }
        return 0;
    }
}

package dev.diti4j.cli;

import dev.diti4j.core.Device;
import dev.diti4j.cli.dm.DmSampling;
import dev.diti4j.diti.eval.ClassifierTraining;
import dev.diti4j.cli.eval.SampleEvaluation;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code ./diti4j eval-samples}: the sample-quality numbers of a model trained on synthetic shapes. */
@Command(name = "eval-samples", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Score the samples of a model trained on synthetic shapes.",
            "A factor classifier trained on real images reads the factors of generated images, of an untrained",
            "model's images and of real images. Writes <run>/eval/quality.json, quality.png and image grids."})
final class EvalSamplesCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    TrainedRunOptions trained;

    @Option(names = "--count", defaultValue = "128", paramLabel = "<n>", description = "Images per set, 1 to 10000 (default: ${DEFAULT-VALUE}).")
    int count;

    @Option(names = "--steps", defaultValue = "50", paramLabel = "<n>", description = "DDIM steps (default: ${DEFAULT-VALUE}).")
    int steps;

    @Option(names = "--seed", defaultValue = "0", paramLabel = "<n>", description = "Seed of the starting noise (default: ${DEFAULT-VALUE}).")
    long seed;


    @Option(names = "--classifier-steps", defaultValue = "400", paramLabel = "<n>",
            description = "Training steps of the factor classifier, 64 new images each (default: ${DEFAULT-VALUE}).")
    int classifierSteps;

    @Option(names = "--out", paramLabel = "<folder>", description = "Where to write (default: <run folder>/eval).")
    Path out;


    @Override
    public Integer call() {
        Device dev = trained.device(spec);
        Options.range(spec, "--count", count, 1, DmSampling.MAX_IMAGES);
        Options.positive(spec, "--steps", steps);
        Options.positive(spec, "--classifier-steps", classifierSteps);
        if (out != null) {
            try {
                DmSampling.checkOutputFolder("--out", out);
            } catch (IllegalArgumentException e) {
                throw Options.usage(spec, e.getMessage());
            }
        }
        Path run = trained.existingRun();
        ClassifierTraining.Budget std = ClassifierTraining.Budget.standard();
        SampleEvaluation.run(run, new SampleEvaluation.Options(count, steps, seed, trained.ema,
                new ClassifierTraining.Budget(classifierSteps, std.batch(), std.lr(), std.testImages()), 0, dev, out),
                System.out);
        return 0;
    }
}

package dev.diti4j.cli;

import dev.diti4j.cli.demo.DitiDemo;
import dev.diti4j.cli.dm.DmTraining;
import dev.diti4j.core.Device;
import dev.diti4j.diffusion.NoiseSchedule;
import dev.diti4j.diffusion.TimestepWeights;
import dev.diti4j.diffusion.train.DmSettings;
import dev.diti4j.diti.ModelPresets;
import dev.diti4j.diti.data.DataSpec;
import dev.diti4j.diti.eval.ClassifierTraining;
import dev.diti4j.diffusion.train.TrainingCheckpoints;
import dev.diti4j.nn.checkpoint.Checkpoint;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code ./diti4j demo}: DiTi end to end on 16 px synthetic shapes, from the diffusion model shipped
 * with the project (or one trained first with {@code --from-scratch}); see {@link DitiDemo}.
 */
@Command(name = "demo", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Train DiTi and the PDAE baseline on a frozen diffusion model of 16 px shapes, probe their",
            "features, draw reconstructions and counterfactuals, and write report.html and metrics.json.",
            "Every number follows from --seed: the steps are fixed, not a time budget."})
final class DemoCommand implements Callable<Integer> {
    /** The shipped model's training settings (models/README.md), also used by --from-scratch. */
    static final int DM_STEPS = 6000;
    static final int DM_BATCH = 32;
    static final float DM_LR = 2e-3f;
    static final int DM_WARMUP = 100;
    static final float DM_CLIP = 1f;
    static final float DM_EMA = 0.995f;
    /** Fashion-MNIST (32 px, the fashion-mnist preset): the same settings but these. */
    static final int FASHION_DM_STEPS = 4000;
    static final float FASHION_DM_LR = 1e-3f;

    @Spec
    CommandSpec spec;

    @Option(names = "--out", paramLabel = "<folder>", description = "Run folder (default: runs/demo-<date>-<time>).")
    Path out;

    @Option(names = "--seed", defaultValue = "0", paramLabel = "<n>", description = "Seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--steps", defaultValue = "1000", paramLabel = "<n>",
            description = "Training steps of DiTi and of PDAE, each (default: ${DEFAULT-VALUE}).")
    long steps;

    @Option(names = "--partition", paramLabel = "uniform:K|widths:a,b,...",
            description = "DiTi's split of z (default: uniform:8 for shapes, uniform:16 for Fashion-MNIST).")
    String partition;

    @Option(names = "--latent", paramLabel = "<d>", description = "Feature size d (default: 32 for shapes, 64 for Fashion-MNIST).")
    Integer latent;

    @Option(names = "--data", defaultValue = "shapes", paramLabel = "shapes|fashion-mnist",
            description = "With --from-scratch: the data set of the diffusion model to train (default: ${DEFAULT-VALUE});"
                    + " otherwise the diffusion model's own.")
    String data;

    @Option(names = "--encoder", defaultValue = "small", paramLabel = "small|celeba64|ffhq128",
            description = "DiTi's and PDAE's encoder layout (default: ${DEFAULT-VALUE}).")
    String encoder;

    @Option(names = "--batch", defaultValue = "32", paramLabel = "<n>", description = "Batch size (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--lr", defaultValue = "1e-3", paramLabel = "<lr>", description = "Adam learning rate (default: ${DEFAULT-VALUE}).")
    float lr;

    @Option(names = "--ema", defaultValue = "0.99", paramLabel = "<decay>", description = "EMA decay (default: ${DEFAULT-VALUE}).")
    float ema;

    @Option(names = "--probe-images", defaultValue = "2000", paramLabel = "<n>",
            description = "Probe training images; half as many each for validation and test (default: ${DEFAULT-VALUE}).")
    int probeImages;

    @Option(names = "--pairs", defaultValue = "32", paramLabel = "<n>",
            description = "Image pairs per counterfactual faithfulness cell (default: ${DEFAULT-VALUE}).")
    int pairs;

    @Option(names = "--ddim-steps", defaultValue = "50", paramLabel = "<n>",
            description = "DDIM steps of inversion and of generation (default: ${DEFAULT-VALUE}).")
    int ddimSteps;

    @Option(names = "--classifier-steps", defaultValue = "400", paramLabel = "<n>",
            description = "Training steps of the factor classifier (default: ${DEFAULT-VALUE}).")
    int classifierSteps;

    @Option(names = "--dm", paramLabel = "<run folder or checkpoint>",
            description = "Start from this diffusion model (shapes, Fashion-MNIST, or an image folder with attributes)"
                    + " instead of the shipped one.")
    Path dm;

    @Option(names = "--from-scratch", description = "Train the diffusion model first, with the shipped model's settings.")
    boolean fromScratch;

    /** Whether the diffusion model at {@code dm} was trained on Fashion-MNIST (false when it cannot tell). */
    private static boolean isFashionModel(Path dm) {
        try {
            Checkpoint c = Checkpoint.read(TrainingCheckpoints.resolve(dm));
            return DataSpec.fromJson(c.metadata("data")).kind() == DataSpec.Kind.FASHION_MNIST;
        } catch (RuntimeException e) {
            return false;   // the demo itself reports what is wrong with the file
        }
    }

    @Override
    public Integer call() {
        Options.positive(spec, "--steps", steps);
        if (latent != null) {
            Options.positive(spec, "--latent", latent);
        }
        boolean fashion = switch (data) {
            case "shapes" -> false;
            case "fashion-mnist" -> true;
            default -> throw Options.usage(spec, "--data must be shapes or fashion-mnist, got '" + data + "'");
        };
        if (fashion && dm == null && !fromScratch) {
            throw Options.usage(spec, "only a shapes model is shipped: give --dm <a fashion-mnist train-dm run> or"
                    + " --from-scratch with --data fashion-mnist");
        }
        Options.positive(spec, "--batch", batch);
        Options.range(spec, "--probe-images", probeImages, 20, 100_000);
        Options.range(spec, "--pairs", pairs, 4, 1000);
        Options.range(spec, "--ddim-steps", ddimSteps, 1, 1000);
        Options.positive(spec, "--classifier-steps", classifierSteps);
        Options.learningRate(spec, "--lr", lr);
        Options.emaDecay(spec, "--ema", ema);
        if (dm != null && fromScratch) {
            throw Options.usage(spec, "--dm and --from-scratch exclude each other");
        }
        if (dm != null) {   // the defaults follow the given model's data set
            fashion = isFashionModel(dm);
        }
        Path dir = out != null ? out : Options.defaultRunFolder("demo");
        DmTraining.requireNewRunFolder(dir, false);
        Path dmSource = dm;
        if (fromScratch) {
            int dmSteps = fashion ? FASHION_DM_STEPS : DM_STEPS;
            System.out.println("== 0/4  training the diffusion model (" + dmSteps + " steps, "
                    + (fashion ? "the documented Fashion-MNIST settings)" : "the shipped model's settings)"));
            DataSpec spec = fashion ? new DataSpec(DataSpec.Kind.FASHION_MNIST, null, 32, null)
                    : new DataSpec(DataSpec.Kind.SHAPES, null, 16, null);
            DmSettings settings = new DmSettings(fashion ? FASHION_DM_LR : DM_LR, DM_WARMUP, DM_CLIP, DM_EMA, true,
                    TimestepWeights.Kind.UNIFORM, NoiseSchedule.Kind.LINEAR, NoiseSchedule.DEFAULT_STEPS, seed);
            var o = new DmTraining.Options(spec, fashion ? ModelPresets.resolve("fashion-mnist", ModelPresets.Overrides.NONE, 1)
                    : ModelPresets.small(), settings, DM_BATCH, false, dmSteps, null, 1000, 1, 0, 64, 50, Device.CPU,
                    dir.resolve("dm"));
            dmSource = DmTraining.start(o, System.out).runDir();
        }
        ClassifierTraining.Budget std = ClassifierTraining.Budget.standard();
        String part = partition != null ? partition : fashion ? "uniform:16" : "uniform:8";
        int d = latent != null ? latent : fashion ? 64 : 32;
        DitiDemo.Settings s = new DitiDemo.Settings(dmSource, dir, seed, steps, batch, lr, ema, part, d, encoder,
                probeImages, probeImages / 2, probeImages / 2, pairs, ddimSteps,
                new ClassifierTraining.Budget(classifierSteps, std.batch(), std.lr(), std.testImages()));
        DitiDemo.Result r = DitiDemo.run(s, System.out);
        System.out.println();
        System.out.printf(Locale.ROOT, "demo finished in %.1f min%n", r.seconds() / 60);
        System.out.println("report      " + dir.resolve("report.html").toAbsolutePath());
        System.out.println("metrics     " + dir.resolve("metrics.json").toAbsolutePath());
        return 0;
    }
}

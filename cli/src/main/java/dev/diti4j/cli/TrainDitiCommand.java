package dev.diti4j.cli;

import dev.diti4j.cli.dm.DitiTraining;
import dev.diti4j.core.Device;
import dev.diti4j.diti.model.LossMode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code ./diti4j train-diti}: trains the DiTi encoder and shift decoder on a frozen diffusion model (METHOD 9 stage B). */
@Command(name = "train-diti", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Train DiTi's encoder and shift decoder on a frozen diffusion model from train-dm.",
            "Writes a run folder: config.json, metrics.jsonl, loss.png, histogram.json, histogram.png, checkpoints/.",
            "Ctrl-C saves a checkpoint; --resume <run folder> continues exactly where a run stopped."})
final class TrainDitiCommand implements Callable<Integer> {
    private static final List<String> FIXED_ON_RESUME = List.of("--dm", "--out", "--partition", "--latent",
            "--encoder", "--mode", "--batch", "--lr", "--ema", "--seed", "--flip", "--checkpoint-every",
            "--histogram-bins");

    @Spec
    CommandSpec spec;

    @Option(names = "--dm", paramLabel = "<run folder or checkpoint>",
            description = "The trained diffusion model (a train-dm run folder or checkpoint); its EMA weights are frozen.")
    Path dm;

    @Option(names = "--out", paramLabel = "<folder>", description = "Run folder (default: runs/train-diti-<date>-<time>).")
    Path out;

    @Option(names = "--partition", defaultValue = "uniform:16", paramLabel = "uniform:K|widths:a,b,...|celeba64",
            description = "Split of z into subsets tied to time steps (default: ${DEFAULT-VALUE}).")
    String partition;

    @Option(names = "--latent", defaultValue = "64", paramLabel = "<d>", description = "Feature size d (default: ${DEFAULT-VALUE}).")
    int latent;

    @Option(names = "--encoder", defaultValue = "small", paramLabel = "small|celeba64|ffhq128",
            description = "Encoder layout (default: ${DEFAULT-VALUE}).")
    String encoder;

    @Option(names = "--mode", defaultValue = "base", paramLabel = "base|stop_grad|dual",
            description = "Loss mode (default: ${DEFAULT-VALUE}).")
    String mode;

    @Option(names = "--batch", defaultValue = "32", paramLabel = "<n>", description = "Batch size (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--lr", defaultValue = "1e-4", paramLabel = "<lr>", description = "Adam learning rate (default: ${DEFAULT-VALUE}).")
    float lr;

    @Option(names = "--ema", defaultValue = "0.999", paramLabel = "<decay>", description = "EMA decay (default: ${DEFAULT-VALUE}).")
    float ema;

    @Option(names = "--steps", paramLabel = "<n>", description = "Total training steps (default 20000).")
    Long steps;

    @Option(names = "--minutes", paramLabel = "<m>", description = "Stop (with a checkpoint) after this much training time.")
    Double minutes;

    @Option(names = "--seed", defaultValue = "0", paramLabel = "<n>", description = "Seed of weights, noise, dropout and data order.")
    long seed;

    @Option(names = "--flip", negatable = true, description = "Random horizontal flips (default: as the diffusion model's run).")
    Boolean flip;

    @Option(names = "--checkpoint-every", defaultValue = "1000", paramLabel = "<n>",
            description = "Checkpoint every N steps; 0 = only at the end (default: ${DEFAULT-VALUE}).")
    long checkpointEvery;

    @Option(names = "--histogram-bins", defaultValue = "100", paramLabel = "<n>",
            description = "Bins of the loss-reduction histogram over the T time steps (default: ${DEFAULT-VALUE}).")
    int histogramBins;

    @Option(names = "--device", defaultValue = "cpu", paramLabel = "cpu|cuda", description = "Device (default: ${DEFAULT-VALUE}).")
    String device;

    @Option(names = "--resume", paramLabel = "<run folder>", description = "Continue a train-diti run.")
    Path resume;

    @Override
    public Integer call() {
        Device dev = Options.device(spec, device);
        if (steps != null) {
            Options.positive(spec, "--steps", steps);
        }
        Options.nonNegative(spec, "--checkpoint-every", checkpointEvery);
        Duration budget = TrainDmCommand.budget(spec, minutes);
        if (resume != null) {
            for (String o : FIXED_ON_RESUME) {
                if (spec.commandLine().getParseResult().hasMatchedOption(o)) {
                    throw Options.usage(spec, o + " cannot change when resuming: the run keeps its own settings (only"
                            + " --steps, --minutes and --device may be given)");
                }
            }
            DitiTraining.resume(resume, steps, budget, dev, System.out);
            return 0;
        }
        if (dm == null) {
            throw Options.usage(spec, "--dm is required: give a train-dm run folder or checkpoint");
        }
        LossMode m;
        try {
            m = LossMode.parse(mode);
        } catch (IllegalArgumentException e) {
            throw Options.usage(spec, "--mode must be base, stop_grad or dual, got '" + mode + "'");
        }
        Options.positive(spec, "--batch", batch);
        Options.learningRate(spec, "--lr", lr);
        Options.emaDecay(spec, "--ema", ema);
        Path folder = out != null ? out : Options.defaultRunFolder("train-diti");
        DitiTraining.start(new DitiTraining.Options(dm, folder, partition, latent, encoder, m, batch, lr, ema,
                steps != null ? steps : 20_000, budget, seed, flip, checkpointEvery, histogramBins, dev), System.out);
        return 0;
    }
}

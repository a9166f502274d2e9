package dev.diti4j.cli;

import dev.diti4j.core.Device;
import dev.diti4j.diffusion.NoiseSchedule;
import dev.diti4j.diffusion.TimestepWeights;
import dev.diti4j.diffusion.train.DmSettings;
import dev.diti4j.diti.data.DataSpec;
import dev.diti4j.cli.dm.DmTraining;
import dev.diti4j.diti.ModelPresets;
import dev.diti4j.nn.unet.UNetConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code ./diti4j train-dm}: trains the ε-prediction diffusion model (METHOD 9 stage A). */
@Command(name = "train-dm", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Train a diffusion model (an epsilon-predicting U-Net).",
            "Writes a run folder: config.json, metrics.jsonl, loss.png, samples/*.png, checkpoints/.",
            "Ctrl-C saves a checkpoint; --resume <run folder or checkpoint> continues exactly where a run stopped."})
final class TrainDmCommand implements Callable<Integer> {
    /** Options that define a run and so cannot change on --resume. */
    private static final List<String> FIXED_ON_RESUME = List.of("--dataset", "--image-size", "--attributes",
            "--data-dir", "--flip", "--preset", "--base", "--mult", "--res-blocks", "--attention-ds", "--heads",
            "--dropout", "--groups", "--batch", "--lr", "--warmup", "--clip", "--ema", "--no-ema-warmup", "--weights",
            "--schedule", "--seed", "--keep-checkpoints", "--sample-count", "--sample-steps");

    @Spec
    CommandSpec spec;

    @Option(names = "--dataset", defaultValue = "shapes", paramLabel = "shapes|fashion-mnist|folder:<path>",
            description = "Training images (default: ${DEFAULT-VALUE}).")
    String dataset;

    @Option(names = "--image-size", paramLabel = "<px>",
            description = "Image side: 16, 32 or 64 for shapes; 32 (padded) or 28 for Fashion-MNIST; up to 1024 for folders (default 32).")
    Integer imageSize;

    @Option(names = "--attributes", paramLabel = "<file>", description = "CelebA-format attribute file for folder data.")
    Path attributes;

    @Option(names = "--data-dir", paramLabel = "<folder>",
            description = "Folder of the Fashion-MNIST IDX files (default: /usr/share/datasets/fashion-mnist).")
    Path dataDir;

    @Option(names = "--flip", description = "Random horizontal flips.")
    boolean flip;

    @Option(names = "--preset", paramLabel = "<name>",
            description = "Model preset: tiny, small, shapes32, fashion-mnist, celeba64, ffhq128 (default: small for"
                    + " 16 px shapes, fashion-mnist for Fashion-MNIST, shapes32 otherwise).")
    String preset;

    @Option(names = "--base", paramLabel = "<ch>", description = "Base channels (overrides the preset).")
    Integer base;

    @Option(names = "--mult", paramLabel = "1,2,2", description = "Channel multiplier per level.")
    String mult;

    @Option(names = "--res-blocks", paramLabel = "<n>", description = "ResBlocks per level.")
    Integer resBlocks;

    @Option(names = "--attention-ds", paramLabel = "4|none", description = "Down-sampling factors with attention.")
    String attentionDs;

    @Option(names = "--heads", paramLabel = "<n>", description = "Attention heads.")
    Integer heads;

    @Option(names = "--dropout", paramLabel = "<p>", description = "Dropout in ResBlocks.")
    Float dropout;

    @Option(names = "--groups", paramLabel = "<n>", description = "GroupNorm groups.")
    Integer groups;

    @Option(names = "--steps", paramLabel = "<n>", description = "Total training steps (default 20000).")
    Long steps;

    @Option(names = "--minutes", paramLabel = "<m>", description = "Stop (with a checkpoint) after this much training time (0.01 to 1000000).")
    Double minutes;

    @Option(names = "--batch", defaultValue = "32", paramLabel = "<n>", description = "Batch size (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--lr", defaultValue = "2e-4", paramLabel = "<lr>", description = "Adam learning rate (default: ${DEFAULT-VALUE}).")
    float lr;

    @Option(names = "--warmup", defaultValue = "0", paramLabel = "<steps>", description = "Linear LR warm-up steps (default: ${DEFAULT-VALUE}).")
    int warmup;

    @Option(names = "--clip", defaultValue = "0", paramLabel = "<norm>", description = "Clip the gradient norm; 0 = off (default).")
    float clip;

    @Option(names = "--ema", defaultValue = "0.999", paramLabel = "<decay>", description = "EMA decay (default: ${DEFAULT-VALUE}).")
    float ema;

    @Option(names = "--no-ema-warmup", description = "Use the full EMA decay from the first step.")
    boolean noEmaWarmup;

    @Option(names = "--weights", defaultValue = "uniform", paramLabel = "uniform|pdae",
            description = "Loss weight per time step (default: ${DEFAULT-VALUE}).")
    TimestepWeights.Kind weights;

    @Option(names = "--schedule", defaultValue = "linear", paramLabel = "linear|cosine",
            description = "Noise schedule, T = 1000 (default: ${DEFAULT-VALUE}).")
    NoiseSchedule.Kind schedule;

    @Option(names = "--seed", defaultValue = "0", paramLabel = "<n>", description = "Seed of weights, noise, dropout and data order.")
    long seed;

    @Option(names = "--device", defaultValue = "cpu", paramLabel = "cpu|cuda", description = "Device (default: ${DEFAULT-VALUE}).")
    String device;

    @Option(names = "--out", paramLabel = "<folder>", description = "Run folder (default: runs/train-dm-<date>-<time>).")
    Path out;

    @Option(names = "--checkpoint-every", paramLabel = "<n>", description = "Checkpoint every N steps (default 1000; always at the end).")
    Long checkpointEvery;

    @Option(names = "--keep-checkpoints", defaultValue = "3", paramLabel = "<n>", description = "Keep the newest N checkpoints; 0 = all (default: ${DEFAULT-VALUE}).")
    int keepCheckpoints;

    @Option(names = "--sample-every", paramLabel = "<n>", description = "Write an EMA sample grid every N steps (default 1000; always at the end).")
    Long sampleEvery;

    @Option(names = "--sample-count", defaultValue = "64", paramLabel = "<n>", description = "Images per sample grid, 1 to 10000 (default: ${DEFAULT-VALUE}).")
    int sampleCount;

    @Option(names = "--sample-steps", defaultValue = "50", paramLabel = "<n>", description = "DDIM steps of the sample grids, 1 to 1000 (default: ${DEFAULT-VALUE}).")
    int sampleSteps;

    @Option(names = "--resume", paramLabel = "<run folder or checkpoint>", description = "Continue a run.")
    Path resume;

    @Override
    public Integer call() {
        Device dev = Options.device(spec, device);
        if (steps != null) {
            Options.positive(spec, "--steps", steps);
        }
        if (checkpointEvery != null) {
            Options.nonNegative(spec, "--checkpoint-every", checkpointEvery);
        }
        if (sampleEvery != null) {
            Options.nonNegative(spec, "--sample-every", sampleEvery);
        }
        Duration budget = budget(spec, minutes);
        if (resume != null) {
            for (String o : FIXED_ON_RESUME) {
                if (spec.commandLine().getParseResult().hasMatchedOption(o)) {
                    throw Options.usage(spec, o + " cannot change when resuming: the run keeps its own settings (only"
                            + " --steps, --minutes, --checkpoint-every, --sample-every, --device and --out may be given)");
                }
            }
            DmTraining.resume(resume, new DmTraining.ResumeOptions(steps, budget, checkpointEvery, sampleEvery, dev, out),
                    System.out);
            return 0;
        }
        DmTraining.start(options(dev, budget), System.out);
        return 0;
    }

    /** The shortest and longest time budget, in minutes. */
    static final double MIN_MINUTES = 0.01;
    static final double MAX_MINUTES = 1_000_000;
    /** The largest image side a run can ask for. */
    static final int MAX_IMAGE_SIZE = 1024;

    static Duration budget(CommandSpec spec, Double minutes) {
        if (minutes == null) {
            return null;
        }
        if (!(minutes > 0) || minutes.isInfinite()) {
            throw Options.usage(spec, "--minutes must be a positive number, got " + minutes);
        }
        if (minutes < MIN_MINUTES || minutes > MAX_MINUTES) {
            throw Options.usage(spec, "--minutes must be between " + MIN_MINUTES + " (0.6 s) and "
                    + String.format(java.util.Locale.ROOT, "%.0f", MAX_MINUTES) + ", got " + minutes);
        }
        return Duration.ofMillis(Math.round(minutes * 60_000));
    }

    private DmTraining.Options options(Device dev, Duration budget) {
        Options.positive(spec, "--batch", batch);
        Options.positive(spec, "--sample-count", sampleCount);
        Options.positive(spec, "--sample-steps", sampleSteps);
        Options.nonNegative(spec, "--keep-checkpoints", keepCheckpoints);
        Options.nonNegative(spec, "--warmup", warmup);
        if (imageSize != null) {
            Options.range(spec, "--image-size", imageSize, 1, MAX_IMAGE_SIZE);
        }
        // bounds that keep the model's sizes far from int overflow; what is too big for memory is found
        // when the model is built, before anything is written
        if (base != null) {
            Options.range(spec, "--base", base, 2, 4096);
        }
        if (resBlocks != null) {
            Options.range(spec, "--res-blocks", resBlocks, 1, 32);
        }
        if (heads != null) {
            Options.range(spec, "--heads", heads, 1, 1024);
        }
        if (groups != null) {
            Options.range(spec, "--groups", groups, 1, 1024);
        }
        int[] multList = mult == null ? null : Options.intList(spec, "--mult", mult, false);
        if (multList != null) {
            if (multList.length > 10) {
                throw Options.usage(spec, "--mult has " + multList.length + " levels; a U-Net here has at most 10");
            }
            for (int m : multList) {
                Options.range(spec, "--mult", m, 1, 16);
            }
        }
        DataSpec data;
        try {
            data = DataSpec.parse(dataset, imageSize, attributes, dataDir);
        } catch (IllegalArgumentException e) {
            throw Options.usage(spec, e.getMessage());
        }
        if (attributes != null && !java.nio.file.Files.isRegularFile(attributes)) {
            throw Options.usage(spec, "--attributes " + attributes + ": no such file");
        }
        String p = preset != null ? preset : defaultPreset(data);
        UNetConfig model;
        DmSettings settings;
        try {
            model = ModelPresets.resolve(p, new ModelPresets.Overrides(base, multList, resBlocks,
                    attentionDs == null ? null : Options.intList(spec, "--attention-ds", attentionDs, true), heads,
                    dropout, groups), data.channels());
            settings = new DmSettings(lr, warmup, clip, ema, !noEmaWarmup, weights, schedule,
                    NoiseSchedule.DEFAULT_STEPS, seed);
        } catch (IllegalArgumentException e) {
            throw Options.usage(spec, e.getMessage());
        }
        return new DmTraining.Options(data, model, settings, batch, flip, steps != null ? steps : 20_000, budget,
                checkpointEvery != null ? checkpointEvery : 1000, keepCheckpoints,
                sampleEvery != null ? sampleEvery : 1000, sampleCount, sampleSteps, dev,
                out != null ? out : Options.defaultRunFolder("train-dm"));
    }

    static String defaultPreset(DataSpec data) {
        return switch (data.kind()) {
            case SHAPES -> data.imageSize() == 16 ? "small" : "shapes32";
            case FASHION_MNIST -> "fashion-mnist";
            case FOLDER -> "shapes32";
        };
    }
}

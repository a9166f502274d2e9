package dev.diti4j.cli;

import dev.diti4j.core.Device;
import dev.diti4j.cli.dm.RunRequestException;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;

/** The options of every command that reads a trained model: which run, which weights, which device. */
final class TrainedRunOptions {
    @Option(names = "--run", required = true, paramLabel = "<run folder or checkpoint>",
            description = "A train-dm run folder (its newest checkpoint) or one checkpoint file.")
    Path run;

    @Option(names = "--ema", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "Use the EMA weights (default); --no-ema uses the live weights.")
    boolean ema;

    @Option(names = "--device", defaultValue = "cpu", paramLabel = "cpu|cuda", description = "Device (default: ${DEFAULT-VALUE}).")
    String device;

    /** The run folder or checkpoint, which must exist. */
    Path existingRun() {
        if (!Files.exists(run)) {
            throw new RunRequestException("--run " + run + ": no such file or folder");
        }
        return run;
    }

    /** The device, validated (a usage error when it is unknown or unavailable). */
    Device device(CommandSpec spec) {
        return Options.device(spec, device);
    }
}

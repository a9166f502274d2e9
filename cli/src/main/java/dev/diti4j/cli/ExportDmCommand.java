package dev.diti4j.cli;

import dev.diti4j.cli.dm.DmSampling;
import dev.diti4j.core.Device;
import dev.diti4j.cli.dm.RunRequestException;
import dev.diti4j.diffusion.train.DmTrainer;
import dev.diti4j.nn.checkpoint.Checkpoint;
import dev.diti4j.nn.checkpoint.CheckpointException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code ./diti4j export-dm}: writes the EMA weights of a trained diffusion model, with its settings
 * and data description, to one small file that {@code train-diti --dm}, {@code sample --run} and the
 * demo read as a frozen model (it cannot be resumed).
 */
@Command(name = "export-dm", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Write a trained diffusion model's EMA weights and settings to one file (about a quarter",
            "of a training checkpoint), for train-diti --dm, sample --run and demo --dm. It cannot be resumed."})
final class ExportDmCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--run", required = true, paramLabel = "<run folder or checkpoint>",
            description = "A train-dm run folder (its newest checkpoint) or one checkpoint file.")
    Path run;

    @Option(names = "--out", required = true, paramLabel = "<file.safetensors>",
            description = "The file to write; it must not exist.")
    Path out;

    @Override
    public Integer call() {
        if (!out.getFileName().toString().endsWith(".safetensors")) {
            throw Options.usage(spec, "--out " + out + " must end in .safetensors");
        }
        if (Files.exists(out)) {
            throw Options.usage(spec, "--out " + out + " exists; it is never overwritten (delete it or choose another name)");
        }
        try {
            DmSampling.checkOutputFile("--out", out);
        } catch (IllegalArgumentException e) {
            throw Options.usage(spec, e.getMessage());
        }
        if (!Files.exists(run)) {
            throw new RunRequestException("--run " + run + ": no such file or folder");
        }
        Checkpoint c;
        long params;
        try {
            // resolves the run, checks the kind and refuses non-finite EMA weights
            c = DmSampling.load(run, true, Device.CPU).checkpoint();
            if (out.toAbsolutePath().getParent() != null) {
                Files.createDirectories(out.toAbsolutePath().getParent());
            }
            params = DmTrainer.exportEma(c, out);
        } catch (CheckpointException e) {
            throw new RunRequestException("--run " + run + ": " + e.getMessage(), e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the folder of --out " + out + ": " + e.getMessage(), e);
        }
        long bytes;
        try {
            bytes = Files.size(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        System.out.printf(Locale.ROOT, "wrote the EMA weights of %s (step %d, %,d parameters, %.1f MB) -> %s%n",
                c.path(), c.step(), params, bytes / 1e6, out);
        return 0;
    }
}

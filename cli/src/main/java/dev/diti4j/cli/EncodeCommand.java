package dev.diti4j.cli;

import dev.diti4j.cli.encode.Encoding;
import dev.diti4j.core.Device;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code ./diti4j encode}: z = E(x_0) for a whole split, with a trained DiTi model's EMA encoder. */
@Command(name = "encode", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Encode every image of a data split with a trained DiTi model's EMA encoder.",
            "Writes z as <file>.npy (float32, N x d) or <file>.safetensors (z F32 N x d, labels I32 N x F),",
            "and, where the data has labels, <file>.labels.csv (one row per image, in the same order)."})
final class EncodeCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--run", required = true, paramLabel = "<run folder or checkpoint>",
            description = "A train-diti run folder (its newest checkpoint) or one DiTi checkpoint file.")
    Path run;

    @Option(names = "--out", required = true, paramLabel = "<file.npy|file.safetensors>",
            description = "Where to write z; the extension chooses the format.")
    Path out;

    @Option(names = "--data", paramLabel = "shapes|fashion-mnist|folder:<path>",
            description = "Data set to encode (default: the one the model was trained on), at the model's image size.")
    String data;

    @Option(names = "--split", paramLabel = "train|test",
            description = "Split: train (default) or test (shapes: a held-out factor stream; fashion-mnist: t10k).")
    String split;

    @Option(names = "--count", paramLabel = "<n>", description = "Encode only the first N images (default: all).")
    Integer count;

    @Option(names = "--attributes", paramLabel = "<file>",
            description = "CelebA-format attribute file giving folder images their labels.")
    Path attributes;

    @Option(names = "--data-dir", paramLabel = "<folder>", description = "Folder of the Fashion-MNIST files.")
    Path dataDir;

    @Option(names = "--dm", paramLabel = "<run folder or checkpoint>",
            description = "The diffusion model, when it is no longer where the DiTi run recorded it.")
    Path dm;

    @Option(names = "--batch", defaultValue = "64", paramLabel = "<n>", description = "Images per forward pass (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--force", description = "Overwrite --out (and its labels file) if they exist.")
    boolean force;

    @Option(names = "--device", defaultValue = "cpu", paramLabel = "cpu|cuda", description = "Device (default: ${DEFAULT-VALUE}).")
    String device;

    @Override
    public Integer call() {
        Device dev = Options.device(spec, device);
        Options.positive(spec, "--batch", batch);
        if (count != null) {
            Options.positive(spec, "--count", count);
        }
        Encoding.Split s = null;
        if (split != null) {
            try {
                s = Encoding.Split.parse(split);
            } catch (IllegalArgumentException e) {
                throw Options.usage(spec, e.getMessage());
            }
        }
        Encoding.checkOut(out, force);   // before loading: a bad --out is found at once
        Encoding.run(new Encoding.Options(run, dm, data, attributes, dataDir, s, count, batch, out, force, dev),
                System.out);
        return 0;
    }
}

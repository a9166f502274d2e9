package dev.diti4j.cli.encode;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.diti4j.cli.CliRunner;
import dev.diti4j.core.Device;
import dev.diti4j.core.Scope;
import dev.diti4j.core.Tensor;
import dev.diti4j.diti.api.TrainedDiti;
import dev.diti4j.diti.data.Dataset;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * One tiny train-dm run (16 px shapes, tiny U-Net) and one tiny train-diti run on it (d = 8,
 * k = 4), made through the command line once per test JVM and shared by the tests that only read
 * them. The folder is removed when the JVM exits.
 */
public final class TinyRuns {
    private static Path root;

    private TinyRuns() {
    }

    /** The shared folder holding {@code dm/} and {@code diti/}, trained on first use. */
    public static synchronized Path root() {
        if (root == null) {
            try {
                Path r = Files.createTempDirectory("diti4j-encode-runs");
                Runtime.getRuntime().addShutdownHook(new Thread(() -> delete(r)));
                train(r.resolve("dm"), r.resolve("diti"));
                root = r;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return root;
    }

    /** The train-dm run folder. */
    public static Path dm() {
        return root().resolve("dm");
    }

    /** The train-diti run folder. */
    public static Path diti() {
        return root().resolve("diti");
    }

    /** Trains the two runs into {@code dm} and {@code diti}. */
    public static void train(Path dm, Path diti) {
        CliRunner.Result r = CliRunner.run("train-dm", "--dataset", "shapes", "--image-size", "16", "--preset", "tiny",
                "--batch", "4", "--lr", "3e-3", "--steps", "3", "--checkpoint-every", "0", "--sample-every", "0",
                "--sample-count", "4", "--sample-steps", "2", "--seed", "3", "--out", dm.toString());
        assertEquals(0, r.code(), r.err());
        CliRunner.Result d = CliRunner.run("train-diti", "--dm", dm.toString(), "--out", diti.toString(),
                "--partition", "uniform:4", "--latent", "8", "--batch", "4", "--lr", "1e-2", "--ema", "0.5",
                "--steps", "2", "--checkpoint-every", "0", "--histogram-bins", "10", "--seed", "5");
        assertEquals(0, d.code(), d.err());
    }

    /**
     * z of images [0, n) of {@code data} from the library, encoded in batches of {@code batch} as
     * the encode command batches them (so the bits agree).
     */
    public static float[] expectedZ(TrainedDiti diti, Dataset data, int n, int batch) {
        float[] out = new float[n * diti.latentDim()];
        int per = data.pixelsPerImage();
        for (int from = 0; from < n; from += batch) {
            int count = Math.min(batch, n - from);
            float[] px = new float[count * per];
            for (int i = 0; i < count; i++) {
                System.arraycopy(data.get(from + i).pixels(), 0, px, i * per, per);
            }
            try (Scope s = Scope.open()) {
                float[] z = diti.encode(Tensor.of(Device.CPU, px, count, data.channels(), data.height(), data.width()))
                        .toArray();
                System.arraycopy(z, 0, out, from * diti.latentDim(), z.length);
            }
        }
        return out;
    }

    static void delete(Path p) {
        if (!Files.exists(p)) {
            return;
        }
        try (Stream<Path> s = Files.walk(p)) {
            s.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException e) {
            // best effort at exit
        }
    }
}

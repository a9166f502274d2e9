package dev.diti4j.cli.determinism;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.diti4j.core.testing.ForkedJvm;
import dev.diti4j.diffusion.train.TrainingCheckpoints;
import dev.diti4j.nn.checkpoint.Safetensors;
import dev.diti4j.nn.checkpoint.SafetensorsFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * train-diti in a forked JVM stopped with SIGTERM (its shutdown hook saves the current step) and
 * resumed ends with the bits of one uninterrupted run: every tensor and the generators, data
 * position, histogram and step of the final checkpoint agree.
 */
class DitiSigtermResumeIT {
    private static final int STEPS = 12;

    @TempDir
    Path dir;

    private static List<String> cli(String... args) {
        Path jar = Path.of(System.getProperty("diti4j.jar", "target/diti4j.jar"));
        assertTrue(Files.isRegularFile(jar), "the command-line jar " + jar + " is built by `package`");
        List<String> cmd = ForkedJvm.command(List.of());
        cmd.addAll(List.of("-jar", jar.toString()));
        cmd.addAll(List.of(args));
        return cmd;
    }

    private static void run(List<String> cmd, Path log) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        assertTrue(p.waitFor(5, TimeUnit.MINUTES), cmd + " did not finish");
        assertEquals(0, p.exitValue(), Files.readString(log));
    }

    private List<String> diti(Path dm, Path out) {
        return cli("train-diti", "--dm", dm.toString(), "--out", out.toString(), "--partition", "uniform:4", "--latent",
                "8", "--batch", "4", "--lr", "1e-3", "--steps", Integer.toString(STEPS), "--checkpoint-every", "1",
                "--histogram-bins", "10", "--seed", "7", "--mode", "dual");
    }

    @Test
    void sigtermThenResumeGivesTheBitsOfOneRun() throws Exception {
        Path dm = dir.resolve("dm");
        run(cli("train-dm", "--dataset", "shapes", "--image-size", "16", "--preset", "tiny", "--batch", "4", "--steps",
                "2", "--checkpoint-every", "0", "--sample-every", "0", "--sample-count", "4", "--sample-steps", "2",
                "--out", dm.toString()), dir.resolve("dm.log"));
        Path straight = dir.resolve("straight");
        run(diti(dm, straight), dir.resolve("straight.log"));

        Path split = dir.resolve("split");
        Path log = dir.resolve("split.log");
        Process p = new ProcessBuilder(diti(dm, split)).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        while (TrainingCheckpoints.list(split.resolve("checkpoints")).size() < 2 && p.isAlive()) {
            Thread.sleep(2);
        }
        assertTrue(p.isAlive(), "the run ended before the signal:\n" + Files.readString(log));
        p.destroy(); // SIGTERM: the hook finishes the step and saves it
        assertTrue(p.waitFor(2, TimeUnit.MINUTES));
        List<Path> saved = TrainingCheckpoints.list(split.resolve("checkpoints"));
        long stoppedAt = TrainingCheckpoints.stepOf(saved.getLast());
        assertTrue(stoppedAt < STEPS, "stopped at step " + stoppedAt + ":\n" + Files.readString(log));
        run(cli("train-diti", "--resume", split.toString()), dir.resolve("resume.log"));

        SafetensorsFile a = Safetensors.read(straight.resolve("checkpoints").resolve(TrainingCheckpoints.fileName(STEPS)));
        SafetensorsFile b = Safetensors.read(split.resolve("checkpoints").resolve(TrainingCheckpoints.fileName(STEPS)));
        assertEquals(a.names(), b.names());
        for (String name : a.names()) {
            assertTrue(Arrays.equals(a.data(name), b.data(name)), name + " differs (stopped at step " + stoppedAt + ")");
        }
        for (String key : List.of("rng.noise", "rng.dropout", "loader", "step", "optim", "ema", "histogram", "trainer")) {
            assertEquals(a.metadata().get(key), b.metadata().get(key), "metadata '" + key + "'");
        }
    }
}

package dev.diti4j.cli.determinism;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.diti4j.core.testing.ForkedJvm;
import dev.diti4j.diffusion.train.TrainingCheckpoints;
import dev.diti4j.nn.checkpoint.Safetensors;
import dev.diti4j.nn.checkpoint.SafetensorsFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A training run killed with SIGKILL at three random moments and resumed each time ends with the
 * same bits as one uninterrupted run: the command-line jar ({@code cli/target/diti4j.jar},
 * built by {@code package}) trains the tiny U-Net for {@value #STEPS} steps with a checkpoint after
 * every step. Each kill comes a random 0 to 200 ms after a randomly chosen step's checkpoint
 * appears, so it lands anywhere in the next step or the next checkpoint's write. The final
 * checkpoints must agree in every tensor and in the generators, data position, step and optimizer
 * and EMA metadata; the logged losses and the final sample grid must agree too.
 *
 * <p>The moments are drawn from a seed printed in any failure message; set the system property
 * {@code diti4j.killSeed} to replay one.
 */
class KillResumeIT {
    private static final int STEPS = 16;

    @TempDir
    Path dir;

    private static List<String> trainDm(String... args) {
        Path jar = Path.of(System.getProperty("diti4j.jar", "target/diti4j.jar"));
        assertTrue(Files.isRegularFile(jar), "the command-line jar " + jar + " is built by `package`");
        List<String> cmd = ForkedJvm.command(List.of());
        cmd.addAll(List.of("-jar", jar.toString()));
        cmd.addAll(List.of(args));
        return cmd;
    }

    private static List<String> fresh(Path out) {
        return trainDm("train-dm", "--dataset", "shapes", "--image-size", "16", "--preset", "tiny", "--batch", "8",
                "--lr", "2e-3", "--clip", "1", "--steps", Integer.toString(STEPS), "--checkpoint-every", "1",
                "--keep-checkpoints", "2", "--sample-every", "0", "--sample-count", "4", "--sample-steps", "3",
                "--seed", "11", "--out", out.toString());
    }

    private static Process start(List<String> cmd, Path log) throws IOException {
        return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    private static void finish(Process p, Path log, String what) throws Exception {
        assertTrue(p.waitFor(5, TimeUnit.MINUTES), what + " did not finish");
        assertEquals(0, p.exitValue(), what + " failed:\n" + Files.readString(log));
    }

    /** The newest step with a complete checkpoint in the run folder, 0 before the first. */
    private static long newestCheckpoint(Path run) {
        List<Path> files = TrainingCheckpoints.list(run.resolve("checkpoints"));
        return files.isEmpty() ? 0 : TrainingCheckpoints.stepOf(files.getLast());
    }

    @Test
    void killingAndResumingThreeTimesGivesTheBitsOfOneRun() throws Exception {
        long seed = Long.getLong("diti4j.killSeed", System.nanoTime());
        SplittableRandom rng = new SplittableRandom(seed);
        String replay = " (kill seed " + seed + ")";

        Path straight = dir.resolve("straight");
        finish(start(fresh(straight), dir.resolve("straight.log")), dir.resolve("straight.log"), "the uninterrupted run");

        // three distinct steps in [1, STEPS - 6] after whose checkpoint a kill follows: at least six
        // steps are left, so the run is still going when the kill comes
        long[] after = rng.longs(1, STEPS - 5).distinct().limit(3).sorted().toArray();
        Path run = dir.resolve("killed");
        List<String> kills = new ArrayList<>();
        for (int k = 0; k <= after.length; k++) {
            Path log = dir.resolve("killed-" + k + ".log");
            Process p = start(k == 0 ? fresh(run) : trainDm("train-dm", "--resume", run.toString()), log);
            if (k == after.length) {
                finish(p, log, "the last resume" + replay);
                break;
            }
            while (newestCheckpoint(run) < after[k] && p.isAlive()) {
                Thread.sleep(2);
            }
            long delay = rng.nextLong(201);
            Thread.sleep(delay);
            assertTrue(p.isAlive(), "the run ended before kill " + (k + 1) + " at step " + after[k] + " + " + delay
                    + " ms" + replay + ":\n" + Files.readString(log));
            p.destroyForcibly(); // SIGKILL: no shutdown hook, no final checkpoint
            p.waitFor();
            kills.add("after step " + after[k] + " + " + delay + " ms (newest checkpoint then: step "
                    + newestCheckpoint(run) + ")");
        }
        String where = replay + ", killed " + String.join(", ", kills);
        System.out.println("killed" + where);

        SafetensorsFile a = Safetensors.read(straight.resolve("checkpoints").resolve(TrainingCheckpoints.fileName(STEPS)));
        SafetensorsFile b = Safetensors.read(run.resolve("checkpoints").resolve(TrainingCheckpoints.fileName(STEPS)));
        assertEquals(a.names(), b.names(), "tensor names" + where);
        List<String> differ = new ArrayList<>();
        for (String name : a.names()) {
            if (!Arrays.equals(bits(a.data(name)), bits(b.data(name)))) {
                differ.add(name);
            }
        }
        assertTrue(differ.isEmpty(), differ.size() + " of " + a.names().size() + " tensors differ" + where + ": "
                + differ.subList(0, Math.min(10, differ.size())));
        for (String key : List.of("rng.noise", "rng.dropout", "loader", "step", "optim", "ema", "config", "trainer")) {
            assertEquals(a.metadata().get(key), b.metadata().get(key), "metadata '" + key + "'" + where);
        }
        assertEquals(lossAndNorm(straight), lossAndNorm(run), "logged loss and gradient norm per step" + where);
        String grid = "samples/step-" + String.format("%07d", STEPS) + ".png";
        assertTrue(Arrays.equals(Files.readAllBytes(straight.resolve(grid)), Files.readAllBytes(run.resolve(grid))),
                "the final EMA sample grid " + grid + where);
    }

    private static int[] bits(float[] v) {
        int[] out = new int[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = Float.floatToRawIntBits(v[i]);
        }
        return out;
    }

    /** The step, loss and grad_norm fields of each metrics line (times differ between runs). */
    private static List<String> lossAndNorm(Path run) throws IOException {
        List<String> out = new ArrayList<>();
        for (String line : Files.readAllLines(run.resolve("metrics.jsonl"))) {
            out.add(line.replaceAll(",\"lr\".*\"grad_norm\":", " ").replaceAll(",\"images_per_s\".*", ""));
        }
        return out;
    }
}

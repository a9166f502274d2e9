package dev.diti4j.cli.dm;

import static dev.diti4j.cli.dm.RunFolderSafetyTest.ok;
import static dev.diti4j.cli.dm.RunFolderSafetyTest.refused;
import static dev.diti4j.cli.dm.RunFolderSafetyTest.snapshot;
import static dev.diti4j.cli.dm.RunFolderSafetyTest.train;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.diti4j.core.Device;
import dev.diti4j.core.Tensor;
import dev.diti4j.diffusion.train.TrainingCheckpoints;
import dev.diti4j.cli.CliRunner;
import dev.diti4j.nn.checkpoint.Checkpoint;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Sampling outputs that cannot be written and checkpoints that cannot be used are refused in one
 * line before any work; a run whose loss or gradients become non-finite stops with exit code 1 and
 * keeps its last good checkpoint.
 */
class BadCheckpointsAndOutputsTest {
    @TempDir
    static Path shared;
    static Path run;

    @TempDir
    Path dir;

    @BeforeAll
    static void aRun() {
        run = shared.resolve("run");
        ok(train(run, 2));
    }

    /** Exactly one line on stderr: the refusal came before any progress bar. */
    private static String oneLine(int code, CliRunner.Result r) {
        String line = refused(code, r);
        assertEquals(1, r.errLines().size(), "one line, no stack trace: " + r.err());
        return line;
    }

    @Test
    void sampleOutputsThatCannotBeWrittenAreRefusedBeforeSampling() throws Exception {
        String line = oneLine(2, CliRunner.run("sample", "--run", run.toString(), "--out", dir.toString()));
        assertEquals("diti4j sample: --out " + dir + " is a folder; give a file name such as " + dir.resolve("grid.png")
                + " (see ./diti4j sample --help)", line);
        Path file = Files.writeString(dir.resolve("file"), "x");
        line = oneLine(2, CliRunner.run("sample", "--run", run.toString(), "--out", file.resolve("grid.png").toString()));
        assertTrue(line.contains("cannot be written: " + file.toAbsolutePath() + " is a file, not a folder"), line);
        line = oneLine(2, CliRunner.run("sample", "--run", run.toString(), "--out",
                file.resolve("deeper/grid.png").toString()));
        assertTrue(line.contains("is a file, not a folder"), line);
        line = oneLine(2, CliRunner.run("sample", "--run", run.toString(), "--steps", "5000"));
        assertTrue(line.contains("--steps 5000 is more than the schedule's 1000 steps"), line);
        line = oneLine(2, CliRunner.run("sample", "--run", run.toString(), "--count", "4", "--cols", "5"));
        assertTrue(line.contains("--cols 5 is more than the 4 images"), line);
        assertEquals(List.of("file"), RunFolderSafetyTest.snapshot(dir).keySet().stream().toList());
    }

    @Test
    void aFolderWhereNoFileCanBeCreatedIsRefusedBeforeSampling() {
        Path proc = Path.of("/proc");
        assumeTrue(Files.isDirectory(proc.resolve("self")), "a Linux /proc");
        String line = oneLine(2, CliRunner.run("sample", "--run", run.toString(), "--out",
                proc.resolve("grid.png").toString()));
        assertTrue(line.startsWith("diti4j sample: --out /proc/grid.png cannot be written: "), line);
    }

    @Test
    void aReadOnlyFolderIsRefusedBeforeSampling() throws Exception {
        Path ro = Files.createDirectories(dir.resolve("ro"));
        Files.setPosixFilePermissions(ro, PosixFilePermissions.fromString("r-xr-xr-x"));
        try {
            assumeFalse(Files.isWritable(ro), "the permission is not enforced for this user (root)");
            String line = oneLine(2, CliRunner.run("sample", "--run", run.toString(), "--out",
                    ro.resolve("grid.png").toString()));
            assertTrue(line.contains("is not writable"), line);
        } finally {
            Files.setPosixFilePermissions(ro, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
    }

    @Test
    void evalSamplesChecksItsRequestBeforeTrainingTheClassifier() throws Exception {
        String line = oneLine(2, CliRunner.run("eval-samples", "--run", run.toString(), "--steps", "5000"));
        assertTrue(line.contains("--steps must be between 1 and the schedule's 1000 steps, got 5000"), line);
        Path file = Files.writeString(dir.resolve("file"), "x");
        line = oneLine(2, CliRunner.run("eval-samples", "--run", run.toString(), "--out", file.toString()));
        assertTrue(line.contains("--out " + file + " cannot be written: " + file.toAbsolutePath()
                + " is a file, not a folder"), line);
        assertFalse(Files.exists(run.resolve("eval")), "no classifier was trained");
    }

    /** A copy of the run's checkpoint with one NaN in {@code tensor}. */
    private Path withNan(String tensor) throws Exception {
        Checkpoint c = Checkpoint.read(TrainingCheckpoints.resolve(run));
        Checkpoint.Writer w = Checkpoint.writer();
        for (String name : c.file().names()) {
            Tensor t = c.tensor(name, Device.CPU);
            if (name.equals(tensor)) {
                float[] v = t.toArray();
                v[v.length / 2] = Float.NaN;
                t = Tensor.of(v, t.shape().dims());
            }
            w.tensor(name, t);
        }
        c.metadata().forEach(w::metadata);
        Path file = Files.createDirectories(dir.resolve("loose")).resolve("nan.safetensors");
        w.write(file);
        return file;
    }

    @Test
    void aCheckpointWithNanWeightsIsRefusedForSamplingAndResuming() throws Exception {
        Path bad = withNan("ema.out.conv.weight");
        Map<String, String> before = snapshot(dir);
        String line = oneLine(2, CliRunner.run("sample", "--run", bad.toString(), "--out", dir.resolve("g.png").toString()));
        assertEquals("diti4j sample: checkpoint " + bad + " cannot be sampled: its tensor 'ema.out.conv.weight' holds 1 NaN"
                + " value of 216 (the weights were already broken when it was saved, or the file is damaged)", line);
        line = oneLine(2, CliRunner.run("eval-samples", "--run", bad.toString(), "--out", dir.resolve("eval").toString()));
        assertTrue(line.contains("its tensor 'ema.out.conv.weight' holds 1 NaN value"), line);
        Path out = dir.resolve("continued");
        line = oneLine(2, CliRunner.run("train-dm", "--resume", bad.toString(), "--out", out.toString(), "--steps", "5"));
        assertTrue(line.contains("cannot be resumed: its tensor 'ema.out.conv.weight' holds 1 NaN value"), line);
        assertFalse(line.contains("--lr") || line.contains("learning rate"), "no learning-rate hint: " + line);
        assertEquals(before, snapshot(dir), "nothing written");

        // the live weights are fine, so they can still be sampled
        ok("sample", "--run", bad.toString(), "--no-ema", "--count", "2", "--steps", "2", "--out",
                dir.resolve("live.png").toString());
    }

    @Test
    void aDivergingRunStopsWithExitCode1AndKeepsItsLastGoodCheckpoint() throws Exception {
        Path r = dir.resolve("diverging");
        CliRunner.Result res = CliRunner.run(train(r, 6, "--lr", "1e30", "--checkpoint-every", "1"));
        String line = refused(1, res);
        assertTrue(line.startsWith("diti4j train-dm: training diverged at step 2: the loss is "), line);
        assertTrue(line.matches(".*the first non-finite gradient is that of '[a-z0-9_.]+' \\(\\d+ NaN values? of \\d+\\).*"),
                line);
        assertTrue(line.contains("the newest checkpoint, checkpoints/step-0000001.safetensors, is the last good one"),
                line);
        assertTrue(line.contains("lower --lr"), line);
        assertEquals(List.of(r.resolve("checkpoints/step-0000001.safetensors")),
                TrainingCheckpoints.list(r.resolve("checkpoints")));
        assertEquals("step-0000001.safetensors", Files.readString(r.resolve("checkpoints/latest")).strip());
        assertEquals(1, Files.readAllLines(r.resolve("metrics.jsonl")).size(), "the diverged step is not logged");
    }
}

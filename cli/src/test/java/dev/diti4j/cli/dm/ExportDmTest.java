package dev.diti4j.cli.dm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.diti4j.cli.CliRunner;
import dev.diti4j.core.Device;
import dev.diti4j.core.Tensor;
import dev.diti4j.diffusion.train.TrainingCheckpoints;
import dev.diti4j.diti.train.DitiTrainer;
import dev.diti4j.nn.checkpoint.Checkpoint;
import dev.diti4j.nn.Parameter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** export-dm: the EMA weights alone, usable as a frozen model and for sampling, refused for resuming. */
class ExportDmTest {
    @TempDir
    static Path dir;
    static Path dmRun;

    @BeforeAll
    static void trainDm() {
        dmRun = dir.resolve("dm");
        CliRunner.Result r = CliRunner.run("train-dm", "--dataset", "shapes", "--image-size", "16", "--preset", "tiny",
                "--batch", "4", "--lr", "3e-3", "--steps", "3", "--checkpoint-every", "0", "--sample-every", "0",
                "--sample-count", "4", "--sample-steps", "2", "--seed", "3", "--out", dmRun.toString());
        assertEquals(0, r.code(), r.err());
    }

    @Test
    void exportedWeightsEqualTheEmaAndServeAsFrozenModel() throws Exception {
        Path file = dir.resolve("models/dm.safetensors");
        CliRunner.Result r = CliRunner.run("export-dm", "--run", dmRun.toString(), "--out", file.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("step 3"), r.out());
        Checkpoint full = Checkpoint.read(TrainingCheckpoints.resolve(dmRun));
        Checkpoint small = Checkpoint.read(file);
        assertTrue(Files.size(file) * 3 < Files.size(full.path()), "a fraction of the checkpoint's size");
        // the frozen model loaded from either file is the same, tensor by tensor
        Map<String, Parameter> a = DitiTrainer.loadDm(full, Device.CPU).unet().namedParameters();
        Map<String, Parameter> b = DitiTrainer.loadDm(small, Device.CPU).unet().namedParameters();
        assertEquals(a.keySet(), b.keySet());
        for (String k : a.keySet()) {
            Tensor x = a.get(k).tensor();
            Tensor y = b.get(k).tensor();
            assertTrue(Arrays.equals(x.toArray(), y.toArray()), k);
        }
        assertFalse(small.file().names().stream().anyMatch(n -> n.startsWith("optim.")), "no optimizer state");
        assertEquals(full.metadata().get("data"), small.metadata().get("data"));

        // it samples, trains DiTi, and is refused for resuming and for --no-ema, each in one line
        Path grid = dir.resolve("grid.png");
        CliRunner.Result s = CliRunner.run("sample", "--run", file.toString(), "--count", "2", "--steps", "2",
                "--out", grid.toString());
        assertEquals(0, s.code(), s.err());
        assertTrue(Files.isRegularFile(grid));
        CliRunner.Result d = CliRunner.run("train-diti", "--dm", file.toString(), "--out", dir.resolve("diti").toString(),
                "--partition", "uniform:2", "--latent", "4", "--batch", "2", "--steps", "1", "--checkpoint-every", "0");
        assertEquals(0, d.code(), d.err());
        CliRunner.Result noEma = CliRunner.run("sample", "--run", file.toString(), "--no-ema", "--count", "2",
                "--out", dir.resolve("g2.png").toString());
        assertEquals(2, noEma.code(), noEma.err());
        assertTrue(noEma.err().contains("only EMA weights"), noEma.err());
        CliRunner.Result again = CliRunner.run("export-dm", "--run", dmRun.toString(), "--out", file.toString());
        assertEquals(2, again.code());
        assertTrue(again.err().contains("never overwritten"), again.err());
        CliRunner.Result wrongExt = CliRunner.run("export-dm", "--run", dmRun.toString(), "--out", dir.resolve("x.bin").toString());
        assertEquals(2, wrongExt.code());
        assertEquals(1, wrongExt.errLines().size(), wrongExt.err());
        CliRunner.Result missing = CliRunner.run("export-dm", "--run", dir.resolve("nope").toString(), "--out",
                dir.resolve("y.safetensors").toString());
        assertEquals(2, missing.code());
        assertTrue(missing.err().contains("no such file"), missing.err());
        assertFalse(Files.exists(dir.resolve("y.safetensors")));
    }

    @Test
    void anExportedModelCannotBeResumed() {
        Path file = dir.resolve("resume-me.safetensors");
        assertEquals(0, CliRunner.run("export-dm", "--run", dmRun.toString(), "--out", file.toString()).code());
        CliRunner.Result r = CliRunner.run("train-dm", "--resume", file.toString(), "--steps", "5");
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains("not resumed"), r.err());
    }
}

package dev.diti4j.cli.dm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.diti4j.cli.CliRunner;
import dev.diti4j.cli.run.RunFolder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** train-diti through the command line on a tiny DM run trained here (16 px shapes, tiny U-Net). */
class TrainDitiEndToEndTest {
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

    private static String[] diti(Path out, String... extra) {
        List<String> a = new ArrayList<>(List.of("train-diti", "--dm", dmRun.toString(), "--out", out.toString(),
                "--partition", "uniform:4", "--latent", "8", "--batch", "4", "--lr", "1e-3", "--steps", "6",
                "--checkpoint-every", "3", "--histogram-bins", "10", "--seed", "5"));
        for (int i = 0; i + 1 < extra.length; i += 2) {   // an option given again replaces its default here
            int at = a.indexOf(extra[i]);
            if (at >= 0) {
                a.set(at + 1, extra[i + 1]);
            } else {
                a.add(extra[i]);
                a.add(extra[i + 1]);
            }
        }
        return a.toArray(String[]::new);
    }

    private static List<JsonNode> metrics(Path run) throws Exception {
        List<JsonNode> out = new ArrayList<>();
        for (String line : Files.readAllLines(run.resolve("metrics.jsonl"))) {
            out.add(RunFolder.json().readTree(line));
        }
        return out;
    }

    @Test
    void trainsWritesTheRunFolderAndResumesExactly() throws Exception {
        Path run = dir.resolve("diti");
        CliRunner.Result r = CliRunner.run(diti(run, "--mode", "dual"));
        assertEquals(0, r.code(), r.err());
        for (String f : List.of("config.json", "metrics.jsonl", "loss.png", "histogram.json", "histogram.png",
                "checkpoints/latest", "checkpoints/step-0000003.safetensors", "checkpoints/step-0000006.safetensors")) {
            assertTrue(Files.isRegularFile(run.resolve(f)), f);
        }
        List<JsonNode> m = metrics(run);
        assertEquals(6, m.size());
        // step 0: G = 0, so each of dual's two terms is the frozen loss
        assertEquals(2 * m.get(0).get("frozen_loss").floatValue(), m.get(0).get("loss").floatValue(), 0f);
        JsonNode h = RunFolder.json().readTree(run.resolve("histogram.json").toFile());
        long n = 0;
        for (JsonNode b : h.get("bins")) {
            n += b.get("count").asLong();
        }
        assertEquals(24, n, "6 steps of 4 samples");
        assertEquals(10, h.get("bins").size());

        // stop at step 3, resume to 6: the same metrics losses and the same histogram
        Path split = dir.resolve("split");
        assertEquals(0, CliRunner.run(diti(split, "--mode", "dual", "--steps", "3")).code());
        CliRunner.Result again = CliRunner.run("train-diti", "--resume", split.toString(), "--steps", "6");
        assertEquals(0, again.code(), again.err());
        List<JsonNode> m2 = metrics(split);
        assertEquals(6, m2.size());
        for (int i = 0; i < 6; i++) {
            assertEquals(m.get(i).get("loss").floatValue(), m2.get(i).get("loss").floatValue(), 0f, "step " + (i + 1));
        }
        assertEquals(h.get("bins"), RunFolder.json().readTree(split.resolve("histogram.json").toFile()).get("bins"));
        // the training time counts on across the resume
        assertTrue(m2.get(3).get("elapsed_s").doubleValue() >= m2.get(2).get("elapsed_s").doubleValue(),
                m2.get(2) + " then " + m2.get(3));

        // a DiTi run is not a diffusion model
        Path bad = dir.resolve("diti-on-diti");
        CliRunner.Result r2 = CliRunner.run("train-diti", "--dm", run.toString(), "--out", bad.toString());
        assertEquals(2, r2.code(), r2.err());
        assertTrue(r2.err().contains("not a diffusion-model"), r2.err());
        assertFalse(Files.exists(bad));
    }

    private static void refused(Path out, String expected, String... args) {
        CliRunner.Result r = CliRunner.run(args);
        assertEquals(2, r.code(), r.out() + r.err());
        assertEquals(1, r.errLines().size(), r.err());
        assertTrue(r.err().contains(expected), r.err());
        assertFalse(Files.exists(out), "nothing written");
    }

    @Test
    void badRequestsAreOneSentenceExitTwoAndWriteNothing() throws Exception {
        Path out = dir.resolve("bad");
        refused(out, "no such file or folder", "train-diti", "--dm", dir.resolve("missing").toString(), "--out",
                out.toString());
        Path empty = Files.createDirectories(dir.resolve("empty-dm"));
        refused(out, "holds no checkpoint", "train-diti", "--dm", empty.toString(), "--out", out.toString());
        refused(out, "does not fit --latent 8", diti(out, "--partition", "uniform:16"));
        refused(out, "does not fit --latent 8", diti(out, "--partition", "widths:4,5"));
        refused(out, "--mode must be base, stop_grad or dual", diti(out, "--mode", "sideways"));
        refused(out, "--partition must be", diti(out, "--partition", "blocks:4"));
        refused(out, "--encoder must be", diti(out, "--encoder", "huge"));
        refused(out, "--dm is required", "train-diti", "--out", out.toString());
    }
}

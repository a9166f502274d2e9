package dev.diti4j.cli.dm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.diti4j.core.Device;
import dev.diti4j.diffusion.train.DmTrainer;
import dev.diti4j.diffusion.train.TrainingCheckpoints;
import dev.diti4j.cli.CliRunner;
import dev.diti4j.cli.run.RunFolder;
import dev.diti4j.nn.checkpoint.Checkpoint;
import dev.diti4j.nn.checkpoint.SafetensorsFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command line end to end on 16 px synthetic shapes with the tiny U-Net. */
class TrainDmEndToEndTest {
    @TempDir
    Path dir;

    private static String[] train(Path out, int steps, String... extra) {
        List<String> a = new ArrayList<>(List.of("train-dm", "--dataset", "shapes", "--image-size", "16", "--preset",
                "tiny", "--batch", "8", "--lr", "3e-3", "--steps", Integer.toString(steps), "--checkpoint-every", "10",
                "--sample-every", "0", "--sample-count", "4", "--sample-steps", "4", "--keep-checkpoints", "0", "--seed",
                "3", "--out", out.toString()));
        a.addAll(List.of(extra));
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
    void trainingLowersTheLossAndWritesTheRunFolder() throws Exception {
        Path run = dir.resolve("run");
        CliRunner.Result r = CliRunner.run(train(run, 40));
        assertEquals(0, r.code(), r.err());
        List<JsonNode> m = metrics(run);
        assertEquals(40, m.size());
        for (String key : List.of("step", "loss", "lr", "grad_norm", "images_per_s", "elapsed_s")) {
            assertTrue(m.getFirst().has(key), "metrics line has " + key + ": " + m.getFirst());
        }
        double first = m.subList(0, 10).stream().mapToDouble(n -> n.get("loss").asDouble()).average().orElseThrow();
        double last = m.subList(30, 40).stream().mapToDouble(n -> n.get("loss").asDouble()).average().orElseThrow();
        assertTrue(last < 0.7 * first, "mean loss of steps 1-10 " + first + " vs 31-40 " + last);

        assertEquals(List.of(run.resolve("checkpoints/step-0000010.safetensors"),
                run.resolve("checkpoints/step-0000020.safetensors"), run.resolve("checkpoints/step-0000030.safetensors"),
                run.resolve("checkpoints/step-0000040.safetensors")), TrainingCheckpoints.list(run.resolve("checkpoints")));
        JsonNode config = RunFolder.json().readTree(run.resolve("config.json").toFile());
        assertEquals(8, config.get("model").get("baseChannels").asInt(), "the tiny preset");
        assertEquals(8, config.get("batch").asInt());
        var grid = ImageIO.read(run.resolve("samples.png").toFile());
        assertTrue(grid.getWidth() > 64, "a scaled 2x2 grid of 16 px images");
        assertTrue(Files.size(run.resolve("loss.png")) > 1000);
        assertTrue(Files.isRegularFile(run.resolve("samples/step-0000040.png")));

        // the checkpoint round-trips: the model, the EMA and the trainer come back as saved
        Checkpoint c = Checkpoint.read(TrainingCheckpoints.resolve(run));
        DmTrainer.Resumed back = DmTrainer.resume(c, Device.CPU);
        assertEquals(40, back.trainer().stepCount());
        SafetensorsFile f = c.file();
        back.trainer().model().namedParameters().forEach((name, p) ->
                assertArrayEquals(f.tensor(name, Device.CPU).toArray(), p.tensor().toArray(), 0f, name));
        back.trainer().ema().stateTensors().forEach((name, t) ->
                assertArrayEquals(f.tensor("ema." + name, Device.CPU).toArray(), t.toArray(), 0f, name));
        DmSampling.Loaded ema = DmSampling.load(run, true, Device.CPU);
        assertEquals(40, ema.step());
        assertArrayEquals(back.trainer().ema().shadow("out.conv.weight").toArray(),
                ema.model().namedParameters().get("out.conv.weight").tensor().toArray(), 0f);

        // sampling from the run
        Path png = dir.resolve("grid.png");
        CliRunner.Result s = CliRunner.run("sample", "--run", run.toString(), "--count", "3", "--steps", "3", "--out",
                png.toString());
        assertEquals(0, s.code(), s.err());
        assertTrue(s.out().contains("3 images from step 40"), s.out());
        assertTrue(ImageIO.read(png.toFile()).getWidth() > 0);
        CliRunner.Result ddpm = CliRunner.run("sample", "--run", run.toString(), "--sampler", "ddpm", "--steps", "10");
        assertEquals(2, ddpm.code());
        assertTrue(ddpm.err().contains("does not apply to ddpm"), ddpm.err());
    }

    @Test
    void resumingFromTheFolderGivesTheSameFinalCheckpointAsOneRun() throws Exception {
        Path straight = dir.resolve("straight");
        assertEquals(0, CliRunner.run(train(straight, 24)).code());

        Path split = dir.resolve("split");
        assertEquals(0, CliRunner.run(train(split, 13)).code());
        // logged lines after the checkpoint are replaced, as after a crash
        Files.writeString(split.resolve("metrics.jsonl"), "{\"step\":14,\"loss\":9}\n",
                java.nio.file.StandardOpenOption.APPEND);
        CliRunner.Result again = CliRunner.run("train-dm", "--resume", split.toString(), "--steps", "24");
        assertEquals(0, again.code(), again.err());
        assertTrue(again.out().contains("resuming"), again.out());

        SafetensorsFile a = Checkpoint.read(straight.resolve("checkpoints/step-0000024.safetensors")).file();
        SafetensorsFile b = Checkpoint.read(split.resolve("checkpoints/step-0000024.safetensors")).file();
        assertEquals(a.names(), b.names());
        for (String name : a.names()) {
            assertArrayEquals(a.tensor(name, Device.CPU).toArray(), b.tensor(name, Device.CPU).toArray(), 0f, name);
        }
        for (String key : List.of("rng.noise", "rng.dropout", "loader", "step", "optim", "ema")) {
            assertEquals(a.metadata().get(key), b.metadata().get(key), key);
        }
        List<JsonNode> ma = metrics(straight);
        List<JsonNode> mb = metrics(split);
        assertEquals(24, mb.size());
        for (int i = 0; i < 24; i++) {
            assertEquals(ma.get(i).get("loss").asDouble(), mb.get(i).get("loss").asDouble(), 0.0, "loss at step " + (i + 1));
        }

        CliRunner.Result done = CliRunner.run("train-dm", "--resume", split.toString());
        assertEquals(2, done.code());
        assertTrue(done.err().contains("has already done 24 of its 24 steps"), done.err());
        CliRunner.Result changed = CliRunner.run("train-dm", "--resume", split.toString(), "--lr", "1e-3");
        assertEquals(2, changed.code());
        assertTrue(changed.err().contains("--lr cannot change when resuming"), changed.err());
        CliRunner.Result fresh = CliRunner.run(train(split, 5));
        assertEquals(2, fresh.code());
        assertTrue(fresh.err().contains("already holds checkpoints"), fresh.err());
    }
}

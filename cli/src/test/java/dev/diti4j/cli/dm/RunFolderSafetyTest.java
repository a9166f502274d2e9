package dev.diti4j.cli.dm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.diti4j.diffusion.train.TrainingCheckpoints;
import dev.diti4j.cli.CliRunner;
import dev.diti4j.cli.run.RunFolder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** No command damages or mixes a run folder: every refusal leaves the folders as they were. */
class RunFolderSafetyTest {
    @TempDir
    static Path shared;
    /** A finished 3-step run and another of a model with 2 GroupNorm groups, trained once for the class. */
    static Path runA;
    static Path runB;

    @TempDir
    Path dir;

    static String[] train(Path out, int steps, String... extra) {
        List<String> a = new ArrayList<>(List.of("train-dm", "--image-size", "16", "--preset", "tiny", "--batch", "4",
                "--steps", Integer.toString(steps), "--sample-every", "0", "--sample-count", "2", "--sample-steps", "2",
                "--keep-checkpoints", "0", "--seed", "3", "--out", out.toString()));
        a.addAll(List.of(extra));
        return a.toArray(String[]::new);
    }

    static CliRunner.Result ok(String... args) {
        CliRunner.Result r = CliRunner.run(args);
        assertEquals(0, r.code(), r.err());
        return r;
    }

    /** The one error line (the last on stderr, after any progress bar). */
    static String refused(int code, CliRunner.Result r) {
        assertEquals(code, r.code(), "exit code; stderr: " + r.err() + "\nstdout: " + r.out());
        List<String> lines = r.errLines();
        String line = lines.getLast();
        assertTrue(line.matches("diti4j [a-z-]+: .*"), line);
        assertFalse(r.err().contains("\tat ") || r.err().contains("Exception"), "no stack trace: " + r.err());
        return line;
    }

    /** Every file below {@code d} (the lock file aside) with a digest of its bytes. */
    static Map<String, String> snapshot(Path d) throws Exception {
        Map<String, String> out = new TreeMap<>();
        if (!Files.exists(d)) {
            return out;
        }
        try (Stream<Path> s = Files.walk(d)) {
            for (Path p : s.filter(Files::isRegularFile).toList()) {
                if (!p.getFileName().toString().equals(RunFolder.LOCK)) {
                    MessageDigest md = MessageDigest.getInstance("SHA-256");
                    out.put(d.relativize(p).toString(), HexFormat.of().formatHex(md.digest(Files.readAllBytes(p))));
                }
            }
        }
        return out;
    }

    @BeforeAll
    static void twoRuns() {
        runA = shared.resolve("a");
        runB = shared.resolve("b");
        ok(train(runA, 3));
        ok(train(runB, 3, "--groups", "2"));
    }

    @Test
    void resumingIntoAnotherRunIsRefusedAndLeavesBothAlone() throws Exception {
        Map<String, String> a = snapshot(runA);
        Map<String, String> b = snapshot(runB);
        String line = refused(2, CliRunner.run("train-dm", "--resume", runA.toString(), "--out", runB.toString(),
                "--steps", "5"));
        assertTrue(line.contains("--out " + runB + " already holds another run's checkpoints"), line);
        assertEquals(a, snapshot(runA));
        assertEquals(b, snapshot(runB));
    }

    @Test
    void resumingIntoANewFolderContinuesACopyAndLeavesTheOriginalAlone() throws Exception {
        Map<String, String> a = snapshot(runA);
        Path c = dir.resolve("c");
        ok("train-dm", "--resume", runA.toString(), "--out", c.toString(), "--steps", "5");
        assertEquals(a, snapshot(runA), "the original run is untouched");
        assertEquals(List.of(c.resolve("checkpoints/step-0000003.safetensors"),
                c.resolve("checkpoints/step-0000005.safetensors")), TrainingCheckpoints.list(c.resolve("checkpoints")));
        assertEquals(5, Files.readAllLines(c.resolve("metrics.jsonl")).size(), "3 copied metrics lines and 2 new");
        JsonNode config = RunFolder.json().readTree(c.resolve("config.json").toFile());
        assertEquals(5, config.get("steps").asInt());
        JsonNode resume = config.get("resumes").get(0);
        assertEquals(3, resume.get("fromStep").asInt());
        assertEquals(c.toString(), resume.get("into").asText());
        assertEquals(RunFolder.json().readTree(runA.resolve("config.json").toFile()).get("started"),
                config.get("started"), "the config is the original run's");
    }

    @Test
    void anOutFolderThatHoldsFilesButNoCheckpointIsRefusedAndAnEmptyOneIsUsed() throws Exception {
        Path used = Files.createDirectories(dir.resolve("used"));
        Files.writeString(used.resolve("config.json"), "{\"mine\": true}\n");
        Files.writeString(used.resolve("metrics.jsonl"), "{\"step\":1,\"loss\":0.5}\n");
        Map<String, String> before = snapshot(used);
        String line = refused(2, CliRunner.run(train(used, 2)));
        assertTrue(line.contains("--out " + used + " is not empty (it holds config.json, metrics.jsonl) but has no"
                + " checkpoint"), line);
        assertEquals(before, snapshot(used));
        assertEquals(List.of("config.json", "metrics.jsonl"), RunFolder.entries(used), "nothing added");

        Path file = Files.writeString(dir.resolve("a-file"), "x");
        assertTrue(refused(2, CliRunner.run(train(file, 2))).contains("--out " + file + " is a file, not a folder"));

        Path empty = Files.createDirectories(dir.resolve("empty"));
        ok(train(empty, 1));
        assertTrue(Files.isRegularFile(empty.resolve("checkpoints/step-0000001.safetensors")));
    }

    @Test
    void aCheckpointOfAnotherModelInARunFolderIsRefusedNamingTheDifference() throws Exception {
        Path a = dir.resolve("a");
        copyTree(runA, a);
        // B's checkpoint (a model with 2 GroupNorm groups) dropped into A as its newest
        Files.copy(TrainingCheckpoints.resolve(runB), a.resolve("checkpoints/step-0000004.safetensors"));
        Files.writeString(a.resolve("checkpoints/latest"), "step-0000004.safetensors\n");
        Map<String, String> before = snapshot(a);
        String line = refused(2, CliRunner.run("train-dm", "--resume", a.toString(), "--steps", "6"));
        assertTrue(line.contains("does not belong to run folder " + a), line);
        assertTrue(line.contains("the checkpoint's model.groups is 2 but config.json says 4"), line);
        assertEquals(before, snapshot(a));
        // the same check when it would be continued in a copy: the copy would get the wrong config
        Path c = dir.resolve("c");
        assertTrue(refused(2, CliRunner.run("train-dm", "--resume", a.toString(), "--out", c.toString(), "--steps",
                "6")).contains("model.groups"));
        assertFalse(Files.exists(c));
    }

    @Test
    void anOlderCheckpointIsContinuedOnlyInACopy() throws Exception {
        Path a = dir.resolve("a");
        ok(train(a, 3, "--checkpoint-every", "1"));
        Map<String, String> before = snapshot(a);
        Path old = a.resolve("checkpoints/step-0000001.safetensors");
        String line = refused(2, CliRunner.run("train-dm", "--resume", old.toString(), "--steps", "4"));
        assertTrue(line.contains("step-0000001.safetensors is not the newest of run folder " + a
                + " (that is step-0000003.safetensors)"), line);
        assertTrue(line.contains("--out <new folder>"), line);
        assertEquals(before, snapshot(a));
        Path c = dir.resolve("from-step-1");
        ok("train-dm", "--resume", old.toString(), "--out", c.toString(), "--steps", "2");
        assertEquals(2, Files.readAllLines(c.resolve("metrics.jsonl")).size());
        assertEquals(before, snapshot(a));
    }

    @Test
    void staleTemporaryFilesOfAKilledWriteAreRemovedOnResume() throws Exception {
        Path a = dir.resolve("a");
        copyTree(runA, a);
        List<Path> stale = List.of(a.resolve("checkpoints/.step-0000004.safetensors.8613519.tmp"),
                a.resolve("checkpoints/.latest.tmp"), a.resolve("config.json.tmp"), a.resolve(".samples.png.tmp"),
                a.resolve("samples/.step-0000004.png.tmp"));
        for (Path p : stale) {
            Files.createDirectories(p.getParent());
            Files.write(p, new byte[] {1, 2, 3});
        }
        Path mine = Files.writeString(a.resolve("notes.tmp"), "not written by train-dm");
        Path sampling = Files.writeString(a.resolve("samples/.ddim-50-seed0.png.tmp"), "a sample command's, running");
        CliRunner.Result r = ok("train-dm", "--resume", a.toString(), "--steps", "4");
        assertTrue(r.out().contains("removed 5 temporary files of an interrupted write"), r.out());
        for (Path p : stale) {
            assertFalse(Files.exists(p), p + " is removed");
        }
        assertTrue(Files.exists(mine) && Files.exists(sampling), "other files are left alone");
        assertTrue(Files.isRegularFile(a.resolve("checkpoints/step-0000004.safetensors")));
    }

    @Test
    void aLooseCheckpointIsNeverContinuedBesideItself() throws Exception {
        Path loose = Files.createDirectories(dir.resolve("downloads"));
        Path file = Files.copy(TrainingCheckpoints.resolve(runA), loose.resolve("model.safetensors"));
        Files.writeString(loose.resolve("config.json"), "{\"someone else's\": 1}\n");
        Map<String, String> before = snapshot(loose);

        String line = refused(2, CliRunner.run("train-dm", "--resume", file.toString(), "--steps", "5"));
        assertTrue(line.contains("is not in a run folder's checkpoints/"), line);
        assertTrue(line.contains("give --out <new folder>"), line);
        Path c = dir.resolve("c");
        line = refused(2, CliRunner.run("train-dm", "--resume", file.toString(), "--out", c.toString(), "--steps", "2"));
        assertTrue(line.contains("has already done 3 of its 2 steps"), line);
        assertEquals(before, snapshot(loose), "a failed resume writes nothing beside the file");
        assertFalse(Files.exists(c), "nor creates --out");

        ok("train-dm", "--resume", file.toString(), "--out", c.toString(), "--steps", "4");
        assertEquals(before, snapshot(loose));
        assertEquals(List.of(c.resolve("checkpoints/step-0000003.safetensors"),
                c.resolve("checkpoints/step-0000004.safetensors")), TrainingCheckpoints.list(c.resolve("checkpoints")));
        assertEquals(8, RunFolder.json().readTree(c.resolve("config.json").toFile()).get("model").get("baseChannels")
                .asInt(), "config.json written from the checkpoint");
    }

    @Test
    void aFolderBeingWrittenIsRefused() throws Exception {
        Path a = dir.resolve("a");
        copyTree(runA, a);
        Map<String, String> before = snapshot(a);
        try (RunFolder held = RunFolder.lock(a)) {
            String line = refused(2, CliRunner.run("train-dm", "--resume", a.toString(), "--steps", "5"));
            assertTrue(line.contains("run folder " + a + " is being written by another train-dm"), line);
        }
        assertEquals(before, snapshot(a));
    }

    @Test
    void aFailingSampleGridKeepsItsStep() throws Exception {
        Path a = dir.resolve("a");
        copyTree(runA, a);
        // the grid of step 4 cannot be written: a non-empty folder sits where its file goes
        Files.createDirectories(a.resolve("samples/step-0000004.png"));
        Files.writeString(a.resolve("samples/step-0000004.png/keep"), "x");
        String line = refused(1, CliRunner.run("train-dm", "--resume", a.toString(), "--steps", "6",
                "--sample-every", "4", "--checkpoint-every", "100"));
        assertTrue(line.contains("cannot write " + a.resolve("samples/step-0000004.png")), line);
        assertTrue(line.contains("training stopped after step 4, which is saved in checkpoints/step-0000004.safetensors"),
                line);
        assertEquals("step-0000004.safetensors", Files.readString(a.resolve("checkpoints/latest")).strip());
        // and it resumes from there
        ok("train-dm", "--resume", a.toString(), "--steps", "5");
        assertTrue(Files.isRegularFile(a.resolve("checkpoints/step-0000005.safetensors")));
    }

    static void copyTree(Path from, Path to) throws Exception {
        try (Stream<Path> s = Files.walk(from)) {
            for (Path p : s.toList()) {
                Path t = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(t);
                } else if (!p.getFileName().toString().equals(RunFolder.LOCK)) {
                    Files.copy(p, t);
                }
            }
        }
    }
}

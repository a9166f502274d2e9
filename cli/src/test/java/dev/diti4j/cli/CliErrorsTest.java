package dev.diti4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.diti4j.core.Device;
import dev.diti4j.core.backend.Backends;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every bad command line gives exactly one line on standard error and the right exit code. */
class CliErrorsTest {
    @TempDir
    Path dir;

    private static void assertOneLine(CliRunner.Result r, int code, String... fragments) {
        List<String> lines = r.errLines();
        assertEquals(code, r.code(), "exit code; stderr: " + r.err());
        assertEquals(1, lines.size(), "exactly one line on stderr, got: " + r.err());
        String line = lines.getFirst();
        assertTrue(line.startsWith("diti4j"), line);
        for (String f : fragments) {
            assertTrue(line.contains(f), "expected '" + f + "' in: " + line);
        }
        assertTrue(!line.contains("Exception") && !line.contains("\tat "), "no exception names or traces: " + line);
    }

    @Test
    void unknownOptionAndMalformedValues() {
        assertOneLine(CliRunner.run("train-dm", "--frobnicate"), 2, "diti4j train-dm: Unknown option: '--frobnicate'",
                "--help");
        assertOneLine(CliRunner.run("train-dm", "--steps", "many"), 2, "--steps", "many");
        assertOneLine(CliRunner.run("train-dm", "--steps", "0"), 2, "--steps must be at least 1, got 0");
        assertOneLine(CliRunner.run("train-dm", "--weights", "heavy"), 2, "--weights", "heavy");
        assertOneLine(CliRunner.run("train-dm", "--mult", "1,x,2"), 2, "--mult expects positive integers", "1,x,2");
        assertOneLine(CliRunner.run("train-dm", "--minutes", "-3"), 2, "--minutes must be a positive number");
        assertOneLine(CliRunner.run("nonsense"), 2, "Unmatched argument");
        assertOneLine(CliRunner.run("sample"), 2, "Missing required option", "--run");
    }

    @Test
    void optionsThatDoNotFitTheDataOrModel() {
        assertOneLine(CliRunner.run("train-dm", "--dataset", "mnist", "--out", dir.toString()), 2,
                "unknown data set 'mnist': use shapes, fashion-mnist or folder:<path>");
        assertOneLine(CliRunner.run("train-dm", "--image-size", "20", "--out", dir.toString()), 2,
                "synthetic shapes are rendered at 16, 32 or 64 px, not 20");
        assertOneLine(CliRunner.run("train-dm", "--preset", "huge", "--out", dir.toString()), 2,
                "unknown model preset 'huge'");
        assertOneLine(CliRunner.run("train-dm", "--preset", "small", "--groups", "7", "--out", dir.toString()), 2,
                "not divisible by groups 7");
        assertOneLine(CliRunner.run("train-dm", "--image-size", "16", "--preset", "shapes32", "--attention-ds", "16",
                "--out", dir.toString()), 2, "attention at down-sampling factor 16 is never reached");
    }

    @Test
    void missingFiles() {
        Path nowhere = dir.resolve("nowhere");
        assertOneLine(CliRunner.run("train-dm", "--dataset", "fashion-mnist", "--data-dir", nowhere.toString(), "--out",
                dir.resolve("run").toString()), 2, "Fashion-MNIST file train-images-idx3-ubyte.gz", "is missing from",
                "apt-get install dataset-fashion-mnist");
        assertOneLine(CliRunner.run("train-dm", "--dataset", "folder:" + nowhere, "--out", dir.resolve("run").toString()),
                2, "image folder " + nowhere + " does not exist");
        assertOneLine(CliRunner.run("train-dm", "--dataset", "folder:" + dir, "--attributes", nowhere.toString(),
                "--out", dir.resolve("run").toString()), 2, "--attributes " + nowhere + ": no such file");
        assertOneLine(CliRunner.run("sample", "--run", nowhere.toString()), 2, "--run " + nowhere
                + ": no such file or folder");
        assertOneLine(CliRunner.run("eval-samples", "--run", nowhere.toString()), 2, "no such file or folder");
        assertOneLine(CliRunner.run("train-dm", "--resume", nowhere.toString()), 2, "nothing to resume at " + nowhere);
        assertOneLine(CliRunner.run("sample", "--run", dir.toString()), 2, "holds no checkpoint");
        assertOneLine(CliRunner.run("train-dm", "--resume", dir.toString()), 2, "holds no checkpoint");
    }

    @Test
    void corruptCheckpoints() throws Exception {
        Path garbage = dir.resolve("garbage.safetensors");
        Files.write(garbage, new byte[] {1, 2, 3});
        assertOneLine(CliRunner.run("sample", "--run", garbage.toString()), 2, "checkpoint " + garbage,
                "the file is truncated");
        Path badHeader = dir.resolve("bad.safetensors");
        byte[] b = new byte[24];
        b[0] = 16;   // header of 16 bytes that is not JSON
        for (int i = 8; i < 24; i++) {
            b[i] = 'x';
        }
        Files.write(badHeader, b);
        assertOneLine(CliRunner.run("train-dm", "--resume", badHeader.toString()), 2, "checkpoint " + badHeader,
                "header");
        assertOneLine(CliRunner.run("eval-samples", "--run", badHeader.toString()), 2, "checkpoint " + badHeader);
        assertEquals(List.of("bad.safetensors", "garbage.safetensors"), list(dir), "nothing written beside them");
    }

    /**
     * Options whose failure would only show later (at the first sample grid, after hours of training,
     * or as a silent change of meaning) are refused at start, and the run folder is not created.
     */
    @Test
    void trainDmValuesOutOfRangeAreRefusedAtStart() {
        Path out = dir.resolve("run");
        String[][] cases = {
            {"--sample-steps 5000", "--sample-steps must be between 1 and the schedule's 1000 steps, got 5000"},
            {"--image-size 0", "--image-size must be between 1 and 1024, got 0"},
            {"--image-size -16", "--image-size must be between 1 and 1024, got -16"},
            {"--dataset folder:" + dir.resolve("pics") + " --image-size 100000", "--image-size must be between 1 and 1024"},
            {"--dataset folder:" + dir.resolve("pics") + " --image-size 1024",
                "attention at down-sampling factor 2 compares 262,144 positions"},
            {"--sample-count 100000000", "--sample-count must be between 1 and 10000, got 100000000"},
            {"--sample-count 0", "--sample-count must be at least 1, got 0"},
            {"--minutes 1e-9", "--minutes must be between 0.01 (0.6 s) and 1000000, got 1.0E-9"},
            {"--minutes 1e300", "--minutes must be between 0.01"},
            {"--minutes NaN", "--minutes must be a positive number"},
            {"--base 100000", "--base must be between 2 and 4096, got 100000"},
            {"--base 7", "baseChannels must be even"},
            {"--mult 1,2,100", "--mult must be between 1 and 16, got 100"},
            {"--res-blocks 0", "--res-blocks must be between 1 and 32, got 0"},
            {"--heads 0", "--heads must be between 1 and 1024, got 0"},
            {"--groups 0", "--groups must be between 1 and 1024, got 0"},
            {"--dropout 1", "dropout must be in [0, 1), got 1.0"},
            {"--dropout NaN", "dropout must be in [0, 1), got NaN"},
            {"--batch 0", "--batch must be at least 1, got 0"},
            {"--batch 60000", "has 50000 images, fewer than one batch of 60000"},
            {"--lr 0", "learning rate must be finite and > 0, got 0.0"},
            {"--lr NaN", "learning rate must be finite and > 0, got NaN"},
            {"--clip -1", "max gradient norm must be >= 0"},
            {"--ema 1", "EMA decay must be in [0, 1), got 1.0"},
            {"--warmup -1", "--warmup must be 0 or more, got -1"},
            {"--keep-checkpoints -1", "--keep-checkpoints must be 0 or more, got -1"},
            {"--checkpoint-every -1", "--checkpoint-every must be 0 or more, got -1"},
            {"--sample-every -1", "--sample-every must be 0 or more, got -1"},
            {"--steps -5", "--steps must be at least 1, got -5"},
            {"--data-dir " + dir, "--data-dir only goes with fashion-mnist"},
        };
        for (String[] c : cases) {
            List<String> args = new java.util.ArrayList<>(List.of("train-dm", "--preset", "tiny", "--image-size", "16",
                    "--out", out.toString()));
            List<String> extra = List.of(c[0].split(" "));
            if (extra.contains("--image-size")) {
                args.subList(3, 5).clear();
            }
            args.addAll(extra);
            assertOneLine(CliRunner.run(args.toArray(String[]::new)), 2, c[1]);
            assertTrue(!Files.exists(out), c[0] + ": nothing is written");
        }
    }

    @Test
    void otherCommandsRefuseValuesOutOfRangeAtStart() {
        Path nowhere = dir.resolve("nowhere");
        assertOneLine(CliRunner.run("sample", "--run", nowhere.toString(), "--count", "100000000"), 2,
                "--count must be between 1 and 10000, got 100000000");
        assertOneLine(CliRunner.run("sample", "--run", nowhere.toString(), "--count", "0"), 2,
                "--count must be between 1 and 10000, got 0");
        assertOneLine(CliRunner.run("sample", "--run", nowhere.toString(), "--cols", "0"), 2,
                "--cols must be at least 1, got 0");
        assertOneLine(CliRunner.run("sample", "--run", nowhere.toString(), "--steps", "0"), 2,
                "--steps must be at least 1, got 0");
        assertOneLine(CliRunner.run("sample", "--run", nowhere.toString(), "--out", dir.toString()), 2,
                "--out " + dir + " is a folder");
        assertOneLine(CliRunner.run("eval-samples", "--run", nowhere.toString(), "--count", "100000000"), 2,
                "--count must be between 1 and 10000");
        assertOneLine(CliRunner.run("eval-samples", "--run", nowhere.toString(), "--classifier-steps", "0"), 2,
                "--classifier-steps must be at least 1");
        Path out = dir.resolve("demo");
        assertOneLine(CliRunner.run("demo", "--pairs", "100000000", "--out", out.toString()), 2,
                "--pairs must be between 4 and 1000, got 100000000");
        assertOneLine(CliRunner.run("demo", "--dm", nowhere.toString(), "--from-scratch", "--out", out.toString()), 2,
                "--dm and --from-scratch exclude each other");
        assertOneLine(CliRunner.run("demo", "--dm", nowhere.toString(), "--out", out.toString()), 2,
                "no such file or folder");
        assertOneLine(CliRunner.run("demo", "--lr", "-1", "--out", out.toString()), 2, "--lr must be a positive number");
        assertOneLine(CliRunner.run("demo", "--steps", "0", "--out", out.toString()), 2, "--steps must be at least 1");
        assertTrue(!Files.exists(out));
    }

    private static List<String> list(Path d) throws java.io.IOException {
        try (var s = Files.list(d)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void unavailableDevice() {
        assumeTrue(Backends.unavailableReason(Device.cuda(0)) != null, "a CUDA device is present here");
        assertOneLine(CliRunner.run("train-dm", "--device", "cuda", "--out", dir.toString()), 2,
                "--device cuda is not available here");
        assertOneLine(CliRunner.run("sample", "--run", dir.toString(), "--device", "tpu"), 2, "unknown device 'tpu'");
    }
}

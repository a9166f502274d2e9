package dev.diti4j.diti.cli;

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
        assertTrue(line.startsWith("diti"), line);
        for (String f : fragments) {
            assertTrue(line.contains(f), "expected '" + f + "' in: " + line);
        }
        assertTrue(!line.contains("Exception") && !line.contains("\tat "), "no exception names or traces: " + line);
    }

    @Test
    void unknownOptionAndMalformedValues() {
        assertOneLine(CliRunner.run("train-dm", "--frobnicate"), 2, "diti train-dm: Unknown option: '--frobnicate'",
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
        assertOneLine(CliRunner.run("sample", "--run", dir.toString()), 1, "holds no checkpoint");
    }

    @Test
    void corruptCheckpoints() throws Exception {
        Path garbage = dir.resolve("garbage.safetensors");
        Files.write(garbage, new byte[] {1, 2, 3});
        assertOneLine(CliRunner.run("sample", "--run", garbage.toString()), 1, "checkpoint " + garbage,
                "the file is truncated");
        Path badHeader = dir.resolve("bad.safetensors");
        byte[] b = new byte[24];
        b[0] = 16;   // header of 16 bytes that is not JSON
        for (int i = 8; i < 24; i++) {
            b[i] = 'x';
        }
        Files.write(badHeader, b);
        assertOneLine(CliRunner.run("train-dm", "--resume", badHeader.toString()), 1, "checkpoint " + badHeader,
                "header");
        assertOneLine(CliRunner.run("eval-samples", "--run", badHeader.toString()), 1, "checkpoint " + badHeader);
    }

    @Test
    void unavailableDevice() {
        assumeTrue(Backends.unavailableReason(Device.cuda(0)) != null, "a CUDA device is present here");
        assertOneLine(CliRunner.run("train-dm", "--device", "cuda", "--out", dir.toString()), 2,
                "--device cuda is not available here");
        assertOneLine(CliRunner.run("sample", "--run", dir.toString(), "--device", "tpu"), 2, "unknown device 'tpu'");
    }
}

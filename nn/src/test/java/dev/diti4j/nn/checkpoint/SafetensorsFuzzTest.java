package dev.diti4j.nn.checkpoint;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.diti4j.nn.fuzz.ParserContract;
import dev.diti4j.nn.fuzz.SeededMutationFuzzer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Fuzzes the safetensors reader (and the checkpoint's metadata accessors on what it accepts): any
 * file ends in a {@link CheckpointException} with a one-line message, never another exception, and
 * no header makes the reader allocate more than the file holds. {@code fuzz} takes the whole file;
 * {@code fuzzHeader} takes the header text and the data separated by one zero byte and frames them
 * with the right length field, so that mutations reach the JSON and the offsets.
 */
class SafetensorsFuzzTest {
    /** The header, its decoded text and the JSON values, the floats: a few times the file, plus slack. */
    private static final ParserContract CONTRACT = new ParserContract("Safetensors.read", CheckpointException.class,
            n -> 64 * n + (32L << 20));
    private static final List<String> DICTIONARY = List.of("\"dtype\"", "\"F32\"", "\"BF16\"", "\"shape\"",
            "\"data_offsets\"", "\"__metadata__\"", "\"step\"", "\"rng.data\"", "\"format\"", "[0,4]", "[]", "{}",
            "2147483647", "4294967296", "-1", "1e400", "\\u0000", "\\n", "\"", ",", ":");
    private static Path file;

    private static synchronized Path file() {
        try {
            if (file == null) {
                file = Files.createTempFile("diti-fuzz-", ".safetensors");
                file.toFile().deleteOnExit();
            }
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void check(byte[] bytes) {
        Path p = file();
        try {
            Files.write(p, bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        CONTRACT.check(bytes, bytes.length, () -> {
            SafetensorsFile f = Safetensors.read(p);
            for (String name : f.names()) {
                if (f.data(name).length != f.shape(name).numel()) {
                    throw new AssertionError("tensor " + name + " has " + f.data(name).length + " values for shape "
                            + f.shape(name));
                }
            }
            Checkpoint c = Checkpoint.read(p);
            for (String key : c.metadata().keySet()) {
                if (key.equals("step")) {
                    c.step();
                } else if (key.startsWith("rng.")) {
                    c.rng(key.substring(4));
                }
            }
        });
    }

    /** The header text before the first zero byte, the tensor data after it, framed as a file. */
    static byte[] frame(byte[] headerAndData) {
        int split = 0;
        while (split < headerAndData.length && headerAndData[split] != 0) {
            split++;
        }
        int dataFrom = Math.min(split + 1, headerAndData.length);
        return ByteBuffer.allocate(8 + split + headerAndData.length - dataFrom).order(ByteOrder.LITTLE_ENDIAN)
                .putLong(split).put(headerAndData, 0, split).put(headerAndData, dataFrom, headerAndData.length - dataFrom)
                .array();
    }

    @FuzzTest(maxDuration = "5m")
    void fuzz(byte[] bytes) {
        check(bytes);
    }

    @FuzzTest(maxDuration = "5m")
    void fuzzHeader(byte[] headerAndData) {
        check(frame(headerAndData));
    }

    @Test
    void seededMutationsOfWholeFiles() {
        new SeededMutationFuzzer(SeededMutationFuzzer.DEFAULT_SEED, SeededMutationFuzzer.inputs(getClass(), "fuzz"),
                DICTIONARY).run("safetensors", 8000, SafetensorsFuzzTest::check);
    }

    @Test
    void seededMutationsOfHeaders() {
        new SeededMutationFuzzer(SeededMutationFuzzer.DEFAULT_SEED, SeededMutationFuzzer.inputs(getClass(), "fuzzHeader"),
                DICTIONARY).run("safetensors-header", 12000, b -> check(frame(b)));
    }
}

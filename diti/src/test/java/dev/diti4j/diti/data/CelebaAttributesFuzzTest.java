package dev.diti4j.diti.data;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.diti4j.nn.fuzz.ParserContract;
import dev.diti4j.nn.fuzz.SeededMutationFuzzer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Fuzzes the CelebA attribute-file parser: any file ends in a {@link DatasetException} with a
 * one-line message; what parses gives each listed image one 0/1 label per attribute.
 */
class CelebaAttributesFuzzTest {
    private static final ParserContract CONTRACT = new ParserContract("CelebaAttributes.read", DatasetException.class,
            n -> 200 * n + (32L << 20));
    private static final List<String> DICTIONARY = List.of(" ", "  ", "\t", "\n", "\r\n", "-1", "1", "0", "000001.jpg",
            "Smiling", "\u00a0", "\u0085", "\u2028", "\u001c", "\u00ff");
    private static Path file;

    private static synchronized Path file() {
        try {
            if (file == null) {
                file = Files.createTempFile("diti-fuzz-", "-list_attr_celeba.txt");
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
            CelebaAttributes a = CelebaAttributes.read(p);
            if (a.names().isEmpty()
                    || a.names().stream().anyMatch(n -> n.isEmpty() || n.chars().anyMatch(Character::isISOControl))) {
                throw new AssertionError("accepted attribute names " + a.names());
            }
            if (!a.missing(List.of("surely-not-listed.png")).equals(List.of("surely-not-listed.png"))) {
                throw new AssertionError("an unlisted image is reported as listed");
            }
        });
    }

    @FuzzTest(maxDuration = "5m")
    void fuzz(byte[] bytes) {
        check(bytes);
    }

    @Test
    void seededMutations() {
        new SeededMutationFuzzer(SeededMutationFuzzer.DEFAULT_SEED, SeededMutationFuzzer.inputs(getClass(), "fuzz"),
                DICTIONARY).run("celeba-attributes", 15000, CelebaAttributesFuzzTest::check);
    }
}

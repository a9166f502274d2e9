package dev.diti4j.diti.data;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.diti4j.nn.fuzz.ParserContract;
import dev.diti4j.nn.fuzz.SeededMutationFuzzer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Fuzzes the image-folder loader on folders built from fuzzed bytes: opening the folder and
 * reading every image it accepts ends in a {@link DatasetException} with a one-line message, never
 * a decoder's own exception, and no header makes it allocate more pixels than the files can encode.
 *
 * <p>The input is a small container: one byte, the image size (its low six bits, at least 1),
 * then per file a flag byte (bit 0: named {@code .jpg} rather than {@code .png}; bit 1: in a
 * sub-folder), a big-endian u16 length and that many bytes (the last file takes what is left).
 */
class ImageFolderFuzzTest {
    /**
     * A decoded image (4 bytes a pixel), its ARGB copy, the float planes and ImageIO's buffers: about
     * 25 bytes for each pixel the files can encode, plus slack.
     */
    private static final ParserContract CONTRACT = new ParserContract("ImageFolder.open / get", DatasetException.class,
            n -> 25 * ImageFiles.MAX_PIXELS_PER_BYTE * n + (64L << 20));
    private static final int MAX_FILES = 6;
    private static final List<String> DICTIONARY = List.of("IHDR", "IDAT", "IEND", "PLTE", "tRNS", "\u0089PNG\r\n\u001a\n",
            "\u00ff\u00d8\u00ff", "\u00ff\u00c0", "\u00ff\u00c2", "\u00ff\u00c4", "\u00ff\u00da", "\u00ff\u00d9",
            "\u00ff\u00db", "\u00ff\u00dd");
    private static Path root;

    private static synchronized Path root() {
        try {
            if (root == null) {
                root = Files.createTempDirectory("diti-fuzz-folder-");
                root.toFile().deleteOnExit();
            }
            return root;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Writes the container's files into an emptied folder; returns the image size and the bytes written. */
    static long[] unpack(byte[] input, Path folder) throws IOException {
        if (Files.exists(folder)) {
            try (Stream<Path> walk = Files.walk(folder)) {
                for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
        Files.createDirectories(folder.resolve("sub"));
        int size = input.length == 0 ? 1 : Math.max(1, input[0] & 0x3F);
        int at = 1;
        long written = 0;
        for (int i = 0; i < MAX_FILES && at < input.length; i++) {
            int flag = input[at++];
            int len = at + 2 <= input.length ? ((input[at] & 0xFF) << 8) | (input[at + 1] & 0xFF) : input.length;
            at = Math.min(at + 2, input.length);
            len = i == MAX_FILES - 1 ? input.length - at : Math.min(len, input.length - at);
            String name = ((flag & 2) != 0 ? "sub/" : "") + "image" + i + ((flag & 1) != 0 ? ".jpg" : ".png");
            Files.write(folder.resolve(name), Arrays.copyOfRange(input, at, at + len));
            written += len;
            at += len;
        }
        return new long[] {size, written};
    }

    static void check(byte[] input) {
        Path folder = root().resolve("images");
        long[] unpacked;
        try {
            unpacked = unpack(input, folder);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        int size = (int) unpacked[0];
        CONTRACT.check(input, unpacked[1], () -> {
            ImageFolder f = ImageFolder.open(folder, size);
            for (int i = 0; i < f.size(); i++) {
                float[] px = f.get(i).pixels();
                if (px.length != 3 * size * size) {
                    throw new AssertionError("image " + i + " has " + px.length + " values at " + size + " px");
                }
            }
        });
    }

    @FuzzTest(maxDuration = "5m")
    void fuzz(byte[] input) {
        check(input);
    }

    @Test
    void seededMutations() {
        new SeededMutationFuzzer(SeededMutationFuzzer.DEFAULT_SEED, SeededMutationFuzzer.inputs(getClass(), "fuzz"),
                DICTIONARY).run("image-folder", 3000, ImageFolderFuzzTest::check);
    }
}

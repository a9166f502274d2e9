package dev.diti4j.diti.data;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.diti4j.nn.fuzz.ParserContract;
import dev.diti4j.nn.fuzz.SeededMutationFuzzer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;

/**
 * Fuzzes the IDX reader and Fashion-MNIST on what it accepts: any file ends in a
 * {@link DatasetException} with a one-line message, and no header makes the reader allocate more
 * than the file can hold (for gzip, its length times deflate's largest ratio). {@code fuzz} takes
 * the file as it is (raw or gzip); {@code fuzzDecompressed} gzips its input first, so that
 * mutations of the IDX header get past the CRC check.
 */
class IdxFileFuzzTest {
    /** Values plus the growing buffer's copies: a few times the data the file can hold, plus slack. */
    private static final ParserContract CONTRACT = new ParserContract("IdxFile.read / FashionMnist.load",
            DatasetException.class, n -> 4 * 1032 * n + (32L << 20));
    private static final List<String> DICTIONARY = List.of("\u0000\u0000\u0008\u0003", "\u0000\u0000\u0008\u0001",
            "\u0000\u0000\u0000\u001c", "\u001f\u008b");
    private static Path folder;

    private static synchronized Path folder() {
        try {
            if (folder == null) {
                folder = Files.createTempDirectory("diti-fuzz-idx-");
                folder.toFile().deleteOnExit();
            }
            return folder;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void check(byte[] fileBytes) {
        Path dir = folder();
        Path images = dir.resolve("train-images-idx3-ubyte");
        Path labels = dir.resolve("train-labels-idx1-ubyte");
        try {
            Files.write(images, fileBytes);
            Files.deleteIfExists(labels);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        CONTRACT.check(fileBytes, fileBytes.length, () -> {
            IdxFile f = IdxFile.read(images);
            long count = 1;
            for (int d : f.dims()) {
                count *= d;
            }
            if (count != f.data().length) {
                throw new AssertionError(f + " holds " + f.data().length + " values");
            }
            if (f.dims().length == 3 && f.dims()[0] <= 4096) {
                // labels to match, then the data set must load (or refuse) and serve every image it accepts
                Files.write(labels, FashionMnistTest.idx(new int[] {f.dims()[0]}, new byte[f.dims()[0]]));
                for (boolean pad : new boolean[] {true, false}) {
                    FashionMnist fm = FashionMnist.load(dir, FashionMnist.Split.TRAIN, pad);
                    for (int i = 0; i < Math.min(fm.size(), 3); i++) {
                        fm.get(i);
                    }
                }
            }
        });
    }

    static byte[] gzip(byte[] raw) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (OutputStream gz = new GZIPOutputStream(out)) {
            gz.write(raw);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    @FuzzTest(maxDuration = "5m")
    void fuzz(byte[] fileBytes) {
        check(fileBytes);
    }

    @FuzzTest(maxDuration = "5m")
    void fuzzDecompressed(byte[] idx) {
        check(gzip(idx));
    }

    @Test
    void seededMutationsOfFiles() {
        new SeededMutationFuzzer(SeededMutationFuzzer.DEFAULT_SEED, SeededMutationFuzzer.inputs(getClass(), "fuzz"),
                DICTIONARY).run("idx", 15000, IdxFileFuzzTest::check);
    }

    @Test
    void seededMutationsOfDecompressedContents() {
        new SeededMutationFuzzer(SeededMutationFuzzer.DEFAULT_SEED,
                SeededMutationFuzzer.inputs(getClass(), "fuzzDecompressed"), DICTIONARY)
                .run("idx-gz", 10000, b -> check(gzip(b)));
    }
}

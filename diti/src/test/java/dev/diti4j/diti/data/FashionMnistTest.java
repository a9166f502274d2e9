package dev.diti4j.diti.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FashionMnistTest {
    @TempDir
    Path dir;

    /** An IDX file of unsigned bytes with the given dimensions and values. */
    static byte[] idx(int[] dims, byte[] data) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(0);
        out.write(0);
        out.write(0x08);
        out.write(dims.length);
        for (int d : dims) {
            out.write(d >>> 24);
            out.write(d >>> 16);
            out.write(d >>> 8);
            out.write(d);
        }
        out.writeBytes(data);
        return out.toByteArray();
    }

    static byte[] gzip(byte[] raw) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (OutputStream gz = new GZIPOutputStream(bytes)) {
            gz.write(raw);
        }
        return bytes.toByteArray();
    }

    /** Three 28x28 images: image i has value 40*i + (y*28+x) % 7 at (y, x); labels 9, 0, 4. */
    private void writeSplit(String prefix, boolean compress) throws IOException {
        byte[] pixels = new byte[3 * 28 * 28];
        for (int i = 0; i < 3; i++) {
            for (int p = 0; p < 784; p++) {
                pixels[i * 784 + p] = (byte) (40 * i + p % 7);
            }
        }
        pixels[2 * 784 + 27] = (byte) 255;   // image 2, row 0, column 27
        byte[] images = idx(new int[] {3, 28, 28}, pixels);
        byte[] labels = idx(new int[] {3}, new byte[] {9, 0, 4});
        String ext = compress ? ".gz" : "";
        Files.write(dir.resolve(prefix + "-images-idx3-ubyte" + ext), compress ? gzip(images) : images);
        Files.write(dir.resolve(prefix + "-labels-idx1-ubyte" + ext), compress ? gzip(labels) : labels);
    }

    @Test
    void idxReaderReadsRawAndGzip() throws IOException {
        byte[] data = {1, 2, 3, 4, 5, (byte) 200};
        Path raw = dir.resolve("a.idx");
        Path gz = dir.resolve("b.idx");
        Files.write(raw, idx(new int[] {2, 3}, data));
        Files.write(gz, gzip(idx(new int[] {2, 3}, data)));
        IdxFile a = IdxFile.read(raw);
        IdxFile b = IdxFile.read(gz);
        assertArrayEquals(new int[] {2, 3}, a.dims());
        assertArrayEquals(data, a.data());
        assertEquals(a, b);
        assertEquals(200, b.data()[5] & 0xFF);
    }

    @Test
    void idxReaderRejectsBadFilesClearly() throws IOException {
        Path bad = dir.resolve("bad.idx");
        Files.write(bad, new byte[] {0x50, 0x4b, 0x03, 0x04, 0, 0, 0, 0});
        DatasetException e = assertThrows(DatasetException.class, () -> IdxFile.read(bad));
        assertEquals(bad + " is not an IDX file: bad magic 50 4b 03 04 (expected 00 00 08 <rank>)", e.getMessage());

        Path floats = dir.resolve("floats.idx");
        Files.write(floats, new byte[] {0, 0, 0x0D, 1, 0, 0, 0, 1, 0, 0, 0, 0});
        e = assertThrows(DatasetException.class, () -> IdxFile.read(floats));
        assertTrue(e.getMessage().contains("element type 0x0d"), e.getMessage());

        Path truncated = dir.resolve("trunc.idx");
        byte[] full = idx(new int[] {10, 28, 28}, new byte[10 * 784]);
        Files.write(truncated, Arrays.copyOf(full, 16 + 1000));
        e = assertThrows(DatasetException.class, () -> IdxFile.read(truncated));
        assertEquals("IDX file " + truncated + " is truncated: its header declares 10x28x28 = 7840 values but only"
                + " 1000 are present", e.getMessage());

        Path truncatedGz = dir.resolve("trunc.idx.gz");
        byte[] gz = gzip(full);
        Files.write(truncatedGz, Arrays.copyOf(gz, gz.length / 2));
        e = assertThrows(DatasetException.class, () -> IdxFile.read(truncatedGz));
        assertTrue(e.getMessage().contains("truncated"), e.getMessage());

        Path header = dir.resolve("header.idx");
        Files.write(header, new byte[] {0, 0, 8, 3, 0, 0});
        e = assertThrows(DatasetException.class, () -> IdxFile.read(header));
        assertEquals("IDX file " + header + " is truncated inside its header", e.getMessage());

        e = assertThrows(DatasetException.class, () -> IdxFile.read(dir.resolve("none.idx")));
        assertTrue(e.getMessage().endsWith("none.idx does not exist"), e.getMessage());
    }

    @Test
    void loadsPaddedScaledImagesWithClassNames() throws IOException {
        writeSplit("train", true);
        writeSplit("t10k", false);
        for (FashionMnist.Split split : FashionMnist.Split.values()) {
            FashionMnist fm = FashionMnist.load(dir, split, true);
            assertEquals(3, fm.size());
            assertEquals(1, fm.channels());
            assertEquals(32, fm.height());
            assertEquals(32, fm.width());
            assertEquals("class", fm.labels().getFirst().name());
            assertEquals("Ankle boot", fm.labels().getFirst().values().get(fm.get(0).labels()[0]));
            assertEquals("T-shirt/top", fm.labels().getFirst().values().get(fm.get(1).labels()[0]));
            float[] img = fm.get(2).pixels();
            assertEquals(1024, img.length);
            assertEquals(-1f, img[0], 0f, "padding is black");
            assertEquals(-1f, img[31 * 32 + 31], 0f, "padding is black");
            assertEquals(80 / 127.5f - 1f, img[2 * 32 + 2], 1e-6f, "source (0,0) lands at (2,2)");
            assertEquals(1f, img[2 * 32 + 29], 0f, "255 maps to 1");
            assertEquals((80 + 29 % 7) / 127.5f - 1f, img[3 * 32 + 3], 1e-6f, "source (1,1)");
        }
        FashionMnist raw = FashionMnist.load(dir, FashionMnist.Split.TRAIN, false);
        assertEquals(28, raw.height());
        assertEquals(80 / 127.5f - 1f, raw.get(2).pixels()[0], 1e-6f);
    }

    @Test
    void missingFilesSayHowToGetThem() {
        DatasetException e = assertThrows(DatasetException.class,
                () -> FashionMnist.load(dir, FashionMnist.Split.TRAIN, true));
        assertTrue(e.getMessage().startsWith("Fashion-MNIST file train-images-idx3-ubyte.gz (or train-images-idx3-ubyte)"
                + " is missing from " + dir), e.getMessage());
        assertTrue(e.getMessage().contains("sudo apt-get install dataset-fashion-mnist"), e.getMessage());
        assertTrue(e.getMessage().contains(FashionMnist.DOWNLOAD_URL), e.getMessage());
    }

    @Test
    void mismatchedFilesAreRejected() throws IOException {
        Files.write(dir.resolve("train-images-idx3-ubyte"), idx(new int[] {2, 28, 28}, new byte[2 * 784]));
        Files.write(dir.resolve("train-labels-idx1-ubyte"), idx(new int[] {3}, new byte[] {1, 2, 3}));
        DatasetException e = assertThrows(DatasetException.class,
                () -> FashionMnist.load(dir, FashionMnist.Split.TRAIN, true));
        assertTrue(e.getMessage().contains("has 2 images but label file"), e.getMessage());
        Files.write(dir.resolve("train-labels-idx1-ubyte"), idx(new int[] {2}, new byte[] {1, 12}));
        e = assertThrows(DatasetException.class, () -> FashionMnist.load(dir, FashionMnist.Split.TRAIN, true));
        assertTrue(e.getMessage().contains("has class 12 at row 1; expected 0 to 9"), e.getMessage());
    }

    @Test
    void aGzipFileWithABadChecksumOrLengthIsRefused() throws IOException {
        byte[] gz = gzip(idx(new int[] {2, 3}, new byte[] {1, 2, 3, 4, 5, 6}));
        Path good = dir.resolve("good.idx.gz");
        Files.write(good, gz);
        assertEquals(6, IdxFile.read(good).data().length);
        // The gzip trailer is CRC-32 then the length, little-endian, in the last 8 bytes.
        for (int at : new int[] {gz.length - 8, gz.length - 4}) {
            byte[] bad = gz.clone();
            bad[at] ^= 0x01;
            Path p = dir.resolve("bad-" + at + ".idx.gz");
            Files.write(p, bad);
            DatasetException e = assertThrows(DatasetException.class, () -> IdxFile.read(p));
            assertEquals("IDX file " + p + " is corrupt: its gzip trailer (CRC-32 and length) does not match the"
                    + " decompressed data; download it again", e.getMessage());
        }
        // A flipped bit inside the compressed data: the inflater or the CRC-32 catches it, never a silent success.
        for (int at = 10; at < gz.length - 8; at++) {
            byte[] bad = gz.clone();
            bad[at] ^= 0x10;
            Path p = dir.resolve("flip.idx.gz");
            Files.write(p, bad);
            IdxFile f;
            try {
                f = IdxFile.read(p);
            } catch (DatasetException e) {
                continue;
            }
            throw new AssertionError("a bit flip at byte " + at + " was accepted as " + f);
        }
    }

    @Test
    void dimensionsThatOverflowAreRefusedBeforeAnythingIsAllocated() throws IOException {
        // 2^21 * 2^21 * 2^22 = 2^64: a long product wraps to 0, which used to give an empty array and then
        // "Index 0 out of bounds" on the first image.
        Path wraps = dir.resolve("wraps.idx");
        Files.write(wraps, idx(new int[] {1 << 21, 1 << 21, 1 << 22}, new byte[16]));
        DatasetException e = assertThrows(DatasetException.class, () -> IdxFile.read(wraps));
        assertEquals("IDX file " + wraps + " declares dimensions 2097152x2097152x4194304, which multiply past the"
                + " 2147483639 values one array holds (a corrupt header?)", e.getMessage());
        // A zero dimension does not excuse the others.
        Path zero = dir.resolve("zero.idx");
        Files.write(zero, idx(new int[] {0, 65536, 65536, 65536}, new byte[0]));
        e = assertThrows(DatasetException.class, () -> IdxFile.read(zero));
        assertTrue(e.getMessage().contains("0x65536x65536x65536, which multiply past"), e.getMessage());
        // In range, but more than the file holds: refused from the file length, not after allocating 1.9 GB.
        Path big = dir.resolve("big.idx");
        Files.write(big, idx(new int[] {2_000_000, 28, 28}, new byte[100]));
        e = assertThrows(DatasetException.class, () -> IdxFile.read(big));
        assertEquals("IDX file " + big + " is truncated: its header declares 2000000x28x28 = 1568000000 values but only"
                + " 100 are present", e.getMessage());
        Path bigGz = dir.resolve("big.idx.gz");
        byte[] gz = gzip(idx(new int[] {2_000_000, 28, 28}, new byte[100]));
        Files.write(bigGz, gz);
        e = assertThrows(DatasetException.class, () -> IdxFile.read(bigGz));
        assertEquals("IDX file " + bigGz + " declares 2000000x28x28 = 1568000000 values, more than its " + gz.length
                + " compressed bytes can hold", e.getMessage());
    }

    @Test
    void bytesAfterTheDeclaredValuesAreRefused() throws IOException {
        byte[] full = idx(new int[] {2, 2}, new byte[] {1, 2, 3, 4, 5, 6});
        Path raw = dir.resolve("long.idx");
        Files.write(raw, full);
        DatasetException e = assertThrows(DatasetException.class, () -> IdxFile.read(raw));
        assertEquals("IDX file " + raw + " has 2 bytes after the 2x2 = 4 values its header declares (a different or"
                + " damaged file?)", e.getMessage());
        Path gz = dir.resolve("long.idx.gz");
        Files.write(gz, gzip(full));
        e = assertThrows(DatasetException.class, () -> IdxFile.read(gz));
        assertEquals("IDX file " + gz + " has more data after the 2x2 = 4 values its header declares (a different or"
                + " damaged file?)", e.getMessage());
    }

    @Test
    void imagesThatAreNot28By28AreRefused() throws IOException {
        Files.write(dir.resolve("train-labels-idx1-ubyte"), idx(new int[] {2}, new byte[] {1, 2}));
        Path images = dir.resolve("train-images-idx3-ubyte");
        Files.write(images, idx(new int[] {2, 0, 0}, new byte[0]));
        DatasetException e = assertThrows(DatasetException.class,
                () -> FashionMnist.load(dir, FashionMnist.Split.TRAIN, true));
        assertEquals("image file " + images + " holds 0x0 images; Fashion-MNIST images are 28x28", e.getMessage());
        Files.write(images, idx(new int[] {2, 10, 10}, new byte[200]));
        e = assertThrows(DatasetException.class, () -> FashionMnist.load(dir, FashionMnist.Split.TRAIN, false));
        assertEquals("image file " + images + " holds 10x10 images; Fashion-MNIST images are 28x28", e.getMessage());
    }
}

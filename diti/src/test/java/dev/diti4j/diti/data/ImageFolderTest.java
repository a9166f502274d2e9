package dev.diti4j.diti.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageFolderTest {
    @TempDir
    Path dir;

    /**
     * A w x h PNG whose left half is red and right half blue, with a 1-px green frame on the
     * top and bottom rows only.
     */
    private Path writeImage(String name, int w, int h, String format) throws IOException {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int rgb = x < w / 2 ? 0xFF0000 : 0x0000FF;
                if (y == 0 || y == h - 1) {
                    rgb = 0x00FF00;
                }
                img.setRGB(x, y, rgb);
            }
        }
        Path p = dir.resolve(name);
        Files.createDirectories(p.getParent());
        ImageIO.write(img, format, p.toFile());
        return p;
    }

    private Path writeAttributes(String... lines) throws IOException {
        Path p = dir.resolve("list_attr_celeba.txt");
        Files.writeString(p, String.join("\n", lines) + "\n");
        return p;
    }

    @Test
    void resizesTheCentralSquareAndKeepsColours() throws IOException {
        Path images = dir.resolve("images");
        // 40 x 20: the central 20 x 20 square is columns 10..29, red left and blue right of x = 20.
        writeImage("images/a.png", 40, 20, "png");
        ImageFolder f = ImageFolder.open(images, 10);
        assertEquals(1, f.size());
        assertEquals(3, f.channels());
        assertEquals(10, f.height());
        float[] px = f.get(0).pixels();
        assertEquals(300, px.length);
        // Row 5 (away from the green rows): columns 0..4 red, 5..9 blue; each output pixel averages 2x2.
        int row = 5 * 10;
        assertEquals(1f, px[row], 1e-6f, "red at the left");
        assertEquals(-1f, px[2 * 100 + row], 1e-6f, "no blue at the left");
        assertEquals(1f, px[2 * 100 + row + 9], 1e-6f, "blue at the right");
        assertEquals(-1f, px[row + 9], 1e-6f, "no red at the right");
        // Row 0 averages source rows 0 (green) and 1 (red): half green.
        assertEquals(0f, px[100], 1e-2f, "green averaged over two source rows");
        // A tall image crops rows: 10 x 30 keeps rows 10..19, so no green at all.
        writeImage("images/b.png", 10, 30, "png");
        ImageFolder g = ImageFolder.open(images, 10);
        float[] tall = g.get(1).pixels();
        for (int i = 0; i < 100; i++) {
            assertEquals(-1f, tall[100 + i], 1e-6f, "green channel is empty after the crop, pixel " + i);
        }
        // Images are never up-sampled: at 20 px the 10 x 30 image is refused when the folder is opened.
        DatasetException e = assertThrows(DatasetException.class, () -> ImageFolder.open(images, 20));
        assertEquals("image folder " + images + " has 1 unusable image of 2: b.png (10x30, smaller than the requested"
                + " 20x20); choose an image size of at most its shorter side, or remove it", e.getMessage());
    }

    @Test
    void readsJpegAndOrdersFilesByPath() throws IOException {
        writeImage("imgs/z.jpg", 16, 16, "jpg");
        writeImage("imgs/a.png", 16, 16, "png");
        writeImage("imgs/sub/m.png", 16, 16, "png");
        Files.writeString(dir.resolve("imgs/notes.txt"), "not an image");
        ImageFolder f = ImageFolder.open(dir.resolve("imgs"), 8);
        assertEquals(List.of("a.png", "sub", "z.jpg"),
                f.files().stream().map(p -> dir.resolve("imgs").relativize(p).getName(0).toString()).toList());
        float[] jpeg = f.get(2).pixels();
        assertEquals(1f, jpeg[4 * 8], 0.1f, "JPEG red survives within compression error");
        assertTrue(f.labels().isEmpty());
        assertEquals(0, f.get(0).labels().length);
    }

    @Test
    void attributeFileGivesBinaryLabels() throws IOException {
        writeImage("celeba/000001.jpg", 12, 12, "jpg");
        writeImage("celeba/000002.jpg", 12, 12, "jpg");
        Path attrs = writeAttributes("3", "Smiling Male  Young",
                "000001.jpg  1 -1  1", "000002.jpg -1 -1 -1", "000003.jpg  1  1  1");
        ImageFolder f = ImageFolder.open(dir.resolve("celeba"), 8, attrs);
        assertEquals(List.of("Smiling", "Male", "Young"), f.labelNames());
        assertEquals(List.of("no", "yes"), f.labels().get(1).values());
        assertArrayEquals(new int[] {1, 0, 1}, f.get(0).labels());
        assertArrayEquals(new int[] {0, 0, 0}, f.get(1).labels());
    }

    @Test
    void everyProblemHasAClearError() throws IOException {
        DatasetException e = assertThrows(DatasetException.class, () -> ImageFolder.open(dir.resolve("nope"), 8));
        assertEquals("image folder " + dir.resolve("nope") + " does not exist", e.getMessage());

        Files.createDirectories(dir.resolve("empty"));
        Files.writeString(dir.resolve("empty/readme.txt"), "x");
        e = assertThrows(DatasetException.class, () -> ImageFolder.open(dir.resolve("empty"), 8));
        assertEquals("image folder " + dir.resolve("empty") + " has no .png, .jpg or .jpeg images", e.getMessage());

        writeImage("broken/good.png", 8, 8, "png");
        Files.writeString(dir.resolve("broken/bad.png"), "this is not a PNG");
        e = assertThrows(DatasetException.class, () -> ImageFolder.open(dir.resolve("broken"), 8));
        assertEquals("image folder " + dir.resolve("broken") + " has 1 unusable image of 2: bad.png (not a PNG or JPEG"
                + " image: it starts with 74 68 69 73); remove or replace it", e.getMessage());

        writeImage("celeba/000001.jpg", 8, 8, "jpg");
        writeImage("celeba/000002.jpg", 8, 8, "jpg");
        Path wrongColumns = writeAttributes("2", "Smiling Male", "000001.jpg 1 -1", "000002.jpg 1");
        e = assertThrows(DatasetException.class, () -> ImageFolder.open(dir.resolve("celeba"), 8, wrongColumns));
        assertEquals("attribute file " + wrongColumns + " line 4 has 1 values, expected 2 (one per attribute named on"
                + " line 2)", e.getMessage());

        Path missingRow = writeAttributes("1", "Smiling Male", "000001.jpg 1 -1");
        e = assertThrows(DatasetException.class, () -> ImageFolder.open(dir.resolve("celeba"), 8, missingRow));
        assertEquals("1 of 2 images in " + dir.resolve("celeba") + " are not listed in attribute file " + missingRow
                + ", e.g. 000002.jpg", e.getMessage());

        Path badValue = writeAttributes("2", "Smiling Male", "000001.jpg 1 -1", "000002.jpg 1 yes");
        e = assertThrows(DatasetException.class, () -> ImageFolder.open(dir.resolve("celeba"), 8, badValue));
        assertTrue(e.getMessage().contains("line 4 has value 'yes' for Male; expected -1 or 1"), e.getMessage());

        Path badCount = writeAttributes("5", "Smiling Male", "000001.jpg 1 -1", "000002.jpg 1 1");
        e = assertThrows(DatasetException.class, () -> ImageFolder.open(dir.resolve("celeba"), 8, badCount));
        assertTrue(e.getMessage().contains("declares 5 rows on line 1 but has 2"), e.getMessage());

        e = assertThrows(DatasetException.class,
                () -> ImageFolder.open(dir.resolve("celeba"), 8, dir.resolve("absent.txt")));
        assertEquals("attribute file " + dir.resolve("absent.txt") + " does not exist", e.getMessage());
    }

    /** The first {@code n} bytes of a real PNG of the given size. */
    private byte[] pngBytes(int w, int h) throws IOException {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        ImageIO.write(new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB), "png", out);
        return out.toByteArray();
    }

    @Test
    void everyFileIsCheckedWhenTheFolderIsOpenedAndTheBadOnesAreNamed() throws IOException {
        Path f = dir.resolve("mixed");
        writeImage("mixed/a-good.png", 12, 12, "png");
        Files.write(f.resolve("b-empty.png"), new byte[0]);
        Files.writeString(f.resolve("c-text.jpg"), "GIF89a is not a JPEG");
        byte[] png = pngBytes(12, 12);
        Files.write(f.resolve("d-cut.png"), java.util.Arrays.copyOf(png, 12));   // the signature and half a chunk header
        writeImage("mixed/e-small.png", 6, 9, "png");
        writeImage("mixed/z-good.jpg", 16, 12, "jpg");
        DatasetException e = assertThrows(DatasetException.class, () -> ImageFolder.open(f, 8));
        assertEquals("image folder " + f + " has 4 unusable images of 6: b-empty.png (an empty file (0 bytes));"
                + " c-text.jpg (not a PNG or JPEG image: it starts with 47 49 46 38); d-cut.png (a PNG whose header cannot"
                + " be read (" + headerError(f.resolve("d-cut.png")) + ")); e-small.png (6x9, smaller than the requested"
                + " 8x8); remove or replace them (or, for those too small, choose a smaller image size)", e.getMessage());
        // Without the broken files, 6 px is fine for all.
        for (String n : new String[] {"b-empty.png", "c-text.jpg", "d-cut.png"}) {
            Files.delete(f.resolve(n));
        }
        assertEquals(3, ImageFolder.open(f, 6).size());
        // The content decides the format, not the name: a PNG named .jpg is read as a PNG.
        Files.write(f.resolve("m-png-named.jpg"), png);
        assertEquals(4, ImageFolder.open(f, 6).size());
    }

    /** What ImageIO says about the truncated header (its wording is the JDK's, not ours). */
    private static String headerError(Path file) {
        try {
            ImageFiles.probe(file, 1);
            throw new AssertionError("the truncated PNG was accepted");
        } catch (ImageFiles.Unusable e) {
            String m = e.getMessage();
            return m.substring(m.indexOf('(') + 1, m.length() - 1);
        }
    }

    @Test
    void manyBadFilesAreCountedAfterTheFirstFew() throws IOException {
        Path f = dir.resolve("many");
        writeImage("many/ok.png", 8, 8, "png");
        for (int i = 0; i < 9; i++) {
            Files.write(f.resolve("bad" + i + ".png"), new byte[0]);
        }
        DatasetException e = assertThrows(DatasetException.class, () -> ImageFolder.open(f, 8));
        assertTrue(e.getMessage().startsWith("image folder " + f + " has 9 unusable images of 10: bad0.png (an empty"
                + " file (0 bytes)); bad1.png"), e.getMessage());
        assertTrue(e.getMessage().contains("bad4.png (an empty file (0 bytes)); and 4 more; remove or replace them"),
                e.getMessage());
        assertTrue(!e.getMessage().contains("bad5.png"), e.getMessage());
    }

    @Test
    void imagesSmallerThanTheRequestedSizeAreRefusedNotUpsampled() throws IOException {
        writeImage("small/tiny.png", 10, 10, "png");
        writeImage("small/wide.png", 40, 27, "png");
        DatasetException e = assertThrows(DatasetException.class, () -> ImageFolder.open(dir.resolve("small"), 28));
        assertEquals("image folder " + dir.resolve("small") + " has 2 unusable images of 2: tiny.png (10x10, smaller"
                + " than the requested 28x28); wide.png (40x27, smaller than the requested 28x28); choose an image size"
                + " of at most their shorter sides, or remove them", e.getMessage());
        assertEquals(10, ImageFolder.open(dir.resolve("small"), 10).height());
    }

    @Test
    void aHeaderClaimingMorePixelsThanTheFileCanHoldIsRefused() throws IOException {
        // A valid 1x1 PNG whose IHDR now claims 30000 x 30000: decoding it would allocate gigabytes.
        byte[] png = pngBytes(1, 1);
        java.nio.ByteBuffer.wrap(png, 16, 8).putInt(30000).putInt(30000);
        java.util.zip.CRC32 crc = new java.util.zip.CRC32();
        crc.update(png, 12, 17);
        java.nio.ByteBuffer.wrap(png, 29, 4).putInt((int) crc.getValue());
        Files.createDirectories(dir.resolve("huge"));
        Files.write(dir.resolve("huge/claims.png"), png);
        DatasetException e = assertThrows(DatasetException.class, () -> ImageFolder.open(dir.resolve("huge"), 8));
        assertEquals("image folder " + dir.resolve("huge") + " has 1 unusable image of 1: claims.png (30000x30000"
                + " pixels, more than the 67108864 (8192x8192) this loader decodes); remove or replace it", e.getMessage());
        java.nio.ByteBuffer.wrap(png, 16, 8).putInt(4000).putInt(4000);
        crc.reset();
        crc.update(png, 12, 17);
        java.nio.ByteBuffer.wrap(png, 29, 4).putInt((int) crc.getValue());
        Files.write(dir.resolve("huge/claims.png"), png);
        e = assertThrows(DatasetException.class, () -> ImageFolder.open(dir.resolve("huge"), 8));
        assertTrue(e.getMessage().contains("claims.png (a corrupt PNG header: it claims 4000x4000 pixels, more than a"
                + " file of " + png.length + " bytes can hold)"), e.getMessage());
    }

    @Test
    void aFileDamagedAfterTheCheckIsNamedWhenDrawn() throws IOException {
        writeImage("later/a.png", 8, 8, "png");
        ImageFolder f = ImageFolder.open(dir.resolve("later"), 8);
        Files.write(dir.resolve("later/a.png"), new byte[0]);
        DatasetException e = assertThrows(DatasetException.class, () -> f.get(0));
        assertEquals("cannot decode image " + dir.resolve("later/a.png") + ": an empty file (0 bytes)", e.getMessage());
    }

    @Test
    void theCheckAdvancesTheProgressListenerOncePerFile() throws IOException {
        List<Path> files = new java.util.ArrayList<>();
        for (int i = 0; i < 7; i++) {
            files.add(writeImage("bar/" + i + ".png", 8, 8, "png"));
        }
        java.util.concurrent.atomic.AtomicLong total = new java.util.concurrent.atomic.AtomicLong(-1);
        java.util.concurrent.atomic.AtomicLong done = new java.util.concurrent.atomic.AtomicLong();
        java.util.concurrent.atomic.AtomicInteger finished = new java.util.concurrent.atomic.AtomicInteger();
        ImageFolder.validate(dir.resolve("bar"), files, 8, new ProgressListener() {
            @Override
            public void started(String task, long n) {
                total.set(n);
            }

            @Override
            public void advanced(long units) {
                done.addAndGet(units);
            }

            @Override
            public void finished() {
                finished.incrementAndGet();
            }
        });
        assertEquals(7, total.get());
        assertEquals(7, done.get());
        assertEquals(1, finished.get());
    }

    @Test
    void attributeFileProblemsAreOneLineErrors() throws IOException {
        writeImage("attrs/000001.jpg", 8, 8, "jpg");
        Path twice = writeAttributes("1", "Smiling Male Smiling", "000001.jpg 1 -1 1");
        DatasetException e = assertThrows(DatasetException.class, () -> ImageFolder.open(dir.resolve("attrs"), 8, twice));
        assertEquals("attribute file " + twice + " line 2 names the attribute Smiling twice", e.getMessage());

        // trim() used to drop the NUL, leaving one attribute with an empty name (a fuzzer's find)
        Path nul = writeAttributes("0", "\u0000");
        e = assertThrows(DatasetException.class, () -> ImageFolder.open(dir.resolve("attrs"), 8, nul));
        assertEquals("attribute file " + nul + " line 2 should name the attributes, but \\u0000 holds control"
                + " characters (is it the attribute list?)", e.getMessage());

        Path escaped = writeAttributes("1", "Smiling", "000001.jpg \u001b[2J");
        e = assertThrows(DatasetException.class, () -> ImageFolder.open(dir.resolve("attrs"), 8, escaped));
        assertEquals("attribute file " + escaped + " line 3 has value '\\u001b[2J' for Smiling; expected -1 or 1",
                e.getMessage());

        Path latin1 = dir.resolve("latin1.txt");
        Files.write(latin1, "1\nSmiling\n000001.jpg 1 caf\u00e9\n".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
        e = assertThrows(DatasetException.class, () -> ImageFolder.open(dir.resolve("attrs"), 8, latin1));
        assertEquals("attribute file " + latin1 + " is not UTF-8 text (MalformedInputException); is it the attribute"
                + " list?", e.getMessage());
    }
}

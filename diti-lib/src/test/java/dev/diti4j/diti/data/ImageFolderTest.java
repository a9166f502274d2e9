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
        // Up-sampling to 20 px keeps the halves.
        float[] up = ImageFolder.open(images, 20).get(1).pixels();
        assertEquals(1f, up[10 * 20], 1e-6f);
        assertEquals(1f, up[2 * 400 + 10 * 20 + 19], 1e-6f);
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
        ImageFolder broken = ImageFolder.open(dir.resolve("broken"), 8);
        e = assertThrows(DatasetException.class, () -> broken.get(0));
        assertTrue(e.getMessage().startsWith("cannot decode image " + dir.resolve("broken/bad.png")), e.getMessage());

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
}

package dev.diti4j.diti.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.diti4j.core.Tensor;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageGridTest {
    @TempDir
    Path dir;

    @Test
    void gridWriterLaysOutTilesAndMapsValues() throws IOException {
        // Three 1-channel 2x2 images in 2 columns: a 2-row grid with 2-px gaps.
        float[] v = {-1, -1, -1, -1, 1, 1, 1, 1, 0, 0, 0, 0};
        Path png = dir.resolve("out/grid.png");
        ImageGrid.write(Tensor.of(v, 3, 1, 2, 2), 2, png);
        BufferedImage img = ImageIO.read(png.toFile());
        assertEquals(2 * 2 + 3 * ImageGrid.GAP, img.getWidth());
        assertEquals(2 * 2 + 3 * ImageGrid.GAP, img.getHeight());
        assertEquals(0x000000, img.getRGB(2, 2) & 0xFFFFFF, "first tile black");
        assertEquals(0xFFFFFF, img.getRGB(2 + 2 + 2, 2) & 0xFFFFFF, "second tile white");
        assertEquals(0x808080, img.getRGB(2, 2 + 2 + 2) & 0xFFFFFF, "third tile mid grey");
        assertEquals(0x808080, img.getRGB(0, 0) & 0xFFFFFF, "gap grey");
        float[] rgb = new float[12];
        rgb[0] = 1;          // red channel of pixel (0,0)
        rgb[4 + 3] = 1;      // green channel of pixel (1,1)
        BufferedImage c = ImageGrid.render(rgb, 1, 3, 2, 2, 4);
        assertEquals(0xFF8080, c.getRGB(2, 2) & 0xFFFFFF);
        assertThrows(IllegalArgumentException.class, () -> ImageGrid.render(new float[8], 1, 2, 2, 2, 1));
    }
}

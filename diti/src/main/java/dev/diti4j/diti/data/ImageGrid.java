package dev.diti4j.diti.data;

import dev.diti4j.core.Tensor;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;

/**
 * Writes a batch of images as one PNG: a grid of {@code cols} columns, 2 px grey gaps between
 * tiles. Pixel values in [−1, 1] map to 0 … 255 (values outside are clamped); 1-channel images
 * become grey, 3-channel images RGB.
 */
public final class ImageGrid {
    /** Gap between tiles, in pixels. */
    public static final int GAP = 2;
    private static final int GAP_GREY = 0x80;

    private ImageGrid() {
    }

    /** Writes {@code images} (B, C, H, W) with C = 1 or 3 to {@code png}, creating its folder. */
    public static void write(Tensor images, int cols, Path png) {
        BufferedImage img = render(images, cols);
        try {
            Path parent = png.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            if (!ImageIO.write(img, "png", png.toFile())) {
                throw new IOException("no PNG writer available");
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write image grid " + png + ": " + e.getMessage(), e);
        }
    }

    /** The grid as an image. */
    public static BufferedImage render(Tensor images, int cols) {
        if (images.rank() != 4) {
            throw new IllegalArgumentException("an image grid needs images (B, C, H, W), got " + images.shape());
        }
        return render(images.toArray(), images.dim(0), images.dim(1), images.dim(2), images.dim(3), cols);
    }

    /** The grid of {@code n} images stored row-major (n, c, h, w) in {@code data}. */
    public static BufferedImage render(float[] data, int n, int c, int h, int w, int cols) {
        if (c != 1 && c != 3) {
            throw new IllegalArgumentException("an image grid needs 1 or 3 channels, got " + c);
        }
        if (cols < 1) {
            throw new IllegalArgumentException("an image grid needs at least one column, got " + cols);
        }
        if (n < 1 || data.length != n * c * h * w) {
            throw new IllegalArgumentException("image grid data has " + data.length + " values, expected " + n + "x"
                    + c + "x" + h + "x" + w);
        }
        int gridCols = Math.min(cols, n);
        int gridRows = (n + cols - 1) / cols;
        int width = gridCols * w + (gridCols + 1) * GAP;
        int height = gridRows * h + (gridRows + 1) * GAP;
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        int grey = (GAP_GREY << 16) | (GAP_GREY << 8) | GAP_GREY;
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                img.setRGB(x, y, grey);
            }
        }
        int plane = h * w;
        for (int i = 0; i < n; i++) {
            int ox = GAP + (i % cols) * (w + GAP);
            int oy = GAP + (i / cols) * (h + GAP);
            int base = i * c * plane;
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    int p = y * w + x;
                    int r = toByte(data[base + p]);
                    int g = c == 3 ? toByte(data[base + plane + p]) : r;
                    int b = c == 3 ? toByte(data[base + 2 * plane + p]) : r;
                    img.setRGB(ox + x, oy + y, (r << 16) | (g << 8) | b);
                }
            }
        }
        return img;
    }

    /** [−1, 1] to 0 … 255, rounded to nearest. */
    static int toByte(float v) {
        float u = (v + 1f) * 127.5f;
        return Math.round(Math.clamp(u, 0f, 255f));
    }
}

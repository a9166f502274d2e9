package dev.diti4j.diti.api;

import dev.diti4j.diti.data.FashionMnist;
import dev.diti4j.diti.data.ImageResize;
import java.awt.image.BufferedImage;
import java.awt.image.Raster;
import java.util.Arrays;

/**
 * Turns decoded images into encoder input the way the training images were prepared.
 *
 * <ul>
 *   <li>RGB models (shapes, image folders): the central square of side min(w, h), resampled to the
 *       model's size with {@link ImageResize} (box filter), as {@code ImageFolder} does.</li>
 *   <li>Grey models: the image's own grey value when it has one colour component, else
 *       0.299 R + 0.587 G + 0.114 B, then the same crop and resample. A model trained on
 *       Fashion-MNIST padded to 32 px gets the central square resampled to 28×28 and framed by
 *       2 black pixels on each side, as its training images were.</li>
 * </ul>
 *
 * Values are scaled to [−1, 1]. Images are only ever down-sampled: one whose shorter side is below
 * the side it is resampled to is refused.
 */
final class ImageInput {
    private final int channels;
    private final int size;
    private final boolean fashionPad;

    /**
     * @param fashionPad resample to 28 px and pad to {@code size} (a Fashion-MNIST model at 32 px)
     */
    ImageInput(int channels, int size, boolean fashionPad) {
        this.channels = channels;
        this.size = size;
        this.fashionPad = fashionPad;
    }

    /** The side the central square is resampled to. */
    int resampledSide() {
        return fashionPad ? FashionMnist.SIDE : size;
    }

    /** The pixels of image {@code index} (C, size, size) in [−1, 1]. */
    float[] pixels(BufferedImage img, int index) {
        if (img == null) {
            throw new IllegalArgumentException("image " + index + " is null");
        }
        int side = resampledSide();
        if (Math.min(img.getWidth(), img.getHeight()) < side) {
            throw new IllegalArgumentException("image " + index + " is " + img.getWidth() + "x" + img.getHeight()
                    + " px, smaller than the " + side + "x" + side + " its central square is resized to: images are"
                    + " only down-sampled, never enlarged");
        }
        if (channels == 3) {
            return ImageResize.centreCropResize(img, size);
        }
        float[] rgb = ImageResize.centreCropResize(grey(img), side);
        float[] plane = Arrays.copyOf(rgb, side * side);   // R = G = B
        if (!fashionPad) {
            return plane;
        }
        float[] out = new float[size * size];
        Arrays.fill(out, -1f);
        int offset = (size - side) / 2;
        for (int y = 0; y < side; y++) {
            System.arraycopy(plane, y * side, out, (offset + y) * size + offset, side);
        }
        return out;
    }

    /** An RGB image with R = G = B = the grey value of every pixel. */
    private static BufferedImage grey(BufferedImage img) {
        int w = img.getWidth();
        int h = img.getHeight();
        BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        int[] row = new int[w];
        if (img.getColorModel().getNumColorComponents() == 1) {
            Raster r = img.getRaster();
            int bits = img.getColorModel().getComponentSize(0);
            long max = (1L << bits) - 1;
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    int v = (int) ((r.getSample(x, y, 0) * 255L + max / 2) / max);
                    row[x] = v << 16 | v << 8 | v;
                }
                out.setRGB(0, y, w, 1, row, 0, w);
            }
        } else {
            int[] src = new int[w];
            for (int y = 0; y < h; y++) {
                img.getRGB(0, y, w, 1, src, 0, w);
                for (int x = 0; x < w; x++) {
                    int p = src[x];
                    int v = (int) Math.round(0.299 * ((p >> 16) & 0xFF) + 0.587 * ((p >> 8) & 0xFF) + 0.114 * (p & 0xFF));
                    row[x] = v << 16 | v << 8 | v;
                }
                out.setRGB(0, y, w, 1, row, 0, w);
            }
        }
        return out;
    }
}

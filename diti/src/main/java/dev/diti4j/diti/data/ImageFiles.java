package dev.diti4j.diti.data;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Locale;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;

/**
 * Reads PNG and JPEG files, recognised by their first bytes (not their names), with the JDK's
 * ImageIO readers for exactly those two formats. {@link #probe} reads only the header (size and
 * colour model), which is enough to refuse a file before training starts; {@link #decode} reads
 * the pixels. Both refuse, before anything is allocated for the pixels:
 *
 * <ul>
 *   <li>an empty file, or one that is neither PNG nor JPEG;</li>
 *   <li>more than {@link #MAX_PIXELS} pixels;</li>
 *   <li>more pixels than the file can encode: no PNG or JPEG stores more than
 *       {@link #MAX_PIXELS_PER_BYTE} pixels per byte, so a larger claim is a corrupt header;</li>
 *   <li>a side shorter than the size the image will be resized to (up-sampling would train on
 *       blurred, interpolated pixels).</li>
 * </ul>
 */
final class ImageFiles {
    /** 64 Mpx (8192x8192): decoding and resizing such an image already takes about a gigabyte. */
    static final long MAX_PIXELS = 1L << 26;
    /**
     * Deflate expands one byte into at most 1032, and a PNG row of w one-bit pixels takes
     * w/8 + 1 bytes, so a PNG holds at most 8 x 1032 pixels per byte; a JPEG, which spends at
     * least one bit on each 8x8 block, holds far fewer.
     */
    static final long MAX_PIXELS_PER_BYTE = 8 * 1032;

    private static final byte[] PNG_SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

    private ImageFiles() {
    }

    /** What the header says. */
    record Header(String format, int width, int height) {
        String size() {
            return width + "x" + height;
        }
    }

    /** An image that cannot be used; the message is a short reason without the file name. */
    static final class Unusable extends Exception {
        private static final long serialVersionUID = 1L;
        private final boolean tooSmall;

        Unusable(String reason) {
            this(reason, false);
        }

        Unusable(String reason, boolean tooSmall) {
            super(reason, null, false, false);
            this.tooSmall = tooSmall;
        }

        /** Whether the image is fine but smaller than the requested size. */
        boolean tooSmall() {
            return tooSmall;
        }
    }

    /** Reads and checks the header of {@code file} for images resized to {@code minSide}. */
    static Header probe(Path file, int minSide) throws Unusable {
        return read(file, minSide, false).header;
    }

    /** Reads and checks the header, then decodes the pixels. */
    static BufferedImage decode(Path file, int minSide) throws Unusable {
        return read(file, minSide, true).image;
    }

    private record Result(Header header, BufferedImage image) {
    }

    private static Result read(Path file, int minSide, boolean pixels) throws Unusable {
        long bytes;
        try {
            bytes = Files.size(file);
        } catch (NoSuchFileException e) {
            throw new Unusable("it no longer exists");
        } catch (IOException e) {
            throw new Unusable("cannot read it: " + message(e));
        }
        if (bytes == 0) {
            throw new Unusable("an empty file (0 bytes)");
        }
        try (ImageInputStream in = ImageIO.createImageInputStream(file.toFile())) {
            if (in == null) {
                throw new Unusable("cannot open it");
            }
            byte[] head = new byte[8];
            in.mark();
            int n = in.read(head);
            in.reset();
            String format = format(head, n);
            if (format == null) {
                throw new Unusable("not a PNG or JPEG image: it starts with " + hex(head, Math.max(n, 0)));
            }
            ImageReader reader = reader(format);
            try {
                reader.setInput(in, true, true);
                Header h;
                try {
                    h = new Header(format, reader.getWidth(0), reader.getHeight(0));
                } catch (IOException | RuntimeException e) {
                    throw new Unusable("a " + label(format) + " whose header cannot be read (" + message(e) + ")");
                }
                check(h, bytes, minSide);
                try {
                    if (!reader.getImageTypes(0).hasNext()) {
                        throw new Unusable("a " + label(format) + " in a colour model ImageIO cannot decode");
                    }
                } catch (IOException | RuntimeException e) {
                    throw new Unusable("a " + label(format) + " in a colour model ImageIO cannot decode (" + message(e)
                            + ")");
                }
                if (!pixels) {
                    return new Result(h, null);
                }
                BufferedImage img;
                try {
                    img = reader.read(0);
                } catch (IOException | RuntimeException e) {
                    throw new Unusable("a damaged " + label(format) + " (" + message(e) + ")");
                }
                if (img.getWidth() != h.width() || img.getHeight() != h.height()) {
                    throw new Unusable("a damaged " + label(format) + ": its header says " + h.size() + " but it decodes"
                            + " to " + img.getWidth() + "x" + img.getHeight());
                }
                return new Result(h, img);
            } finally {
                reader.dispose();
            }
        } catch (IOException e) {
            throw new Unusable("cannot read it: " + message(e));
        }
    }

    private static void check(Header h, long bytes, int minSide) throws Unusable {
        long pixels = (long) h.width() * h.height();
        if (h.width() < 1 || h.height() < 1) {
            throw new Unusable(h.size() + " pixels");
        }
        if (pixels > MAX_PIXELS) {
            throw new Unusable(h.size() + " pixels, more than the " + MAX_PIXELS + " (8192x8192) this loader decodes");
        }
        if (pixels > bytes * MAX_PIXELS_PER_BYTE) {
            throw new Unusable("a corrupt " + label(h.format()) + " header: it claims " + h.size() + " pixels, more than"
                    + " a file of " + bytes + " bytes can hold");
        }
        if (Math.min(h.width(), h.height()) < minSide) {
            throw new Unusable(h.size() + ", smaller than the requested " + minSide + "x" + minSide, true);
        }
    }

    private static String format(byte[] head, int n) {
        if (n >= 8 && java.util.Arrays.equals(head, PNG_SIGNATURE)) {
            return "png";
        }
        if (n >= 3 && (head[0] & 0xFF) == 0xFF && (head[1] & 0xFF) == 0xD8 && (head[2] & 0xFF) == 0xFF) {
            return "jpeg";
        }
        return null;
    }

    private static ImageReader reader(String format) throws Unusable {
        Iterator<ImageReader> it = ImageIO.getImageReadersByFormatName(format);
        if (!it.hasNext()) {
            throw new Unusable("a " + label(format) + ", but this Java runtime has no " + label(format) + " reader");
        }
        return it.next();
    }

    private static String label(String format) {
        return format.toUpperCase(Locale.ROOT);
    }

    private static String hex(byte[] b, int n) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < Math.min(n, 4); i++) {
            sb.append(i > 0 ? " " : "").append(String.format("%02x", b[i] & 0xFF));
        }
        return sb.toString();
    }

    /** A one-line description of a decoder's complaint. */
    private static String message(Throwable e) {
        String m = e.getMessage();
        return DatasetException.printable(m == null || m.isBlank() ? e.getClass().getSimpleName() : m, 100);
    }
}

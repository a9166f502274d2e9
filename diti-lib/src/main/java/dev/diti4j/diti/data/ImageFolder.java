package dev.diti4j.diti.data;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import javax.imageio.ImageIO;

/**
 * The PNG and JPEG images under a folder (searched recursively, ordered by relative path),
 * decoded with ImageIO when read, converted to RGB, reduced to their central square and
 * resampled to size×size (see {@link ImageResize}). An optional CelebA-format attribute file
 * ({@link CelebaAttributes}) gives one binary label column per attribute, matched by file name;
 * every image must be listed in it.
 */
public final class ImageFolder implements Dataset {
    private final Path folder;
    private final int imageSize;
    private final List<Path> files;
    private final List<LabelSpec> labelSpecs;
    private final int[][] labels;

    private ImageFolder(Path folder, int imageSize, List<Path> files, List<LabelSpec> labelSpecs, int[][] labels) {
        this.folder = folder;
        this.imageSize = imageSize;
        this.files = List.copyOf(files);
        this.labelSpecs = List.copyOf(labelSpecs);
        this.labels = labels;
    }

    /** The images of {@code folder} at {@code imageSize}×{@code imageSize}, without labels. */
    public static ImageFolder open(Path folder, int imageSize) {
        return open(folder, imageSize, null);
    }

    /**
     * The images of {@code folder} with labels from a CelebA-format attribute file (may be null).
     *
     * @throws DatasetException for a missing folder, a folder without images, a malformed
     *                          attribute file, or images the attribute file does not list
     */
    public static ImageFolder open(Path folder, int imageSize, Path attributeFile) {
        if (imageSize < 1) {
            throw new IllegalArgumentException("image size must be positive, got " + imageSize);
        }
        if (!Files.isDirectory(folder)) {
            throw new DatasetException("image folder " + folder + (Files.exists(folder) ? " is not a folder"
                    : " does not exist"));
        }
        List<Path> files;
        try (Stream<Path> walk = Files.walk(folder)) {
            files = walk.filter(Files::isRegularFile).filter(ImageFolder::isImage)
                    .sorted((a, b) -> folder.relativize(a).toString().compareTo(folder.relativize(b).toString()))
                    .toList();
        } catch (IOException | java.io.UncheckedIOException e) {
            throw new DatasetException("cannot list image folder " + folder + ": " + e.getMessage(), e);
        }
        if (files.isEmpty()) {
            throw new DatasetException("image folder " + folder + " has no .png, .jpg or .jpeg images");
        }
        List<LabelSpec> specs = List.of();
        int[][] labels = new int[files.size()][];
        if (attributeFile == null) {
            java.util.Arrays.fill(labels, new int[0]);
        } else {
            CelebaAttributes attrs = CelebaAttributes.read(attributeFile);
            List<String> names = files.stream().map(p -> p.getFileName().toString()).toList();
            List<String> missing = attrs.missing(names);
            if (!missing.isEmpty()) {
                throw new DatasetException(missing.size() + " of " + names.size() + " images in " + folder
                        + " are not listed in attribute file " + attributeFile + ", e.g. " + missing.getFirst());
            }
            List<LabelSpec> s = new ArrayList<>();
            for (String n : attrs.names()) {
                s.add(new LabelSpec(n, List.of("no", "yes")));
            }
            specs = s;
            for (int i = 0; i < names.size(); i++) {
                labels[i] = attrs.labelsOf(names.get(i));
            }
        }
        return new ImageFolder(folder, imageSize, files, specs, labels);
    }

    private static boolean isImage(Path p) {
        String n = p.getFileName().toString().toLowerCase(Locale.ROOT);
        return n.endsWith(".png") || n.endsWith(".jpg") || n.endsWith(".jpeg");
    }

    /** The image files, in index order. */
    public List<Path> files() {
        return files;
    }

    @Override
    public String name() {
        return "image-folder(" + folder + ", " + files.size() + ", " + imageSize + "px)";
    }

    @Override
    public int size() {
        return files.size();
    }

    @Override
    public int channels() {
        return 3;
    }

    @Override
    public int height() {
        return imageSize;
    }

    @Override
    public int width() {
        return imageSize;
    }

    @Override
    public List<LabelSpec> labels() {
        return labelSpecs;
    }

    @Override
    public Sample get(int index) {
        Dataset.checkIndex(this, index);
        Path file = files.get(index);
        BufferedImage img;
        try {
            img = ImageIO.read(file.toFile());
        } catch (IOException | RuntimeException e) {
            throw new DatasetException("cannot decode image " + file + ": " + e.getMessage(), e);
        }
        if (img == null) {
            throw new DatasetException("cannot decode image " + file + ": not a PNG or JPEG ImageIO can read");
        }
        return new Sample(ImageResize.centreCropResize(img, imageSize), labels[index].clone());
    }
}

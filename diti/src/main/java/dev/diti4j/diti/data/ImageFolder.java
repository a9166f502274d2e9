package dev.diti4j.diti.data;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.IntStream;
import java.util.stream.Stream;

/**
 * The PNG and JPEG images under a folder (searched recursively, ordered by relative path),
 * decoded with ImageIO when read, converted to RGB, reduced to their central square and
 * resampled to size×size (see {@link ImageResize}). An optional CelebA-format attribute file
 * ({@link CelebaAttributes}) gives one binary label column per attribute, matched by file name;
 * every image must be listed in it.
 *
 * <p>Opening the folder reads the header of every file named {@code .png}, {@code .jpg} or
 * {@code .jpeg} (in parallel, reporting to a {@link ProgressListener} for large folders) and refuses
 * the folder, naming the first few bad files and how many there are, when any is empty, is not a
 * PNG or JPEG, has a header that cannot be read or claims more pixels than the file can hold, or
 * is smaller than the requested size: images are only ever down-sampled, since up-sampling would
 * train on interpolated pixels. A file that passes this check can still fail to decode later, if
 * its pixel data is damaged; the error then names it.
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
        return open(folder, imageSize, attributeFile, ProgressListener.NONE);
    }

    /**
     * As {@link #open(Path, int, Path)}, telling {@code progress} how the check of every image
     * advances when the folder holds at least {@link #PROGRESS_THRESHOLD} images.
     */
    public static ImageFolder open(Path folder, int imageSize, Path attributeFile, ProgressListener progress) {
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
        // A malformed attribute file fails before the (slower) check of every image.
        CelebaAttributes attrs = attributeFile == null ? null : CelebaAttributes.read(attributeFile);
        validate(folder, files, imageSize, files.size() >= PROGRESS_THRESHOLD ? progress : ProgressListener.NONE);
        List<LabelSpec> specs = List.of();
        int[][] labels = new int[files.size()][];
        if (attrs == null) {
            java.util.Arrays.fill(labels, new int[0]);
        } else {
            List<String> names = files.stream().map(p -> p.getFileName().toString()).toList();
            List<String> missing = attrs.missing(names);
            if (!missing.isEmpty()) {
                throw new DatasetException(missing.size() + " of " + names.size() + " images in " + folder
                        + " are not listed in attribute file " + attributeFile + ", e.g. "
                        + DatasetException.printable(missing.getFirst()));
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

    /** Folders with at least this many images report the check of their images to the listener. */
    public static final int PROGRESS_THRESHOLD = 2000;
    /** How many bad files an error names. */
    static final int NAMED_PROBLEMS = 5;

    /**
     * Checks the header of every file (see the class comment); {@code progress} advances once per
     * file.
     */
    static void validate(Path folder, List<Path> files, int imageSize, ProgressListener progress) {
        String[] problems = new String[files.size()];
        boolean[] tooSmall = new boolean[files.size()];
        progress.started("checking images", files.size());
        try {
            IntStream.range(0, files.size()).parallel().forEach(i -> {
                try {
                    ImageFiles.probe(files.get(i), imageSize);
                } catch (ImageFiles.Unusable e) {
                    problems[i] = e.getMessage();
                    tooSmall[i] = e.tooSmall();
                }
                progress.advanced(1);
            });
        } finally {
            progress.finished();
        }
        List<String> named = new ArrayList<>();
        int bad = 0;
        int small = 0;
        for (int i = 0; i < problems.length; i++) {
            if (problems[i] != null) {
                if (bad < NAMED_PROBLEMS) {
                    named.add(DatasetException.printable(folder.relativize(files.get(i)).toString(), 120) + " ("
                            + problems[i] + ")");
                }
                bad++;
                small += tooSmall[i] ? 1 : 0;
            }
        }
        if (bad > 0) {
            String fix = small == bad ? (bad == 1 ? "choose an image size of at most its shorter side, or remove it"
                    : "choose an image size of at most their shorter sides, or remove them")
                    : small > 0 ? "remove or replace them (or, for those too small, choose a smaller image size)"
                    : "remove or replace " + (bad == 1 ? "it" : "them");
            throw new DatasetException("image folder " + folder + " has " + bad + " unusable "
                    + (bad == 1 ? "image" : "images") + " of " + files.size() + ": " + String.join("; ", named)
                    + (bad > NAMED_PROBLEMS ? "; and " + (bad - NAMED_PROBLEMS) + " more" : "") + "; " + fix);
        }
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
            img = ImageFiles.decode(file, imageSize);
        } catch (ImageFiles.Unusable e) {
            throw new DatasetException("cannot decode image " + file + ": " + e.getMessage(), e);
        }
        return new Sample(ImageResize.centreCropResize(img, imageSize), labels[index].clone());
    }
}

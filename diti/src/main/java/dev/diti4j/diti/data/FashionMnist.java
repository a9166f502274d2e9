package dev.diti4j.diti.data;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Fashion-MNIST (Xiao et al. 2017): 28×28 grey clothing images in 10 classes, read from the four
 * IDX files ({@code train-images-idx3-ubyte}, {@code train-labels-idx1-ubyte}, and the
 * {@code t10k-} pair), gzip-compressed or not. The default folder is where Debian's
 * {@code dataset-fashion-mnist} package installs them. The images must be 28×28; they are
 * zero-padded to 32×32 by default (METHOD 9) and scaled to [−1, 1]; the one label column is the
 * class.
 */
public final class FashionMnist implements Dataset {
    /** The folder of Debian's {@code dataset-fashion-mnist} package. */
    public static final Path DEFAULT_FOLDER = Path.of("/usr/share/datasets/fashion-mnist");
    public static final String DOWNLOAD_URL = "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/";
    public static final List<String> CLASS_NAMES = List.of("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
            "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot");
    /** The side of a Fashion-MNIST image. */
    public static final int SIDE = 28;
    private static final List<LabelSpec> LABELS = List.of(new LabelSpec("class", CLASS_NAMES));

    /** The two splits and their file prefixes. */
    public enum Split {
        TRAIN("train"), TEST("t10k");

        private final String prefix;

        Split(String prefix) {
            this.prefix = prefix;
        }

        public String prefix() {
            return prefix;
        }
    }

    private final Split split;
    private final int count;
    private final int rows;
    private final int cols;
    private final int pad;
    private final byte[] images;
    private final byte[] labels;

    private FashionMnist(Split split, IdxFile images, IdxFile labels, Path imagePath, Path labelPath, boolean padTo32) {
        if (images.dims().length != 3) {
            throw new DatasetException("image file " + imagePath + " has shape " + IdxFile.shapeString(images.dims())
                    + "; expected (count, rows, cols)");
        }
        if (labels.dims().length != 1) {
            throw new DatasetException("label file " + labelPath + " has shape " + IdxFile.shapeString(labels.dims())
                    + "; expected (count)");
        }
        if (images.dims()[0] != labels.dims()[0]) {
            throw new DatasetException("image file " + imagePath + " has " + images.dims()[0] + " images but label file "
                    + labelPath + " has " + labels.dims()[0] + " labels");
        }
        for (int i = 0; i < labels.data().length; i++) {
            int v = labels.data()[i] & 0xFF;
            if (v >= CLASS_NAMES.size()) {
                throw new DatasetException("label file " + labelPath + " has class " + v + " at row " + i
                        + "; expected 0 to 9");
            }
        }
        this.split = split;
        this.count = images.dims()[0];
        this.rows = images.dims()[1];
        this.cols = images.dims()[2];
        if (rows != SIDE || cols != SIDE) {
            // The model sees 28x28 (or 28x28 padded to 32x32): smaller images would be padded or read short silently.
            throw new DatasetException("image file " + imagePath + " holds " + rows + "x" + cols + " images; Fashion-MNIST"
                    + " images are " + SIDE + "x" + SIDE);
        }
        this.pad = padTo32 ? 32 : -1;
        this.images = images.data();
        this.labels = labels.data();
    }

    /** The padded training split from the default folder. */
    public static FashionMnist load(Split split) {
        return load(DEFAULT_FOLDER, split, true);
    }

    /**
     * Reads a split from {@code folder}.
     *
     * @param padTo32 zero-pad (to −1 after scaling) the 28×28 images to 32×32, centred
     * @throws DatasetException naming the missing file and how to get it, or what is malformed
     */
    public static FashionMnist load(Path folder, Split split, boolean padTo32) {
        Path imagePath = find(folder, split.prefix() + "-images-idx3-ubyte");
        Path labelPath = find(folder, split.prefix() + "-labels-idx1-ubyte");
        return new FashionMnist(split, IdxFile.read(imagePath), IdxFile.read(labelPath), imagePath, labelPath, padTo32);
    }

    private static Path find(Path folder, String base) {
        for (String name : new String[] {base + ".gz", base}) {
            Path p = folder.resolve(name);
            if (Files.isRegularFile(p)) {
                return p;
            }
        }
        throw new DatasetException("Fashion-MNIST file " + base + ".gz (or " + base + ") is missing from " + folder
                + ": install it with 'sudo apt-get install dataset-fashion-mnist' (into " + DEFAULT_FOLDER
                + "), or download the four .gz files from " + DOWNLOAD_URL + " into " + folder);
    }

    public Split split() {
        return split;
    }

    @Override
    public String name() {
        return "fashion-mnist(" + split.name().toLowerCase(java.util.Locale.ROOT) + ", " + count + ")";
    }

    @Override
    public int size() {
        return count;
    }

    @Override
    public int channels() {
        return 1;
    }

    @Override
    public int height() {
        return pad > 0 ? pad : rows;
    }

    @Override
    public int width() {
        return pad > 0 ? pad : cols;
    }

    @Override
    public List<LabelSpec> labels() {
        return LABELS;
    }

    @Override
    public Sample get(int index) {
        Dataset.checkIndex(this, index);
        int h = height();
        int w = width();
        int top = (h - rows) / 2;
        int left = (w - cols) / 2;
        float[] out = new float[h * w];
        java.util.Arrays.fill(out, -1f);
        int base = index * rows * cols;
        for (int y = 0; y < rows; y++) {
            for (int x = 0; x < cols; x++) {
                int v = images[base + y * cols + x] & 0xFF;
                out[(top + y) * w + left + x] = v / 127.5f - 1f;
            }
        }
        return new Sample(out, new int[] {labels[index] & 0xFF});
    }
}

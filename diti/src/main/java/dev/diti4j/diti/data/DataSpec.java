package dev.diti4j.diti.data;

import dev.diti4j.diti.data.Dataset;
import dev.diti4j.diti.data.FashionMnist;
import dev.diti4j.diti.data.ImageFolder;
import dev.diti4j.diti.data.SyntheticShapes;
import dev.diti4j.nn.json.Json;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Which images a run trains on, in a form that fits on a command line and in a checkpoint:
 * {@code shapes}, {@code fashion-mnist} or {@code folder:<path>}, with the image size, an
 * optional attribute file (folders) and an optional data folder (Fashion-MNIST).
 *
 * @param kind       the data set family
 * @param folder     the image folder (FOLDER) or the IDX folder (FASHION_MNIST, null = the default), else null
 * @param imageSize  the side of the square images the model sees
 * @param attributes a CelebA-format attribute file for FOLDER, or null
 */
public record DataSpec(Kind kind, Path folder, int imageSize, Path attributes) {
    /** The data set families. */
    public enum Kind {
        SHAPES("shapes"), FASHION_MNIST("fashion-mnist"), FOLDER("folder");

        private final String cliName;

        Kind(String cliName) {
            this.cliName = cliName;
        }

        public String cliName() {
            return cliName;
        }
    }

    /** Synthetic shapes are rendered with this many images (deterministic, so any size is free). */
    public static final int SHAPES_SIZE = SyntheticShapes.DEFAULT_SIZE;
    /** The factor stream of the training images. */
    public static final long SHAPES_SEED = 0L;

    public DataSpec {
        if (kind == null) {
            throw new IllegalArgumentException("a data set must be given");
        }
        if (imageSize < 1) {
            throw new IllegalArgumentException("image size must be positive, got " + imageSize);
        }
        if (kind == Kind.SHAPES && imageSize != 16 && imageSize != 32 && imageSize != 64) {
            throw new IllegalArgumentException("synthetic shapes are rendered at 16, 32 or 64 px, not " + imageSize);
        }
        if (kind == Kind.FASHION_MNIST && imageSize != 28 && imageSize != 32) {
            throw new IllegalArgumentException("Fashion-MNIST is 28 px, or 32 px padded, not " + imageSize);
        }
        if (kind == Kind.FOLDER && folder == null) {
            throw new IllegalArgumentException("folder data needs a path: folder:<path>");
        }
        if (attributes != null && kind != Kind.FOLDER) {
            throw new IllegalArgumentException("an attribute file only goes with folder:<path> data");
        }
    }

    /**
     * Parses {@code shapes}, {@code fashion-mnist} or {@code folder:<path>}.
     *
     * @param imageSize the requested size, or null for the family's default (32)
     * @throws IllegalArgumentException (one sentence) for anything else, a size below 1 included
     */
    public static DataSpec parse(String text, Integer imageSize, Path attributes, Path dataDir) {
        String t = text == null ? "" : text.strip();
        int size = imageSize != null ? imageSize : 32;
        if (t.equals("shapes")) {
            requireNoDataDir(dataDir, t);
            return new DataSpec(Kind.SHAPES, null, size, attributes);
        }
        if (t.equals("fashion-mnist")) {
            return new DataSpec(Kind.FASHION_MNIST, dataDir, size, attributes);
        }
        if (t.startsWith("folder:") && t.length() > "folder:".length()) {
            requireNoDataDir(dataDir, "folder");
            return new DataSpec(Kind.FOLDER, Path.of(t.substring("folder:".length())), size, attributes);
        }
        throw new IllegalArgumentException("unknown data set '" + t + "': use shapes, fashion-mnist or folder:<path>");
    }

    private static void requireNoDataDir(Path dataDir, String what) {
        if (dataDir != null) {
            throw new IllegalArgumentException("--data-dir only goes with fashion-mnist, not " + what);
        }
    }

    /** The training images; reading them may fail with a one-sentence DatasetException. */
    public Dataset open() {
        return open(ProgressListener.NONE);
    }

    /** As {@link #open()}, telling {@code progress} how a long check of the data advances. */
    public Dataset open(ProgressListener progress) {
        return switch (kind) {
            case SHAPES -> new SyntheticShapes(imageSize, SHAPES_SIZE, SHAPES_SEED, true);
            case FASHION_MNIST -> FashionMnist.load(folder == null ? FashionMnist.DEFAULT_FOLDER : folder,
                    FashionMnist.Split.TRAIN, imageSize == 32);
            case FOLDER -> ImageFolder.open(folder, imageSize, attributes, progress);
        };
    }

    /** Image channels of the family (without opening it). */
    public int channels() {
        return kind == Kind.FASHION_MNIST ? 1 : 3;
    }

    /** How the command line spells it. */
    public String describe() {
        return kind == Kind.FOLDER ? "folder:" + folder : kind.cliName();
    }

    public String toJson() {
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("dataset", kind.cliName());
        o.put("folder", folder == null ? null : folder.toString());
        o.put("imageSize", imageSize);
        o.put("attributes", attributes == null ? null : attributes.toString());
        return Json.write(o);
    }

    /** A plain map, for config.json. */
    public Map<String, Object> toMap() {
        return Json.parseObject(toJson());
    }

    public static DataSpec fromJson(String json) {
        Map<String, Object> o = Json.parseObject(json);
        String name = Json.getString(o, "dataset");
        Kind kind = null;
        for (Kind k : Kind.values()) {
            if (k.cliName().equals(name.toLowerCase(Locale.ROOT))) {
                kind = k;
            }
        }
        if (kind == null) {
            throw new IllegalArgumentException("unknown data set '" + name + "'");
        }
        return new DataSpec(kind, path(o.get("folder")), Json.getInt(o, "imageSize"), path(o.get("attributes")));
    }

    private static Path path(Object v) {
        return v instanceof String s ? Path.of(s) : null;
    }
}

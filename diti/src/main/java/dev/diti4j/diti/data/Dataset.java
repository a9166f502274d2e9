package dev.diti4j.diti.data;

import java.util.List;

/**
 * A finite, indexable set of images of one shape (C, H, W), each with one integer per label
 * column. Implementations are safe to read from one background thread while the caller uses
 * them, and {@link #get} is deterministic.
 */
public interface Dataset {
    /** One image and its labels. */
    record Sample(float[] pixels, int[] labels) {
    }

    /**
     * One label column: its name and the names of its values; a label is an index into
     * {@code values}.
     */
    record LabelSpec(String name, List<String> values) {
        public LabelSpec {
            values = List.copyOf(values);
        }

        public int cardinality() {
            return values.size();
        }
    }

    /** A short description, e.g. {@code synthetic-shapes(32px, 50000)}. */
    String name();

    /** Number of images. */
    int size();

    int channels();

    int height();

    int width();

    /** C·H·W. */
    default int pixelsPerImage() {
        return channels() * height() * width();
    }

    /**
     * Image {@code index}: pixels row-major (C, H, W) in [−1, 1], and one label per
     * {@link #labels()} column.
     *
     * @throws IndexOutOfBoundsException outside [0, size)
     * @throws DatasetException          when the image cannot be read
     */
    Sample get(int index);

    /** The label columns, possibly empty. */
    List<LabelSpec> labels();

    /** The names of the label columns. */
    default List<String> labelNames() {
        return labels().stream().map(LabelSpec::name).toList();
    }

    /** Checks an index against the size, for implementations. */
    static int checkIndex(Dataset d, int index) {
        if (index < 0 || index >= d.size()) {
            throw new IndexOutOfBoundsException("image " + index + " is outside [0, " + d.size() + ") of " + d.name());
        }
        return index;
    }
}

package dev.diti4j.cli.encode;

import dev.diti4j.nn.json.Json;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The files {@code encode} writes, each written under a hidden temporary name in the target's
 * folder, forced to disk and renamed over the target, so a crash leaves the old file or the whole
 * new one, never part of one.
 *
 * <pre>
 *   .npy           NumPy format 1.0: "\x93NUMPY" 1 0, u16 LE header length, the header
 *                  {'descr': '&lt;f4', 'fortran_order': False, 'shape': (N, d), } space-padded and
 *                  ending in '\n' so the data starts at a multiple of 64, then N·d little-endian floats
 *   .safetensors   u64 LE header length, JSON header (space-padded to a multiple of 8), data:
 *                  z F32 (N, d), then labels I32 (N, F) when the data has labels; string metadata
 *   .labels.csv    a header row (index, file for image folders, one column per label), one row per image
 * </pre>
 */
public final class EmbeddingFiles {
    /** The z file formats, chosen by the output's extension. */
    public enum Format {
        NPY(".npy"), SAFETENSORS(".safetensors");

        private final String extension;

        Format(String extension) {
            this.extension = extension;
        }

        public String extension() {
            return extension;
        }

        /** The format of {@code file}'s extension (any case), or null. */
        public static Format of(Path file) {
            String n = file.getFileName() == null ? "" : file.getFileName().toString().toLowerCase(Locale.ROOT);
            for (Format f : values()) {
                if (n.endsWith(f.extension) && n.length() > f.extension.length()) {
                    return f;
                }
            }
            return null;
        }
    }

    private EmbeddingFiles() {
    }

    /** {@code F} without its extension, plus {@code .labels.csv}, in F's folder. */
    public static Path labelsFile(Path out, Format format) {
        String n = out.getFileName().toString();
        return out.resolveSibling(n.substring(0, n.length() - format.extension().length()) + ".labels.csv");
    }

    /** The NumPy 1.0 header of a C-order little-endian float32 (n, d) array, padded to 64 bytes. */
    static byte[] npyHeader(long n, int d) {
        String dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (" + n + ", " + d + "), }";
        int unpadded = 6 + 2 + 2 + dict.length() + 1;
        int total = (unpadded + 63) / 64 * 64;
        StringBuilder h = new StringBuilder(dict);
        while (10 + h.length() + 1 < total) {
            h.append(' ');
        }
        h.append('\n');
        byte[] text = h.toString().getBytes(StandardCharsets.US_ASCII);
        ByteBuffer b = ByteBuffer.allocate(10 + text.length).order(ByteOrder.LITTLE_ENDIAN);
        b.put((byte) 0x93).put("NUMPY".getBytes(StandardCharsets.US_ASCII)).put((byte) 1).put((byte) 0);
        b.putShort((short) text.length).put(text);
        return b.array();
    }

    /** The safetensors header for z (n, d) and, when {@code labelColumns} > 0, labels (n, F). */
    static byte[] safetensorsHeader(long n, int d, int labelColumns, Map<String, String> metadata) {
        Map<String, Object> header = new LinkedHashMap<>();
        if (!metadata.isEmpty()) {
            header.put("__metadata__", new LinkedHashMap<>(metadata));
        }
        long zBytes = 4L * n * d;
        header.put("z", entry("F32", new long[] {n, d}, 0, zBytes));
        if (labelColumns > 0) {
            header.put("labels", entry("I32", new long[] {n, labelColumns}, zBytes, zBytes + 4L * n * labelColumns));
        }
        byte[] json = Json.write(header).getBytes(StandardCharsets.UTF_8);
        int padded = (json.length + 7) / 8 * 8;
        ByteBuffer b = ByteBuffer.allocate(8 + padded).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(padded).put(json);
        while (b.hasRemaining()) {
            b.put((byte) ' ');
        }
        return b.array();
    }

    private static Map<String, Object> entry(String dtype, long[] shape, long begin, long end) {
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("dtype", dtype);
        e.put("shape", shape);
        e.put("data_offsets", new long[] {begin, end});
        return e;
    }

    /**
     * A file being written under a temporary name: {@link #commit} renames it over the target,
     * {@link #close} without a commit deletes it.
     */
    public static class Pending implements AutoCloseable {
        private final Path target;
        private final Path tmp;
        private final FileChannel channel;
        private boolean done;

        Pending(Path target) throws IOException {
            this.target = target.toAbsolutePath();
            Path dir = this.target.getParent();
            Files.createDirectories(dir);
            this.tmp = Files.createTempFile(dir, "." + this.target.getFileName() + ".", ".tmp");
            this.channel = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
        }

        public Path target() {
            return target;
        }

        void write(ByteBuffer b) throws IOException {
            while (b.hasRemaining()) {
                channel.write(b);
            }
        }

        /** Forces the data to disk and renames the file over the target. */
        public void commit() throws IOException {
            channel.force(true);
            channel.close();
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                throw new IOException("the file system of " + target.getParent() + " cannot rename atomically", e);
            }
            done = true;
            try (FileChannel d = FileChannel.open(target.getParent(), StandardOpenOption.READ)) {
                d.force(true);
            } catch (IOException | UnsupportedOperationException e) {
                // not every OS can force a folder; the rename itself is atomic
            }
        }

        @Override
        public void close() {
            if (!done) {
                try {
                    channel.close();
                    Files.deleteIfExists(tmp);
                } catch (IOException e) {
                    // the write failed already; a hidden .tmp file may be left behind
                }
            }
        }
    }

    /** z written row by row: the header first (N is known), then each batch as it is encoded. */
    public static final class ZWriter extends Pending {
        private final Format format;
        private final long rows;
        private final int d;
        private final int labelColumns;
        private final ByteBuffer labels;
        private long written;

        private ZWriter(Path target, Format format, long rows, int d, int labelColumns, Map<String, String> metadata)
                throws IOException {
            super(target);
            this.format = format;
            this.rows = rows;
            this.d = d;
            this.labelColumns = format == Format.SAFETENSORS ? labelColumns : 0;
            long labelBytes = 4L * rows * this.labelColumns;
            if (labelBytes > Integer.MAX_VALUE) {
                throw new IOException(rows + " rows of " + labelColumns + " labels do not fit in memory at once");
            }
            this.labels = ByteBuffer.allocate((int) labelBytes).order(ByteOrder.LITTLE_ENDIAN);
            write(ByteBuffer.wrap(format == Format.NPY ? npyHeader(rows, d)
                    : safetensorsHeader(rows, d, this.labelColumns, metadata)));
        }

        /**
         * Opens the temporary file and writes the header.
         *
         * @param labelColumns label columns stored in a safetensors file (ignored for .npy)
         */
        public static ZWriter open(Path target, Format format, long rows, int d, int labelColumns,
                Map<String, String> metadata) throws IOException {
            return new ZWriter(target, format, rows, d, labelColumns, metadata);
        }

        /** Appends rows of z (row-major, a multiple of d values) and, for safetensors, their labels. */
        public void append(float[] z, int[][] rowLabels) throws IOException {
            if (z.length % d != 0) {
                throw new IllegalArgumentException(z.length + " values are not whole rows of " + d);
            }
            int n = z.length / d;
            if (written + n > rows) {
                throw new IllegalStateException("more than the " + rows + " rows declared");
            }
            ByteBuffer b = ByteBuffer.allocate(4 * z.length).order(ByteOrder.LITTLE_ENDIAN);
            b.asFloatBuffer().put(z);
            write(b);
            if (labelColumns > 0) {
                for (int[] r : rowLabels) {
                    for (int v : r) {
                        labels.putInt(v);
                    }
                }
            }
            written += n;
        }

        @Override
        public void commit() throws IOException {
            if (written != rows) {
                throw new IllegalStateException(written + " of " + rows + " rows were written");
            }
            if (labelColumns > 0) {
                write(labels.flip());
            }
            super.commit();
        }

        public Format format() {
            return format;
        }
    }

    /** Writes the labels CSV atomically: header {@code index[,file],<label names>}, one row per image. */
    public static void writeLabelsCsv(Path target, List<String> labelNames, List<String> files, int[] indices,
            int[][] labels) throws IOException {
        StringBuilder sb = new StringBuilder();
        sb.append("index");
        if (files != null) {
            sb.append(",file");
        }
        for (String n : labelNames) {
            sb.append(',').append(csv(n));
        }
        sb.append('\n');
        for (int i = 0; i < indices.length; i++) {
            sb.append(indices[i]);
            if (files != null) {
                sb.append(',').append(csv(files.get(i)));
            }
            for (int v : labels[i]) {
                sb.append(',').append(v);
            }
            sb.append('\n');
        }
        try (Pending p = new Pending(target)) {
            p.write(ByteBuffer.wrap(sb.toString().getBytes(StandardCharsets.UTF_8)));
            p.commit();
        }
    }

    /** A CSV field, quoted (RFC 4180) when it holds a comma, a quote or a line break. */
    static String csv(String s) {
        if (s.indexOf(',') < 0 && s.indexOf('"') < 0 && s.indexOf('\n') < 0 && s.indexOf('\r') < 0) {
            return s;
        }
        return '"' + s.replace("\"", "\"\"") + '"';
    }
}

package dev.diti4j.nn.checkpoint;

import static dev.diti4j.nn.checkpoint.CheckpointException.Kind;

import dev.diti4j.core.Shape;
import dev.diti4j.core.Tensor;
import dev.diti4j.nn.json.Json;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The safetensors file format (the Hugging Face layout, readable by its Python and Rust libraries):
 *
 * <pre>
 *   u64 little-endian N | N bytes of UTF-8 JSON header (space-padded to a multiple of 8) | data
 *   header = { "__metadata__": {string: string, ...},
 *              "&lt;name&gt;": {"dtype": "F32", "shape": [d0, d1, ...], "data_offsets": [begin, end]}, ... }
 * </pre>
 *
 * Offsets are byte ranges [begin, end) of the data section; the tensors tile it exactly (no gap,
 * no overlap, nothing after the last one); values are little-endian IEEE floats, row-major.
 *
 * <p>{@link #write} is atomic: it writes a temporary file in the target's directory, forces it to
 * disk, renames it over the target and forces the directory, so a crash leaves either the old file
 * or the complete new one, never a partial file under the target's name.
 */
public final class Safetensors {
    /** The largest header this reader accepts (the Rust reference uses the same limit). */
    public static final long MAX_HEADER_BYTES = 100_000_000L;
    static final String METADATA_KEY = "__metadata__";
    private static final int CHUNK_FLOATS = 1 << 20;

    private Safetensors() {
    }

    // ---- writing --------------------------------------------------------------------------

    /** Writes the tensors (in map order) and string metadata atomically to {@code path}. */
    public static void write(Path path, Map<String, Tensor> tensors, Map<String, String> metadata) {
        Map<String, Object> header = new LinkedHashMap<>();
        if (!metadata.isEmpty()) {
            header.put(METADATA_KEY, new LinkedHashMap<>(metadata));
        }
        long offset = 0;
        for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
            String name = e.getKey();
            if (name.isEmpty() || name.equals(METADATA_KEY)) {
                throw new IllegalArgumentException("safetensors: tensor name '" + name + "' is not allowed");
            }
            Tensor t = e.getValue();
            long bytes = 4L * t.numel();
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("dtype", "F32");
            entry.put("shape", t.shape().dims());
            entry.put("data_offsets", new long[] {offset, offset + bytes});
            header.put(name, entry);
            offset += bytes;
        }
        byte[] json = Json.write(header).getBytes(StandardCharsets.UTF_8);
        int padded = (json.length + 7) / 8 * 8;

        Path target = path.toAbsolutePath();
        Path dir = target.getParent();
        Path tmp = null;
        try {
            Files.createDirectories(dir);
            tmp = Files.createTempFile(dir, "." + target.getFileName() + ".", ".tmp");
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                ByteBuffer head = ByteBuffer.allocate(8 + padded).order(ByteOrder.LITTLE_ENDIAN);
                head.putLong(padded).put(json);
                while (head.hasRemaining()) {
                    head.put((byte) ' ');
                }
                writeFully(ch, head.flip());
                ByteBuffer buf = ByteBuffer.allocate(4 * CHUNK_FLOATS).order(ByteOrder.LITTLE_ENDIAN);
                for (Tensor t : tensors.values()) {
                    float[] data = t.toArray();
                    for (int from = 0; from < data.length; from += CHUNK_FLOATS) {
                        int n = Math.min(CHUNK_FLOATS, data.length - from);
                        buf.clear();
                        buf.asFloatBuffer().put(data, from, n);
                        buf.limit(4 * n);
                        writeFully(ch, buf);
                    }
                }
                ch.force(true);
            }
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                throw new IOException("the file system of " + dir + " cannot rename atomically", e);
            }
            tmp = null;
            forceDirectory(dir);
        } catch (IOException e) {
            throw new CheckpointException(Kind.IO, path, "cannot write: " + describe(e), e);
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // the write already failed; the leftover is a hidden .tmp file
                }
            }
        }
    }

    private static void writeFully(FileChannel ch, ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            ch.write(b);
        }
    }

    /** Makes the rename durable (POSIX: fsync the directory). Not possible on every OS; skipped there. */
    private static void forceDirectory(Path dir) {
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        } catch (IOException | UnsupportedOperationException e) {
            // Windows cannot open directories; the rename itself is still atomic
        }
    }

    // ---- reading --------------------------------------------------------------------------

    /** Reads and validates a whole file; every tensor must be F32. */
    public static SafetensorsFile read(Path path) {
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size < 8) {
                throw new CheckpointException(Kind.TRUNCATED, path, "the file is truncated: it has " + size
                        + " bytes, fewer than the 8-byte header length");
            }
            ByteBuffer lenBuf = readAt(ch, 0, 8).order(ByteOrder.LITTLE_ENDIAN);
            long n = lenBuf.getLong();
            if (n < 2 || n > MAX_HEADER_BYTES) {
                throw new CheckpointException(Kind.BAD_HEADER_LENGTH, path, "the header length field says "
                        + Long.toUnsignedString(n) + " bytes, outside the valid range 2.." + MAX_HEADER_BYTES
                        + " (not a safetensors file?)");
            }
            if (8 + n > size) {
                throw new CheckpointException(Kind.TRUNCATED, path, "the file is truncated: the header should have " + n
                        + " bytes but only " + (size - 8) + " follow the length field");
            }
            String text;
            try {
                text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT).decode(readAt(ch, 8, (int) n)).toString();
            } catch (CharacterCodingException e) {
                throw new CheckpointException(Kind.MALFORMED_HEADER, path, "the header is not valid UTF-8", e);
            }
            long dataStart = 8 + n;
            List<Entry> entries = new ArrayList<>();
            Map<String, String> metadata = parseHeader(path, text, entries);
            checkTiling(path, entries, size - dataStart);
            Map<String, SafetensorsFile.Stored> tensors = new LinkedHashMap<>();
            for (Entry e : entries) {
                float[] data = new float[(int) e.shape.numel()];
                for (int from = 0; from < data.length; from += CHUNK_FLOATS) {
                    int k = Math.min(CHUNK_FLOATS, data.length - from);
                    readAt(ch, dataStart + e.begin + 4L * from, 4 * k).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer()
                            .get(data, from, k);
                }
                tensors.put(e.name, new SafetensorsFile.Stored(e.shape, data));
            }
            return new SafetensorsFile(path, metadata, tensors);
        } catch (NoSuchFileException e) {
            throw new CheckpointException(Kind.IO, path, "no such file", e);
        } catch (IOException e) {
            throw new CheckpointException(Kind.IO, path, "cannot read: " + describe(e), e);
        }
    }

    private record Entry(String name, Shape shape, long begin, long end) {
    }

    private static Map<String, String> parseHeader(Path path, String text, List<Entry> entries) {
        Object parsed;
        try {
            parsed = Json.parse(text);
        } catch (Json.ParseException e) {
            throw new CheckpointException(Kind.MALFORMED_HEADER, path, "the header is not valid JSON: " + e.getMessage(), e);
        }
        if (!(parsed instanceof Map<?, ?> header)) {
            throw malformed(path, "the header is not a JSON object");
        }
        Map<String, String> metadata = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : header.entrySet()) {
            String name = (String) e.getKey();
            if (name.equals(METADATA_KEY)) {
                if (!(e.getValue() instanceof Map<?, ?> meta)) {
                    throw malformed(path, "\"__metadata__\" is not an object");
                }
                for (Map.Entry<?, ?> m : meta.entrySet()) {
                    if (!(m.getValue() instanceof String v)) {
                        throw malformed(path, "metadata entry " + quoted((String) m.getKey()) + " is not a string");
                    }
                    metadata.put((String) m.getKey(), v);
                }
                continue;
            }
            if (!(e.getValue() instanceof Map<?, ?> info)) {
                throw malformed(path, "the header entry of tensor " + quoted(name) + " is not an object");
            }
            Object dtype = info.get("dtype");
            if (!(dtype instanceof String dt)) {
                throw malformed(path, "tensor " + quoted(name) + " has no \"dtype\" string");
            }
            long[] dims = longs(path, name, "shape", info.get("shape"), -1);
            long[] offsets = longs(path, name, "data_offsets", info.get("data_offsets"), 2);
            if (!dt.equals("F32")) {
                throw new CheckpointException(Kind.UNKNOWN_DTYPE, path, "tensor " + quoted(name) + " has dtype "
                        + Json.quote(shorten(dt)) + ", but only F32 is supported");
            }
            int[] d = new int[dims.length];
            long nonZero = 1; // the product of the non-zero dimensions, kept below 2^31 so that it never overflows
            boolean empty = false;
            for (int i = 0; i < dims.length; i++) {
                if (dims[i] > Integer.MAX_VALUE) {
                    throw malformed(path, "tensor " + quoted(name) + " has dimension " + dims[i] + ", too large");
                }
                d[i] = (int) dims[i];
                if (d[i] == 0) {
                    empty = true;
                } else {
                    nonZero *= d[i];
                    if (nonZero > Integer.MAX_VALUE) {
                        // also for a zero-size shape: its other dimensions would overflow Shape's element count
                        throw malformed(path, "tensor " + quoted(name) + " has shape " + shorten(Arrays.toString(dims))
                                + ", whose dimensions multiply past 2^31-1");
                    }
                }
            }
            long numel = empty ? 0 : nonZero;
            Shape shape = Shape.of(d);
            long begin = offsets[0];
            long end = offsets[1];
            if (end < begin || end - begin != 4 * numel) {
                throw new CheckpointException(Kind.BAD_OFFSETS, path, "tensor " + quoted(name) + " has data_offsets ["
                        + begin + ", " + end + "), which do not hold the " + (4 * numel) + " bytes of its F32 shape "
                        + shorten(shape.toString()));
            }
            entries.add(new Entry(name, shape, begin, end));
        }
        return metadata;
    }

    /** The tensors must cover [0, dataBytes) exactly once; a short file is reported as truncated. */
    private static void checkTiling(Path path, List<Entry> entries, long dataBytes) {
        List<Entry> sorted = new ArrayList<>(entries);
        sorted.sort(Comparator.comparingLong(Entry::begin).thenComparingLong(Entry::end));
        long expected = 0;
        Entry prev = null;
        for (Entry e : sorted) {
            if (e.begin != expected) {
                throw new CheckpointException(Kind.BAD_OFFSETS, path, "tensor " + quoted(e.name) + " has data_offsets ["
                        + e.begin + ", " + e.end + ") out of place: " + (prev == null ? "the first tensor must start at 0"
                        : "the previous tensor " + quoted(prev.name) + " ends at " + expected));
            }
            expected = e.end;
            prev = e;
        }
        if (expected > dataBytes) {
            throw new CheckpointException(Kind.TRUNCATED, path, "the file is truncated: the header describes " + expected
                    + " bytes of tensor data but only " + dataBytes + " are present");
        }
        if (expected < dataBytes) {
            throw new CheckpointException(Kind.BAD_OFFSETS, path, "the file has " + (dataBytes - expected)
                    + " bytes after the end of the last tensor's data");
        }
    }

    private static long[] longs(Path path, String name, String field, Object v, int length) {
        if (!(v instanceof List<?> list) || (length >= 0 && list.size() != length)) {
            throw malformed(path, "tensor " + quoted(name) + " has no \"" + field + "\" array"
                    + (length >= 0 ? " of " + length + " integers" : ""));
        }
        long[] out = new long[list.size()];
        for (int i = 0; i < out.length; i++) {
            if (!(list.get(i) instanceof Long l) || l < 0) {
                throw malformed(path, "tensor " + quoted(name) + " has a \"" + field + "\" entry that is not a"
                        + " non-negative integer: " + shorten(Json.write(list.get(i))));
            }
            out[i] = l;
        }
        return out;
    }

    /**
     * A tensor name or metadata key from a file, for a one-line message: in single quotes, with
     * control characters escaped and at most about 80 characters.
     */
    static String quoted(String name) {
        String json = Json.quote(shorten(name));
        return "'" + json.substring(1, json.length() - 1) + "'";
    }

    private static String shorten(String text) {
        return text.length() <= 80 ? text : text.substring(0, 77) + "...";
    }

    private static CheckpointException malformed(Path path, String detail) {
        return new CheckpointException(Kind.MALFORMED_HEADER, path, detail);
    }

    private static ByteBuffer readAt(FileChannel ch, long position, int length) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(length);
        while (b.hasRemaining()) {
            int r = ch.read(b, position + b.position());
            if (r < 0) {
                throw new IOException("unexpected end of file at byte " + (position + b.position()));
            }
        }
        return b.flip();
    }

    private static String describe(IOException e) {
        String m = e.getMessage();
        return e.getClass().getSimpleName() + (m == null ? "" : " (" + m + ")");
    }
}

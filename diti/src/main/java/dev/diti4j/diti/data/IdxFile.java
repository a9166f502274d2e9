package dev.diti4j.diti.data;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * An IDX file of unsigned bytes (the MNIST format): a 4-byte magic {@code 00 00 08 n}, n
 * big-endian int32 dimensions, then the values row-major. Gzip-compressed files are recognised by
 * their own magic bytes, whatever their name.
 *
 * <p>The header is checked before anything is allocated: the dimensions must multiply to at most
 * 2^31-9 values, and a raw file must hold exactly that many bytes after its header. A compressed
 * file is read to its end, so that its gzip trailer (CRC-32 and length of the data) is checked,
 * and its values are collected in growing chunks: memory follows the data actually present, not
 * what a header claims.
 *
 * @param dims the dimensions, e.g. (60000, 28, 28) for images or (60000) for labels
 * @param data the values, as raw bytes (read them with {@code & 0xFF})
 */
public record IdxFile(int[] dims, byte[] data) {
    private static final int UNSIGNED_BYTE = 0x08;
    /** The most values one Java array holds safely. */
    static final long MAX_VALUES = Integer.MAX_VALUE - 8;
    /** Deflate cannot expand one compressed byte into more than 1032 bytes (258-byte matches in 2 bits). */
    private static final long MAX_GZIP_RATIO = 1032;
    private static final int CHUNK = 1 << 20;

    /** Reads a raw or gzip-compressed IDX file of unsigned bytes. */
    public static IdxFile read(Path path) {
        String name = path.toString();
        try (InputStream raw = new BufferedInputStream(Files.newInputStream(path), 1 << 16)) {
            long fileBytes = Files.size(path);
            raw.mark(2);
            int b0 = raw.read();
            int b1 = raw.read();
            raw.reset();
            if (b0 == 0x1f && b1 == 0x8b) {
                try (InputStream in = new GZIPInputStream(raw, 1 << 16)) {
                    return read(in, name, -1, MAX_GZIP_RATIO * fileBytes);
                } catch (EOFException e) {
                    throw new DatasetException("IDX file " + name + " is truncated: it ends inside its compressed data");
                } catch (ZipException e) {
                    throw corruptGzip(name, e);
                }
            }
            return read(raw, name, fileBytes, fileBytes);
        } catch (NoSuchFileException e) {
            throw new DatasetException("IDX file " + path + " does not exist");
        } catch (IOException e) {
            throw new DatasetException("cannot read IDX file " + path + ": " + e.getMessage(), e);
        }
    }

    private static DatasetException corruptGzip(String name, ZipException e) {
        String m = e.getMessage() == null ? "" : e.getMessage();
        if (m.contains("trailer")) {
            return new DatasetException("IDX file " + name + " is corrupt: its gzip trailer (CRC-32 and length) does not"
                    + " match the decompressed data; download it again", e);
        }
        return new DatasetException("IDX file " + name + " is corrupt: its gzip data cannot be decompressed ("
                + DatasetException.printable(m, 80) + "); download it again", e);
    }

    /**
     * Reads an IDX stream (already decompressed) to its end; {@code name} appears in error
     * messages. Bytes after the declared values are an error.
     */
    public static IdxFile read(InputStream in, String name) throws IOException {
        return read(in, name, -1, Long.MAX_VALUE);
    }

    /**
     * @param exactBytes the stream's length when known (a raw file), else -1
     * @param maxBytes   the most bytes the stream can hold (for a gzip file: its length times the
     *                   largest deflate ratio)
     */
    private static IdxFile read(InputStream in, String name, long exactBytes, long maxBytes) throws IOException {
        byte[] magic = in.readNBytes(4);
        if (magic.length < 4) {
            throw new DatasetException("IDX file " + name + " is truncated: it has fewer than 4 bytes");
        }
        if (magic[0] != 0 || magic[1] != 0) {
            throw new DatasetException(String.format("%s is not an IDX file: bad magic %02x %02x %02x %02x"
                    + " (expected 00 00 08 <rank>)", name, magic[0], magic[1], magic[2], magic[3]));
        }
        if (magic[2] != UNSIGNED_BYTE) {
            throw new DatasetException(String.format("IDX file %s holds element type 0x%02x; only unsigned bytes"
                    + " (0x08) are supported", name, magic[2]));
        }
        int rank = magic[3];
        if (rank < 1 || rank > 4) {
            throw new DatasetException("IDX file " + name + " declares " + rank + " dimensions; expected 1 to 4");
        }
        int[] dims = new int[rank];
        for (int i = 0; i < rank; i++) {
            byte[] b = in.readNBytes(4);
            if (b.length < 4) {
                throw new DatasetException("IDX file " + name + " is truncated inside its header");
            }
            dims[i] = ((b[0] & 0xFF) << 24) | ((b[1] & 0xFF) << 16) | ((b[2] & 0xFF) << 8) | (b[3] & 0xFF);
            if (dims[i] < 0) {
                throw new DatasetException("IDX file " + name + " declares a negative dimension " + dims[i]);
            }
        }
        long count = count(dims, name);
        long headerBytes = 4 + 4L * rank;
        if (exactBytes >= 0 && count != exactBytes - headerBytes) {
            long present = exactBytes - headerBytes;
            if (present < count) {
                throw truncated(name, dims, count, present);
            }
            throw trailing(name, dims, count, present - count);
        }
        if (count > maxBytes) {
            throw new DatasetException("IDX file " + name + " declares " + shapeString(dims) + " = " + count
                    + " values, more than its " + maxBytes / MAX_GZIP_RATIO + " compressed bytes can hold");
        }
        byte[] data = exactBytes >= 0 ? new byte[(int) count] : new byte[(int) Math.min(count, CHUNK)];
        int got = 0;
        while (got < count) {
            if (got == data.length) {
                data = Arrays.copyOf(data, (int) Math.min(count, 2L * data.length));
            }
            int r = in.read(data, got, data.length - got);
            if (r < 0) {
                throw truncated(name, dims, count, got);
            }
            got += r;
        }
        // Read on to the end: this is where a gzip stream checks its trailer, and where extra data shows.
        if (in.read() >= 0) {
            throw new DatasetException("IDX file " + name + " has more data after the " + shapeString(dims) + " = "
                    + count + " values its header declares (a different or damaged file?)");
        }
        return new IdxFile(dims, data);
    }

    /** The product of the dimensions; fails once it passes {@link #MAX_VALUES}, even when a dimension is 0. */
    private static long count(int[] dims, String name) {
        long nonZero = 1;
        boolean empty = false;
        for (int d : dims) {
            if (d == 0) {
                empty = true;
                continue;
            }
            nonZero *= d;   // both factors are below 2^31: no overflow
            if (nonZero > MAX_VALUES) {
                throw new DatasetException("IDX file " + name + " declares dimensions " + shapeString(dims)
                        + ", which multiply past the " + MAX_VALUES + " values one array holds (a corrupt header?)");
            }
        }
        return empty ? 0 : nonZero;
    }

    private static DatasetException truncated(String name, int[] dims, long count, long present) {
        return new DatasetException("IDX file " + name + " is truncated: its header declares " + shapeString(dims) + " = "
                + count + " values but only " + present + " are present");
    }

    private static DatasetException trailing(String name, int[] dims, long count, long extra) {
        return new DatasetException("IDX file " + name + " has " + extra + " bytes after the " + shapeString(dims)
                + " = " + count + " values its header declares (a different or damaged file?)");
    }

    static String shapeString(int[] dims) {
        return String.join("x", Arrays.stream(dims).mapToObj(Integer::toString).toList());
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof IdxFile f && Arrays.equals(f.dims, dims) && Arrays.equals(f.data, data);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(dims) + Arrays.hashCode(data);
    }

    @Override
    public String toString() {
        return "IdxFile(" + shapeString(dims) + ")";
    }
}

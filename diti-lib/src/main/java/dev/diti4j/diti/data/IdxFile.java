package dev.diti4j.diti.data;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPInputStream;

/**
 * An IDX file of unsigned bytes (the MNIST format): a 4-byte magic {@code 00 00 08 n}, n
 * big-endian int32 dimensions, then the values row-major. Gzip-compressed files are recognised by
 * their own magic bytes, whatever their name.
 *
 * @param dims the dimensions, e.g. (60000, 28, 28) for images or (60000) for labels
 * @param data the values, as raw bytes (read them with {@code & 0xFF})
 */
public record IdxFile(int[] dims, byte[] data) {
    private static final int UNSIGNED_BYTE = 0x08;

    /** Reads a raw or gzip-compressed IDX file of unsigned bytes. */
    public static IdxFile read(Path path) {
        try (InputStream raw = new BufferedInputStream(Files.newInputStream(path), 1 << 16)) {
            raw.mark(2);
            int b0 = raw.read();
            int b1 = raw.read();
            raw.reset();
            boolean gzip = b0 == 0x1f && b1 == 0x8b;
            try (InputStream in = gzip ? new BufferedInputStream(new GZIPInputStream(raw, 1 << 16), 1 << 16) : raw) {
                return read(in, path.toString());
            }
        } catch (NoSuchFileException e) {
            throw new DatasetException("IDX file " + path + " does not exist");
        } catch (EOFException e) {
            throw new DatasetException("IDX file " + path + " is truncated: it ends inside its compressed data");
        } catch (IOException e) {
            throw new DatasetException("cannot read IDX file " + path + ": " + e.getMessage(), e);
        }
    }

    /** Reads an IDX stream (already decompressed); {@code name} appears in error messages. */
    public static IdxFile read(InputStream in, String name) throws IOException {
        DataInputStream d = new DataInputStream(in);
        byte[] magic = new byte[4];
        if (d.readNBytes(magic, 0, 4) < 4) {
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
        long count = 1;
        for (int i = 0; i < rank; i++) {
            byte[] b = new byte[4];
            if (d.readNBytes(b, 0, 4) < 4) {
                throw new DatasetException("IDX file " + name + " is truncated inside its header");
            }
            dims[i] = ((b[0] & 0xFF) << 24) | ((b[1] & 0xFF) << 16) | ((b[2] & 0xFF) << 8) | (b[3] & 0xFF);
            if (dims[i] < 0) {
                throw new DatasetException("IDX file " + name + " declares a negative dimension " + dims[i]);
            }
            count *= dims[i];
        }
        if (count > Integer.MAX_VALUE - 8) {
            throw new DatasetException("IDX file " + name + " declares " + count + " values, more than one array holds");
        }
        byte[] data = new byte[(int) count];
        int got = d.readNBytes(data, 0, data.length);
        if (got < data.length) {
            throw new DatasetException("IDX file " + name + " is truncated: its header declares "
                    + shapeString(dims) + " = " + count + " values but only " + got + " are present");
        }
        return new IdxFile(dims, data);
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

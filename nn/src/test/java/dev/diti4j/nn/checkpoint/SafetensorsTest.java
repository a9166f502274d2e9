package dev.diti4j.nn.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.diti4j.core.Device;
import dev.diti4j.core.Tensor;
import dev.diti4j.core.TensorException;
import dev.diti4j.nn.checkpoint.CheckpointException.Kind;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafetensorsTest {
    @TempDir
    Path dir;

    /** A file laid out by hand: u64 LE header length, header, data. */
    static byte[] raw(String header, byte[] data) {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(8 + h.length + data.length).order(ByteOrder.LITTLE_ENDIAN)
                .putLong(h.length).put(h).put(data).array();
    }

    static byte[] floats(float... v) {
        ByteBuffer b = ByteBuffer.allocate(4 * v.length).order(ByteOrder.LITTLE_ENDIAN);
        for (float f : v) {
            b.putFloat(f);
        }
        return b.array();
    }

    private Path file(String name, byte[] bytes) throws IOException {
        Path p = dir.resolve(name);
        Files.write(p, bytes);
        return p;
    }

    private CheckpointException fails(Path p) {
        return assertThrows(CheckpointException.class, () -> Safetensors.read(p));
    }

    private List<Path> listDir() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.toList();
        }
    }

    @Test
    void roundTripIsBitIdentical() throws IOException {
        float[] special = {0f, -0f, Float.MIN_VALUE, -Float.MAX_VALUE, Float.POSITIVE_INFINITY,
                Float.intBitsToFloat(0x7fc12345), 1.1754942E-38f, (float) Math.PI};
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        tensors.put("special", Tensor.of(special, 2, 4));
        tensors.put("scalar", Tensor.of(new float[] {42.5f}));
        tensors.put("block.weight", Tensor.randn(new dev.diti4j.core.random.Philox(3), Device.CPU, 3, 5, 7));
        Path p = dir.resolve("a.safetensors");
        Safetensors.write(p, tensors, Map.of("note", "héllo \"quoted\"\n"));
        SafetensorsFile f = Safetensors.read(p);
        assertEquals(List.of("special", "scalar", "block.weight"), List.copyOf(f.names()));
        assertEquals(Map.of("note", "héllo \"quoted\"\n"), f.metadata());
        for (var e : tensors.entrySet()) {
            assertEquals(e.getValue().shape(), f.shape(e.getKey()));
            float[] want = e.getValue().toArray();
            float[] got = f.data(e.getKey());
            for (int i = 0; i < want.length; i++) {
                assertEquals(Float.floatToRawIntBits(want[i]), Float.floatToRawIntBits(got[i]), e.getKey() + "[" + i + "]");
            }
        }
        // layout: header length is a multiple of 8 and the data section is exactly the tensors' bytes
        byte[] bytes = Files.readAllBytes(p);
        long n = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getLong();
        assertEquals(0, n % 8);
        assertEquals(8 + n + 4 * (8 + 1 + 105), bytes.length);
        String header = new String(bytes, 8, (int) n, StandardCharsets.UTF_8);
        assertTrue(header.contains("\"special\":{\"dtype\":\"F32\",\"shape\":[2,4],\"data_offsets\":[0,32]}"), header);
        assertTrue(header.contains("\"scalar\":{\"dtype\":\"F32\",\"shape\":[],\"data_offsets\":[32,36]}"), header);
        assertEquals(List.of(p), listDir(), "no temporary file is left behind");
    }

    @Test
    void readsAHandWrittenFileInTheReferenceLayout() throws IOException {
        // key order, no padding and metadata last, as other writers may produce
        Path p = file("hand.safetensors", raw("{\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,12]},"
                + "\"a\":{\"dtype\":\"F32\",\"shape\":[2,1],\"data_offsets\":[0,8]},\"__metadata__\":{\"k\":\"v\"}}",
                floats(1.5f, -2f, 3f)));
        SafetensorsFile f = Safetensors.read(p);
        assertArrayEquals(new float[] {1.5f, -2f}, f.data("a"));
        assertArrayEquals(new float[] {3f}, f.data("b"));
        assertArrayEquals(new int[] {2, 1}, f.tensor("a", Device.CPU).shape().dims());
        assertEquals("v", f.metadata().get("k"));
    }

    @Test
    void overwriteIsAtomicAndAFailedWriteKeepsTheOldFile() throws IOException {
        Path p = dir.resolve("ckpt.safetensors");
        Safetensors.write(p, Map.of("w", Tensor.of(new float[] {1f, 2f}, 2)), Map.of());
        Safetensors.write(p, Map.of("w", Tensor.of(new float[] {3f, 4f}, 2)), Map.of());
        assertArrayEquals(new float[] {3f, 4f}, Safetensors.read(p).data("w"));

        Tensor released = Tensor.of(new float[] {5f}, 1);
        released.release();
        Map<String, Tensor> bad = new LinkedHashMap<>();
        bad.put("w", Tensor.of(new float[] {9f, 9f}, 2));
        bad.put("gone", released); // fails after the temporary file has been started
        assertThrows(TensorException.Released.class, () -> Safetensors.write(p, bad, Map.of()));
        assertArrayEquals(new float[] {3f, 4f}, Safetensors.read(p).data("w"), "the old checkpoint is intact");
        assertEquals(List.of(p), listDir(), "the temporary file was removed");
    }

    @Test
    void missingFile() {
        CheckpointException e = fails(dir.resolve("nope.safetensors"));
        assertEquals(Kind.IO, e.kind());
        assertEquals("checkpoint " + dir.resolve("nope.safetensors") + ": no such file", e.getMessage());
    }

    @Test
    void truncatedFiles() throws IOException {
        Path good = dir.resolve("good.safetensors");
        Safetensors.write(good, Map.of("w", Tensor.of(new float[] {1f, 2f, 3f}, 3)), Map.of());
        byte[] bytes = Files.readAllBytes(good);

        CheckpointException tail = fails(file("t1", java.util.Arrays.copyOf(bytes, bytes.length - 5)));
        assertEquals(Kind.TRUNCATED, tail.kind());
        assertTrue(tail.getMessage().endsWith("the file is truncated: the header describes 12 bytes of tensor data"
                + " but only 7 are present"), tail.getMessage());

        CheckpointException inHeader = fails(file("t2", java.util.Arrays.copyOf(bytes, 20)));
        assertEquals(Kind.TRUNCATED, inHeader.kind());
        assertTrue(inHeader.getMessage().contains("the header should have"), inHeader.getMessage());

        CheckpointException tiny = fails(file("t3", new byte[] {1, 2, 3}));
        assertEquals(Kind.TRUNCATED, tiny.kind());
        assertTrue(tiny.getMessage().endsWith("the file is truncated: it has 3 bytes, fewer than the 8-byte header length"));
    }

    @Test
    void badHeaderLength() throws IOException {
        byte[] huge = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(-1L).putLong(0).array();
        CheckpointException e = fails(file("h1", huge));
        assertEquals(Kind.BAD_HEADER_LENGTH, e.kind());
        assertTrue(e.getMessage().endsWith("the header length field says 18446744073709551615 bytes, outside the valid"
                + " range 2..100000000 (not a safetensors file?)"), e.getMessage());
        byte[] zero = new byte[12];
        assertEquals(Kind.BAD_HEADER_LENGTH, fails(file("h2", zero)).kind());
    }

    @Test
    void malformedHeaders() throws IOException {
        CheckpointException json = fails(file("m1", raw("{\"w\":{\"dtype\":\"F32\",", new byte[0])));
        assertEquals(Kind.MALFORMED_HEADER, json.kind());
        assertTrue(json.getMessage().contains("the header is not valid JSON: "), json.getMessage());

        assertEquals(Kind.MALFORMED_HEADER, fails(file("m2", raw("[1,2]", new byte[0]))).kind());
        CheckpointException noShape = fails(file("m3", raw("{\"w\":{\"dtype\":\"F32\",\"data_offsets\":[0,4]}}",
                floats(1f))));
        assertEquals(Kind.MALFORMED_HEADER, noShape.kind());
        assertTrue(noShape.getMessage().endsWith("tensor 'w' has no \"shape\" array"), noShape.getMessage());
        CheckpointException meta = fails(file("m4", raw("{\"__metadata__\":{\"step\":3}}", new byte[0])));
        assertTrue(meta.getMessage().endsWith("metadata entry 'step' is not a string"), meta.getMessage());
        byte[] notUtf8 = raw("{\"x\":1}", new byte[0]);
        notUtf8[10] = (byte) 0xC3; // a lead byte without its continuation
        assertEquals(Kind.MALFORMED_HEADER, fails(file("m5", notUtf8)).kind());
    }

    @Test
    void unknownDtype() throws IOException {
        CheckpointException e = fails(file("d", raw("{\"w\":{\"dtype\":\"BF16\",\"shape\":[2],\"data_offsets\":[0,4]}}",
                new byte[4])));
        assertEquals(Kind.UNKNOWN_DTYPE, e.kind());
        assertTrue(e.getMessage().endsWith("tensor 'w' has dtype \"BF16\", but only F32 is supported"), e.getMessage());
    }

    @Test
    void dataOffsetsOutOfRange() throws IOException {
        CheckpointException beyond = fails(file("o1", raw(
                "{\"w\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[16,32]}}", floats(1, 2, 3, 4))));
        assertEquals(Kind.BAD_OFFSETS, beyond.kind());
        assertTrue(beyond.getMessage().endsWith("tensor 'w' has data_offsets [16, 32) out of place: the first tensor"
                + " must start at 0"), beyond.getMessage());

        CheckpointException size = fails(file("o2", raw(
                "{\"w\":{\"dtype\":\"F32\",\"shape\":[2,2],\"data_offsets\":[0,12]}}", floats(1, 2, 3))));
        assertEquals(Kind.BAD_OFFSETS, size.kind());
        assertTrue(size.getMessage().endsWith("tensor 'w' has data_offsets [0, 12), which do not hold the 16 bytes of"
                + " its F32 shape (2,2)"), size.getMessage());

        CheckpointException overlap = fails(file("o3", raw("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}", floats(1, 2, 3))));
        assertEquals(Kind.BAD_OFFSETS, overlap.kind());
        assertTrue(overlap.getMessage().contains("the previous tensor 'a' ends at 8"), overlap.getMessage());

        CheckpointException trailing = fails(file("o4", raw(
                "{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", floats(1, 2))));
        assertEquals(Kind.BAD_OFFSETS, trailing.kind());
        assertTrue(trailing.getMessage().endsWith("the file has 4 bytes after the end of the last tensor's data"));
    }

    @Test
    void shapesWhoseDimensionsMultiplyPast2To31AreRefusedEvenWithAZero() throws IOException {
        // The old check multiplied in double: Infinity * 0 = NaN passed it, then Shape threw ArithmeticException.
        String dims = "[2147483647,2147483647,2147483647,2147483647,2147483647,2147483647,2147483647,2147483647,"
                + "2147483647,2147483647,2147483647,2147483647,2147483647,2147483647,2147483647,2147483647,0]";
        CheckpointException e = fails(file("z", raw("{\"w\":{\"dtype\":\"F32\",\"shape\":" + dims
                + ",\"data_offsets\":[0,0]}}", new byte[0])));
        assertEquals(Kind.MALFORMED_HEADER, e.kind());
        assertTrue(e.getMessage().contains("tensor 'w' has shape [2147483647, 2147483647, 2147483647, 2147483647,"),
                e.getMessage());
        assertTrue(e.getMessage().endsWith("..., whose dimensions multiply past 2^31-1"), e.getMessage());
        // A plain zero-size tensor is still fine.
        SafetensorsFile f = Safetensors.read(file("z0", raw("{\"w\":{\"dtype\":\"F32\",\"shape\":[3,0],"
                + "\"data_offsets\":[0,0]}}", new byte[0])));
        assertEquals(0, f.data("w").length);
    }

    @Test
    void namesFromTheFileAreEscapedInMessages() throws IOException {
        CheckpointException e = fails(file("n", raw("{\"a\\nb\\u2028\":{\"dtype\":\"F16\",\"shape\":[1],"
                + "\"data_offsets\":[0,2]}}", new byte[2])));
        assertTrue(e.getMessage().endsWith("tensor 'a\\nb\\u2028' has dtype \"F16\", but only F32 is supported"),
                e.getMessage());
    }
}

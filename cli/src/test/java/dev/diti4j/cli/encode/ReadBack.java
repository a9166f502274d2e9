package dev.diti4j.cli.encode;

import com.fasterxml.jackson.databind.JsonNode;
import dev.diti4j.cli.run.RunFolder;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Independent readers of the .npy and .safetensors files encode writes, for the tests. */
final class ReadBack {
    private ReadBack() {
    }

    /** An .npy file: its header dictionary text and its float32 values. */
    record Npy(String header, float[] values) {
    }

    static Npy npy(Path p) throws Exception {
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(p)).order(ByteOrder.LITTLE_ENDIAN);
        byte[] magic = new byte[6];
        b.get(magic);
        if (magic[0] != (byte) 0x93 || !new String(magic, 1, 5, StandardCharsets.US_ASCII).equals("NUMPY")) {
            throw new AssertionError("not an .npy file: " + p);
        }
        if (b.get() != 1 || b.get() != 0) {
            throw new AssertionError("not version 1.0");
        }
        int len = Short.toUnsignedInt(b.getShort());
        if ((10 + len) % 64 != 0) {
            throw new AssertionError("data does not start at a multiple of 64: " + (10 + len));
        }
        byte[] h = new byte[len];
        b.get(h);
        float[] v = new float[b.remaining() / 4];
        b.asFloatBuffer().get(v);
        return new Npy(new String(h, StandardCharsets.US_ASCII), v);
    }

    /** A safetensors file: its header and its data section. */
    record St(JsonNode header, ByteBuffer data) {
        float[] floats(String name) {
            long[] o = offsets(name);
            float[] v = new float[(int) ((o[1] - o[0]) / 4)];
            data.duplicate().order(ByteOrder.LITTLE_ENDIAN).position((int) o[0]).slice().order(ByteOrder.LITTLE_ENDIAN)
                    .asFloatBuffer().get(v);
            return v;
        }

        int[] ints(String name) {
            long[] o = offsets(name);
            int[] v = new int[(int) ((o[1] - o[0]) / 4)];
            data.duplicate().position((int) o[0]).slice().order(ByteOrder.LITTLE_ENDIAN).asIntBuffer().get(v);
            return v;
        }

        private long[] offsets(String name) {
            JsonNode o = header.get(name).get("data_offsets");
            return new long[] {o.get(0).asLong(), o.get(1).asLong()};
        }
    }

    static St safetensors(Path p) throws Exception {
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(p)).order(ByteOrder.LITTLE_ENDIAN);
        long n = b.getLong();
        byte[] h = new byte[(int) n];
        b.get(h);
        JsonNode header = RunFolder.json().readTree(new String(h, StandardCharsets.UTF_8));
        return new St(header, b.slice().order(ByteOrder.LITTLE_ENDIAN));
    }
}

package dev.diti4j.core;

/** Element types. Tensors are float32; the enum exists so formats and kernels can name it. */
public enum DType {
    FLOAT32(4);

    private final int bytes;

    DType(int bytes) {
        this.bytes = bytes;
    }

    public int bytes() {
        return bytes;
    }
}

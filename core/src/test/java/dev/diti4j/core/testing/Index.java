package dev.diti4j.core.testing;

/** Row-major index arithmetic for the reference kernels. */
final class Index {
    private Index() {
    }

    /** Writes the multi-index of flat position {@code flat} in an array of dimensions {@code dims}. */
    static void unravel(long flat, int[] dims, int[] idx) {
        for (int a = dims.length - 1; a >= 0; a--) {
            idx[a] = (int) (flat % dims[a]);
            flat /= dims[a];
        }
    }

    /**
     * The flat offset, in an operand of dimensions {@code dims} (rank at most idx.length, aligned
     * at the last axis, NumPy style), of the element that broadcasts to output index {@code idx}.
     */
    static int broadcastOffset(int[] idx, int[] dims) {
        int lead = idx.length - dims.length;
        long off = 0;
        for (int a = 0; a < dims.length; a++) {
            int i = dims[a] == 1 ? 0 : idx[lead + a];
            off = off * dims[a] + i;
        }
        return Math.toIntExact(off);
    }
}

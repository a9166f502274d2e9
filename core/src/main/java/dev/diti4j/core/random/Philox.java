package dev.diti4j.core.random;

/**
 * Philox4x32-10 (Salmon et al., "Parallel random numbers: as easy as 1, 2, 3", SC 2011): a
 * counter-based generator. Block {@code c} of the stream with key {@code k} is
 * {@code philox(counter = (lo32(c), hi32(c), 0, 0), key = (lo32(k), hi32(k)))}, four 32-bit
 * words computed independently of every other block, so any device can produce any part of the
 * stream in parallel and get the same bits.
 *
 * <h2>The stream, exactly (every backend reproduces it)</h2>
 * <ul>
 *   <li>A generator holds a key (its seed) and an offset, the next unused block. A draw of
 *       {@code n} values uses blocks {@code offset .. offset + ceil(n/4) - 1}; element i reads
 *       word {@code i % 4} of block {@code offset + i / 4}; the offset then advances by
 *       {@code ceil(n/4)}.</li>
 *   <li>Uniform: {@code u = (w >>> 8) * 2^-24}, in [0, 1). Bit-identical on every device.</li>
 *   <li>Normal: words (0,1) and (2,3) of a block form Box-Muller pairs. With
 *       {@code u1 = ((w0 >>> 8) + 1) * 2^-24} in (0, 1] and {@code u2 = (w1 >>> 8) * 2^-24},
 *       {@code r = sqrt(-2 ln u1)}, element 0 is {@code r cos(2 pi u2)} and element 1 is
 *       {@code r sin(2 pi u2)} (likewise 2 and 3), evaluated in double precision and rounded to
 *       float. Devices agree to within one float ulp (their double-precision libm may differ
 *       in the last double bit).</li>
 * </ul>
 *
 * <p>Not thread-safe: give each thread its own generator (e.g. {@link #fork}).
 */
public final class Philox {
    private static final int M0 = 0xD2511F53;
    private static final int M1 = 0xCD9E8D57;
    private static final int W0 = 0x9E3779B9;
    private static final int W1 = 0xBB67AE85;
    private static final float INV_2_24 = 1.0f / (1 << 24);

    private final long key;
    private long offset;

    /** A generator seeded with {@code seed}, at the start of its stream. */
    public Philox(long seed) {
        this(seed, 0);
    }

    /** A generator at a given block offset (to restore a saved state). */
    public Philox(long seed, long offset) {
        this.key = seed;
        this.offset = offset;
    }

    public long key() {
        return key;
    }

    /** The next unused block. Saving (key, offset) saves the whole generator. */
    public long offset() {
        return offset;
    }

    /**
     * Reserves the blocks a draw of {@code n} values uses and returns the first of them.
     */
    public long reserve(long n) {
        long start = offset;
        offset += (n + 3) / 4;
        return start;
    }

    /** An independent generator derived from this one's key and a stream id. */
    public Philox fork(long streamId) {
        int[] w = block(key, streamId ^ 0x5DEECE66DL);
        return new Philox(((long) w[0] << 32) | (w[1] & 0xFFFFFFFFL));
    }

    /** One uniform float in [0, 1), consuming a whole block. */
    public float nextUniform() {
        return uniform(block(key, reserve(1))[0]);
    }

    /** A uniform int in [0, bound), consuming a whole block. */
    public int nextInt(int bound) {
        if (bound <= 0) {
            throw new IllegalArgumentException("bound must be positive, got " + bound);
        }
        long w = block(key, reserve(1))[0] & 0xFFFFFFFFL;
        return (int) ((w * bound) >>> 32);
    }

    /** Computes one block: the four output words for (counter, key). */
    public static int[] block(long key, long counter) {
        int[] out = new int[4];
        block(key, counter, out);
        return out;
    }

    /** Computes one block into {@code out[0..4)}. */
    public static void block(long key, long counter, int[] out) {
        philox4x32x10((int) counter, (int) (counter >>> 32), 0, 0, (int) key, (int) (key >>> 32), out);
    }

    /** The raw Philox4x32-10 bijection of a full 128-bit counter under a 64-bit key. */
    public static void philox4x32x10(int c0, int c1, int c2, int c3, int k0, int k1, int[] out) {
        for (int round = 0; round < 10; round++) {
            long p0 = (M0 & 0xFFFFFFFFL) * (c0 & 0xFFFFFFFFL);
            long p1 = (M1 & 0xFFFFFFFFL) * (c2 & 0xFFFFFFFFL);
            int n0 = (int) (p1 >>> 32) ^ c1 ^ k0;
            int n2 = (int) (p0 >>> 32) ^ c3 ^ k1;
            c1 = (int) p1;
            c3 = (int) p0;
            c0 = n0;
            c2 = n2;
            k0 += W0;
            k1 += W1;
        }
        out[0] = c0;
        out[1] = c1;
        out[2] = c2;
        out[3] = c3;
    }

    /** The uniform mapping of one word. */
    public static float uniform(int word) {
        return (word >>> 8) * INV_2_24;
    }

    /**
     * Fills {@code out[from..to)} with elements {@code from..to} of the draw that starts at block
     * {@code counter}: the reference implementation of the stream for host code.
     */
    public static void fill(boolean normal, long key, long counter, float[] out, int from, int to) {
        int[] w = new int[4];
        long cachedBlock = -1;
        for (int i = from; i < to; i++) {
            long b = counter + i / 4;
            if (b != cachedBlock) {
                block(key, b, w);
                cachedBlock = b;
            }
            int lane = i & 3;
            out[i] = normal ? normal(w, lane) : uniform(w[lane]);
        }
    }

    /**
     * Box-Muller on the pair of words that holds lane {@code lane}. The logarithm and the sine and
     * cosine are {@link StrictMath}'s, whose results the Java specification fixes to the bit, so
     * the stream is the same in every JIT tier and on every JVM ({@link Math}'s may differ).
     */
    public static float normal(int[] w, int lane) {
        int p = lane & 2;
        double u1 = ((w[p] >>> 8) + 1) * (1.0 / (1 << 24));
        double u2 = (w[p + 1] >>> 8) * (1.0 / (1 << 24));
        double r = Math.sqrt(-2.0 * StrictMath.log(u1));
        double a = 2.0 * Math.PI * u2;
        return (float) ((lane & 1) == 0 ? r * StrictMath.cos(a) : r * StrictMath.sin(a));
    }
}

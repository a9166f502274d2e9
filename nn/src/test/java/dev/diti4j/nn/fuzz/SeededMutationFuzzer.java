package dev.diti4j.nn.fuzz;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * A small seeded mutation fuzzer of our own, for the normal test run: it derives inputs from a
 * corpus of seed files by stacking one to eight random edits (bit flips, interesting bytes and
 * integers in both byte orders, deletions, duplications, insertions, truncation, splicing two
 * seeds, dictionary tokens, rewritten decimal numbers), driven by a {@link Random} with a fixed
 * seed, so every run tries the same inputs and a failure reproduces. It has no coverage feedback:
 * Jazzer ({@code JAZZER_FUZZ=1}, see docs/internals/testing.md) is the tool for long sessions;
 * this is a fixed, fast sweep around the seeds that runs in CI.
 *
 * <p>A failing input is written to {@code target/fuzz-failures/} and named in the error, ready
 * to be copied into the test's Jazzer inputs folder as a regression seed.
 */
public final class SeededMutationFuzzer {
    /** The seed of every run unless a test picks another. */
    public static final long DEFAULT_SEED = 0x5EED_D171L;
    private static final int MAX_INPUT = 1 << 16;
    private static final long[] INTERESTING = {0, 1, 2, 3, 4, 7, 8, 16, 28, 32, 64, 127, 128, 255, 256, 1023, 1024,
        4096, 65535, 65536, 1 << 21, 1 << 22, 100_000_000, Integer.MAX_VALUE - 8, Integer.MAX_VALUE,
        Integer.MIN_VALUE, -1, -2, 1L << 31, 1L << 32, Long.MAX_VALUE, Long.MIN_VALUE};

    private final Random rnd;
    private final List<byte[]> seeds;
    private final List<byte[]> dictionary;

    public SeededMutationFuzzer(long seed, List<byte[]> seeds, List<String> dictionary) {
        if (seeds.isEmpty()) {
            throw new IllegalArgumentException("a mutation fuzzer needs at least one seed");
        }
        this.rnd = new Random(seed);
        this.seeds = List.copyOf(seeds);
        this.dictionary = dictionary.stream().map(s -> s.getBytes(StandardCharsets.UTF_8)).toList();
    }

    /**
     * Runs {@code check} on every seed, then on {@code iterations} mutated inputs.
     *
     * @param name a file-name-safe name for saved failures
     */
    public void run(String name, int iterations, Consumer<byte[]> check) {
        for (int i = -seeds.size(); i < iterations; i++) {
            byte[] input = i < 0 ? seeds.get(seeds.size() + i) : next();
            try {
                check.accept(input);
            } catch (AssertionError | RuntimeException e) {
                throw new AssertionError("seeded fuzzing of " + name + " failed at iteration " + i + " (input saved as "
                        + save(name, i, input) + "): " + e.getMessage(), e);
            }
        }
    }

    /** The next mutated input. */
    public byte[] next() {
        byte[] b = seeds.get(rnd.nextInt(seeds.size()));
        int edits = 1 + rnd.nextInt(rnd.nextInt(4) == 0 ? 8 : 3);
        for (int k = 0; k < edits; k++) {
            b = mutate(b);
        }
        return b.length > MAX_INPUT ? Arrays.copyOf(b, MAX_INPUT) : b;
    }

    private byte[] mutate(byte[] b) {
        int n = b.length;
        switch (rnd.nextInt(13)) {
            case 0 -> { // flip one bit
                if (n > 0) {
                    b = b.clone();
                    b[rnd.nextInt(n)] ^= (byte) (1 << rnd.nextInt(8));
                }
            }
            case 1 -> { // a random byte
                if (n > 0) {
                    b = b.clone();
                    b[rnd.nextInt(n)] = (byte) rnd.nextInt(256);
                }
            }
            case 2 -> { // an interesting byte
                if (n > 0) {
                    b = b.clone();
                    byte[] bytes = {0, 1, 0x7f, (byte) 0x80, (byte) 0xff, ' ', '\n', '\r', '\t', '"', '\\', '-', '0', '9',
                        '{', '}', '[', ']', ',', ':', 0x1f, (byte) 0xc3, (byte) 0xe2};
                    b[rnd.nextInt(n)] = bytes[rnd.nextInt(bytes.length)];
                }
            }
            case 3, 4 -> { // an interesting integer, 1, 2, 4 or 8 bytes, big- or little-endian
                int width = 1 << rnd.nextInt(4);
                if (n >= width) {
                    b = b.clone();
                    long v = INTERESTING[rnd.nextInt(INTERESTING.length)];
                    if (rnd.nextBoolean()) {
                        v += rnd.nextInt(5) - 2;
                    }
                    int at = rnd.nextInt(n - width + 1);
                    boolean big = rnd.nextBoolean();
                    for (int i = 0; i < width; i++) {
                        int shift = 8 * (big ? width - 1 - i : i);
                        b[at + i] = (byte) (v >>> shift);
                    }
                }
            }
            case 5 -> { // delete a range
                if (n > 0) {
                    int at = rnd.nextInt(n);
                    int len = 1 + rnd.nextInt(Math.min(n - at, rnd.nextBoolean() ? 4 : 64));
                    b = concat(Arrays.copyOf(b, at), Arrays.copyOfRange(b, at + len, n));
                }
            }
            case 6 -> { // duplicate a range in place
                if (n > 0) {
                    int at = rnd.nextInt(n);
                    int len = 1 + rnd.nextInt(Math.min(n - at, 64));
                    int to = rnd.nextInt(n + 1);
                    b = concat(Arrays.copyOf(b, to), Arrays.copyOfRange(b, at, at + len), Arrays.copyOfRange(b, to, n));
                }
            }
            case 7 -> { // insert random bytes
                byte[] ins = new byte[1 + rnd.nextInt(8)];
                rnd.nextBytes(ins);
                int to = rnd.nextInt(n + 1);
                b = concat(Arrays.copyOf(b, to), ins, Arrays.copyOfRange(b, to, n));
            }
            case 8 -> { // truncate
                if (n > 0) {
                    b = Arrays.copyOf(b, rnd.nextInt(n));
                }
            }
            case 9 -> { // splice: the head of this input and the tail of a seed
                byte[] other = seeds.get(rnd.nextInt(seeds.size()));
                int cut = rnd.nextInt(n + 1);
                int from = rnd.nextInt(other.length + 1);
                b = concat(Arrays.copyOf(b, cut), Arrays.copyOfRange(other, from, other.length));
            }
            case 10, 11 -> { // insert or overwrite with a dictionary token
                if (!dictionary.isEmpty()) {
                    byte[] tok = dictionary.get(rnd.nextInt(dictionary.size()));
                    int to = rnd.nextInt(n + 1);
                    int skip = rnd.nextBoolean() ? Math.min(tok.length, n - to) : 0;
                    b = concat(Arrays.copyOf(b, to), tok, Arrays.copyOfRange(b, to + skip, n));
                } else if (n > 0) {
                    b = b.clone();
                    b[rnd.nextInt(n)] = (byte) rnd.nextInt(256);
                }
            }
            default -> { // rewrite a decimal number (text formats)
                int start = -1;
                for (int tries = 0; tries < 8 && n > 0 && start < 0; tries++) {
                    int at = rnd.nextInt(n);
                    if (b[at] >= '0' && b[at] <= '9') {
                        start = at;
                    }
                }
                if (start >= 0) {
                    int end = start;
                    while (end < n && b[end] >= '0' && b[end] <= '9') {
                        end++;
                    }
                    long v = INTERESTING[rnd.nextInt(INTERESTING.length)] + (rnd.nextBoolean() ? 0 : rnd.nextInt(3) - 1);
                    String text = rnd.nextInt(8) == 0 ? v + "e" + (rnd.nextInt(700) - 350) : Long.toString(v);
                    b = concat(Arrays.copyOf(b, start), text.getBytes(StandardCharsets.US_ASCII),
                            Arrays.copyOfRange(b, end, n));
                }
            }
        }
        return b;
    }

    private static byte[] concat(byte[]... parts) {
        int len = 0;
        for (byte[] p : parts) {
            len += p.length;
        }
        byte[] out = new byte[len];
        int at = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, out, at, p.length);
            at += p.length;
        }
        return out;
    }

    private static String save(String name, int iteration, byte[] input) {
        try {
            Path dir = Path.of("target", "fuzz-failures");
            Files.createDirectories(dir);
            Path p = dir.resolve(name + "-" + iteration + ".bin");
            Files.write(p, input);
            return p.toAbsolutePath().toString();
        } catch (IOException e) {
            return "(not saved: " + e.getMessage() + ")";
        }
    }

    /**
     * The files of a test class's Jazzer inputs folder for one method,
     * {@code <package>/<Class>Inputs/<method>/} under the test resources: the seeds and the kept
     * regression inputs, in name order.
     */
    public static List<byte[]> inputs(Class<?> testClass, String method) {
        URL url = testClass.getResource(testClass.getSimpleName() + "Inputs/" + method);
        if (url == null) {
            throw new IllegalStateException("no inputs folder " + testClass.getSimpleName() + "Inputs/" + method
                    + " next to " + testClass.getName() + " in the test resources");
        }
        try (Stream<Path> files = Files.list(Path.of(url.toURI()))) {
            List<byte[]> out = new ArrayList<>();
            for (Path p : files.filter(Files::isRegularFile).sorted().toList()) {
                out.add(Files.readAllBytes(p));
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}

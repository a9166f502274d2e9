package dev.diti4j.core.testing;

import dev.diti4j.core.backend.Backend;
import dev.diti4j.core.backend.Backends;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Digests of every CPU kernel's output and gradients, for comparing JVMs started with different
 * thread counts and JIT settings ({@link KernelDeterminismTest}).
 *
 * <p>{@code java ... KernelDigests <warm-up rounds>} runs every case of the {@link OpCatalogue}
 * and of {@link DeterminismCases} once and prints {@code cold <digest> <case>} for each, then runs
 * them all {@code warm-up rounds} times more (so that the JIT compiles the kernels on those
 * shapes), prints {@value #MEASURED} on standard error, and prints {@code warm <digest> <case>} from one
 * more round.
 * A digest is the SHA-256 of the output's shape and float bits and of each gradient's float bits.
 */
public final class KernelDigests {
    /** The line printed between the warm-up and the last round. */
    public static final String MEASURED = "measured round";

    private KernelDigests() {
    }

    /** The catalogue and the determinism cases, in a fixed order. */
    public static List<OpCase> cases() {
        List<OpCase> all = new ArrayList<>(OpCatalogue.all());
        all.addAll(DeterminismCases.all());
        return all;
    }

    public static void main(String[] args) {
        int rounds = Integer.parseInt(args[0]);
        Backend cpu = Backends.cpu();
        List<OpCase> cases = cases();
        print("cold", digests(cases, cpu));
        for (int r = 0; r < rounds; r++) {
            digests(cases, cpu);
        }
        System.out.flush();
        System.err.println(MEASURED); // beside the JIT's log, which a test may read
        print("warm", digests(cases, cpu));
        System.out.flush();
    }

    /** Case name to digest, one run of each case. */
    public static Map<String, String> digests(List<OpCase> cases, Backend backend) {
        Map<String, String> out = new LinkedHashMap<>();
        for (OpCase c : cases) {
            out.put(c.name(), digest(OpConformance.run(c, backend)));
        }
        return out;
    }

    private static String digest(OpConformance.Outcome o) {
        MessageDigest md;
        try {
            md = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        ByteBuffer dims = ByteBuffer.allocate(4 * o.dims().length);
        for (int d : o.dims()) {
            dims.putInt(d);
        }
        md.update(dims.array());
        update(md, o.output());
        for (double[] g : o.grads()) {
            md.update((byte) (g == null ? 0 : 1));
            if (g != null) {
                update(md, g);
            }
        }
        return HexFormat.of().formatHex(md.digest(), 0, 12);
    }

    /** The values were floats: their float bits are the result. */
    private static void update(MessageDigest md, double[] v) {
        ByteBuffer b = ByteBuffer.allocate(4 * v.length);
        for (double x : v) {
            b.putInt(Float.floatToRawIntBits((float) x));
        }
        md.update(b.array());
    }

    private static void print(String label, Map<String, String> digests) {
        digests.forEach((name, d) -> System.out.println(label + " " + d + " " + name));
    }
}

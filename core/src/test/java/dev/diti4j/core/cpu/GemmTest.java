package dev.diti4j.core.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.diti4j.core.TensorException;
import dev.diti4j.core.backend.Storage;
import dev.diti4j.core.ops.MatmulSpec;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import jdk.incubator.vector.FloatVector;
import org.junit.jupiter.api.Test;

/** {@link Gemm#sgemm} against a naive double-accumulating product (see {@link GemmCases}). */
class GemmTest {

    @Test
    void randomShapesMatchNaiveProduct() {
        List<String> bad = GemmCases.runRandom(20261125L, 250, 70, 300);
        assertTrue(bad.isEmpty(), () -> "first mismatches:\n" + String.join("\n", bad));
    }

    @Test
    void blockEdgesAndAllTransposesMatchNaiveProduct() {
        List<String> bad = GemmCases.runEdges(7L, true);
        assertTrue(bad.isEmpty(), () -> "first mismatches:\n" + String.join("\n", bad));
    }

    /**
     * CpuBackend.matmul over a batch, including a broadcast operand (stride 0), both through the
     * one-product-per-thread path (many small products) and the split-each-product path.
     */
    @Test
    void batchedMatmulMatchesProductByProduct() {
        CpuBackend be = new CpuBackend();
        SplittableRandom rng = new SplittableRandom(99);
        List<String> bad = new ArrayList<>();
        int[][] shapes = {{16, 33, 40, 37}, {3, 130, 140, 150}};   // batch, m, n, k
        for (int[] sh : shapes) {
            for (int tr = 0; tr < 4; tr++) {
                boolean ta = (tr & 1) != 0;
                boolean tb = (tr & 2) != 0;
                int batch = sh[0];
                int m = sh[1];
                int n = sh[2];
                int k = sh[3];
                MatmulSpec spec = new MatmulSpec(batch, m, n, k, ta, tb, (long) m * k, 0);
                float[] a = random(rng, batch * m * k);
                float[] b = random(rng, k * n);
                Storage as = be.upload(a, a.length);
                Storage bs = be.upload(b, b.length);
                Storage cs = be.allocate((long) batch * m * n);
                be.matmul(spec, as, bs, cs, false);
                float[] c = new float[batch * m * n];
                be.download(cs, c, c.length);
                for (int i = 0; i < batch && bad.size() < 10; i++) {
                    for (int r = 0; r < m; r++) {
                        for (int j = 0; j < n; j++) {
                            double ref = 0;
                            for (int p = 0; p < k; p++) {
                                double av = ta ? a[i * m * k + p * m + r] : a[i * m * k + r * k + p];
                                double bv = tb ? b[j * k + p] : b[p * n + j];
                                ref += av * bv;
                            }
                            float got = c[(i * m + r) * n + j];
                            if (!(Math.abs(got - ref) <= 1e-4 + 1e-4 * Math.abs(ref)) && bad.size() < 10) {
                                bad.add(spec + " C[" + i + "][" + r + "," + j + "] = " + got + ", expected " + ref);
                            }
                        }
                    }
                }
            }
        }
        assertTrue(bad.isEmpty(), () -> "first mismatches:\n" + String.join("\n", bad));
    }

    private static float[] random(SplittableRandom rng, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) (rng.nextDouble() * 2 - 1);
        }
        return v;
    }

    @Test
    void zeroInnerDimensionClearsOrKeepsC() {
        float[] c = {1, 2, 3, 4, 5};
        Gemm.sgemm(false, false, 2, 2, 0, new float[0], 0, 0, new float[0], 0, 2, c, 0, 2, true);
        assertArrayEquals(new float[] {1, 2, 3, 4, 5}, c);
        Gemm.sgemm(false, false, 2, 2, 0, new float[0], 0, 0, new float[0], 0, 2, c, 0, 2, false);
        assertArrayEquals(new float[] {0, 0, 0, 0, 5}, c);
    }

    @Test
    void emptyOutputIsANoOp() {
        float[] c = {9};
        Gemm.sgemm(false, false, 0, 3, 4, new float[0], 0, 4, new float[12], 0, 3, c, 0, 3, false);
        Gemm.sgemm(true, true, 3, 0, 4, new float[12], 0, 3, new float[0], 0, 4, c, 0, 0, false);
        assertArrayEquals(new float[] {9}, c);
    }

    @Test
    void nanInAPropagatesEvenAgainstZeros() {
        // 0 * NaN is NaN: a kernel that skips zero entries of A would hide it
        float[] a = {Float.NaN, 0f};
        float[] b = {0f, 0f};
        float[] c = new float[1];
        Gemm.sgemm(false, false, 1, 1, 2, a, 0, 2, b, 0, 1, c, 0, 1, false);
        assertTrue(Float.isNaN(c[0]), "C = " + c[0]);
    }

    @Test
    void badArgumentsAreTypedErrors() {
        var e = assertThrows(TensorException.BadArgument.class,
                () -> Gemm.sgemm(false, false, 2, 2, 3, new float[5], 0, 3, new float[6], 0, 2, new float[4], 0, 2, false));
        assertEquals("BadArgument: sgemm A (2,3) with leading dimension 3 from offset 0 does not fit an array of 5 [cpu]",
                e.getMessage());
        var ld = assertThrows(TensorException.BadArgument.class,
                () -> Gemm.sgemm(false, true, 2, 2, 3, new float[6], 0, 3, new float[6], 0, 2, new float[4], 0, 2, false));
        assertEquals("BadArgument: sgemm B leading dimension 2 < row length 3 [cpu]", ld.getMessage());
        assertThrows(TensorException.BadArgument.class,
                () -> Gemm.sgemm(false, false, -1, 2, 3, new float[6], 0, 3, new float[6], 0, 2, new float[4], 0, 2, false));
    }

    /**
     * The scalar kernel and the 128-, 256- and 512-bit vector kernels, each in a child JVM with
     * {@code diti4j.gemm.vectorBits} forced. Widths the hardware lacks run through the Vector
     * API's Java fallback: correct but slow, hence the small shapes.
     */
    @Test
    void everyKernelWidthMatchesNaiveProduct() throws Exception {
        int preferred = FloatVector.SPECIES_PREFERRED.vectorBitSize();
        List<String> failures = new ArrayList<>();
        for (int bits : new int[] {0, 128, 256, 512}) {
            if (bits == preferred) {
                continue; // covered in this JVM by the tests above
            }
            String out = runChild(bits);
            if (!out.startsWith("ok")) {
                failures.add("vectorBits=" + bits + ": " + out);
            }
        }
        assertTrue(failures.isEmpty(), () -> String.join("\n", failures));
    }

    private static String runChild(int bits) throws IOException, InterruptedException {
        String cp = codeSource(GemmCases.class) + File.pathSeparator + codeSource(Gemm.class);
        ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-modules", "jdk.incubator.vector", "-Dditi4j.gemm.vectorBits=" + bits, "-cp", cp,
                GemmCases.class.getName(), "42", bits == 512 ? "25" : "60", "40", "70");
        pb.redirectErrorStream(true);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return "timed out";
        }
        String expected = "kernel: " + (bits == 0 ? "4x4 tile, scalar" : "4x" + (2 * bits / 32) + " tile, " + bits + "-bit FMA");
        if (p.exitValue() == 0 && out.contains(expected)) {
            return "ok";
        }
        return "exit " + p.exitValue() + ", expected '" + expected + "' in output:\n" + out;
    }

    private static String codeSource(Class<?> c) {
        try {
            return Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        } catch (java.net.URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}

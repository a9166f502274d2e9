package dev.diti4j.core.testing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.diti4j.core.Tensor;
import dev.diti4j.core.backend.Storage;
import dev.diti4j.core.random.Philox;
import org.junit.jupiter.api.Test;

/** The oracle itself, on answers worked out by hand. */
class ReferenceBackendTest {
    private final ReferenceBackend ref = new ReferenceBackend();

    private Tensor t(float[] v, int... dims) {
        return Tensor.of(ref, v, dims);
    }

    private static void close(double[] want, Tensor got) {
        assertArrayEquals(want, ReferenceBackend.values(got), 1e-12);
    }

    @Test
    void convolutionByHand() {
        Tensor x = t(new float[] {1, 2, 3, 4, 5, 6, 7, 8, 9}, 1, 1, 3, 3);
        // y[i][j] = x[i][j] - x[i+1][j+1]
        close(new double[] {-4, -4, -4, -4}, x.conv2d(t(new float[] {1, 0, 0, -1}, 1, 1, 2, 2), null, 1, 0));
        // a 3x3 box sum, stride 2, padding 1: windows cover the four 2x2 corners of x, plus bias
        Tensor ones = Tensor.full(ref, 1f, 1, 1, 3, 3);
        close(new double[] {12.5, 16.5, 24.5, 28.5}, x.conv2d(ones, t(new float[] {0.5f}, 1), 2, 1));
    }

    @Test
    void matmulByHand() {
        Tensor a = t(new float[] {1, 2, 3, 4}, 2, 2);
        Tensor b = t(new float[] {5, 6, 7, 8}, 2, 2);
        close(new double[] {19, 22, 43, 50}, a.matmul(b));
        close(new double[] {26, 30, 38, 44}, a.matmul(b, true, false));
        close(new double[] {17, 23, 39, 53}, a.matmul(b, false, true));
    }

    @Test
    void groupNormByHand() {
        Tensor x = t(new float[] {1, 2, 3, 4}, 1, 1, 4);
        double r = 1 / Math.sqrt(1.25 + 1e-5f); // mean 2.5, biased variance 1.25
        close(new double[] {-1.5 * r, -0.5 * r, 0.5 * r, 1.5 * r}, x.groupNorm(1, null, null, 1e-5f));
        Tensor y = x.groupNorm(1, t(new float[] {2}, 1), t(new float[] {1}, 1), 1e-5f);
        close(new double[] {1 - 3 * r, 1 - r, 1 + r, 1 + 3 * r}, y);
    }

    @Test
    void softmaxPoolingAndBroadcastByHand() {
        Tensor s = t(new float[] {0, (float) Math.log(3)}, 1, 2);
        double l3 = (float) Math.log(3);
        double z = 1 + Math.exp(l3);
        close(new double[] {1 / z, Math.exp(l3) / z}, s.softmax());
        close(new double[] {-Math.log(z), l3 - Math.log(z)}, s.logSoftmax());
        close(new double[] {2.5}, t(new float[] {1, 2, 3, 4}, 1, 2, 2).avgPool2x2());
        close(new double[] {1, 1, 2, 2, 1, 1, 2, 2}, t(new float[] {1, 2}, 1, 1, 2).upsampleNearest2x());
        close(new double[] {11, 21, 31, 12, 22, 32}, t(new float[] {1, 2}, 2, 1).add(t(new float[] {10, 20, 30}, 1, 3)));
        Tensor m = t(new float[] {1, 5, 3, 2}, 2, 2);
        close(new double[] {3, 5}, m.max(false, 0));
        close(new double[] {2, 3.5}, m.mean(false, 0));
        close(new double[] {1, 3, 5, 2}, m.permute(1, 0));
    }

    @Test
    void randomFollowsTheHostStream() {
        float[] want = new float[10];
        Philox.fill(true, 42, 3, want, 0, 10);
        Philox g = new Philox(42, 3);
        double[] got = ReferenceBackend.values(Tensor.randn(g, ref, 10));
        for (int i = 0; i < 10; i++) {
            assertEquals(want[i], got[i], 0.0);
        }
    }

    @Test
    void freshBuffersAreNaNAndAccounted() {
        long before = ref.memoryStats().liveBytes();
        Storage s = ref.allocate(5);
        assertEquals(before + 40, ref.memoryStats().liveBytes());
        for (double v : ReferenceBackend.data(s)) {
            assertTrue(Double.isNaN(v));
        }
        s.release();
        assertEquals(before, ref.memoryStats().liveBytes());
    }
}

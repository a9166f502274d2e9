package dev.diti4j.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.diti4j.core.Device;
import dev.diti4j.core.Tensor;
import dev.diti4j.core.backend.Storage;
import dev.diti4j.core.ops.Conv2dSpec;
import dev.diti4j.core.ops.UnaryOp;
import dev.diti4j.core.random.Philox;
import dev.diti4j.core.testing.ReferenceBackend;
import dev.diti4j.nn.layers.ResBlock;
import dev.diti4j.nn.layers.Resample;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/** The double-precision checker must catch wrong gradients, including small ones, not only pass right ones. */
class GradCheckTest {
    /** SiLU's derivative scaled by 1 + 1e-4: a relative error far below what a float32 check can see. */
    static final class SiluDerivativeOffBy1e4 extends ReferenceBackend {
        @Override
        public void unaryBackward(UnaryOp op, Storage x, Storage y, Storage gy, Storage gx, long n) {
            super.unaryBackward(op, x, y, gy, gx, n);
            if (op == UnaryOp.SILU) {
                double[] g = data(gx);
                for (int i = 0; i < n; i++) {
                    g[i] *= 1 + 1e-4;
                }
            }
        }
    }

    /** A conv filter gradient that forgets the last image of the batch. */
    static final class ConvFilterSkipsLastImage extends ReferenceBackend {
        @Override
        public void conv2dBackwardFilter(Conv2dSpec s, Storage x, Storage gy, Storage gw, Storage gb) {
            Conv2dSpec fewer = new Conv2dSpec(s.n() - 1, s.cin(), s.h(), s.w(), s.cout(), s.kh(), s.kw(), s.stride(),
                    s.pad());
            super.conv2dBackwardFilter(s.n() > 1 ? fewer : s, x, gy, gw, gb);
        }
    }

    @Test
    void passesACorrectGradientWithRoomToSpare() {
        GradCheck.reference(() -> {
            Tensor x = GradCheck.input(new Philox(1), 3, 4);
            GradCheck.Result r = GradCheck.check("x * x", () -> x.mul(x), Map.of("x", x), 12, 1);
            assertEquals(12, r.coordinates());
            assertTrue(r.toleranceUsed() < 0.1, r.toString());
        });
    }

    @Test
    void catchesAGradientThatMissesAPath() {
        GradCheck.reference(() -> {
            Tensor x = GradCheck.input(new Philox(2), 3, 4);
            // maskedMul treats its mask as a constant: the forward is x^2 but the recorded gradient is x, not 2x
            AssertionError e = assertThrows(AssertionError.class,
                    () -> GradCheck.check("x masked by itself", () -> x.maskedMul(x), Map.of("x", x), 5, 2));
            assertTrue(e.getMessage().contains("'x' (3,4): 5 of 5 checked coordinates differ"), e.getMessage());
        });
    }

    /** A ResBlock on a backend, with its check; the same seeds give the same block on every backend. */
    private static void resBlockCheck(ReferenceBackend backend) {
        GradCheck.on(backend, () -> {
            Philox rng = new Philox(3);
            ResBlock block = new ResBlock(4, 4, 8, 0f, 2, Resample.DOWN, false, Device.CPU, rng);
            GradCheck.randomize(block, rng);
            Tensor x = GradCheck.input(rng, 2, 4, 4, 4);
            Tensor et = GradCheck.input(rng, 2, 8);
            Supplier<Tensor> f = () -> block.forward(x, et);
            GradCheck.check("ResBlock down on " + backend.getClass().getSimpleName(), f,
                    GradCheck.leaves(block, "x", x, "e_t", et), 6, 3);
        });
    }

    @Test
    void catchesASiluDerivativeOffByOnePartIn10000InsideAResBlock() {
        resBlockCheck(new ReferenceBackend());
        AssertionError e = assertThrows(AssertionError.class, () -> resBlockCheck(new SiluDerivativeOffBy1e4()));
        // every path to norm1 crosses a SiLU derivative; conv2's weight gradient crosses none
        assertTrue(e.getMessage().contains("'norm1.weight' (4): "), e.getMessage());
        assertTrue(!e.getMessage().contains("'conv2.weight'"), e.getMessage());
    }

    @Test
    void catchesAConvFilterGradientMissingAnImage() {
        AssertionError e = assertThrows(AssertionError.class, () -> resBlockCheck(new ConvFilterSkipsLastImage()));
        assertTrue(e.getMessage().contains("'conv1.weight' (4,4,3,3): "), e.getMessage());
        assertTrue(!e.getMessage().contains("'x'"), "the input gradient is still right: " + e.getMessage());
    }

    @Test
    void rejectsAVacuousCheck() {
        GradCheck.reference(() -> {
            Tensor x = GradCheck.input(new Philox(4), 3, 4);
            Tensor unused = GradCheck.input(new Philox(5), 2);
            Map<String, Tensor> leaves = new LinkedHashMap<>();
            leaves.put("x", x);
            leaves.put("unused", unused);
            AssertionError e = assertThrows(AssertionError.class,
                    () -> GradCheck.check("unused leaf", () -> x.mul(2f), leaves, 2, 3));
            assertTrue(e.getMessage().contains("'unused' (2): the largest autograd gradient is 0"), e.getMessage());
        });
    }

    @Test
    void rejectsLeavesOutsideTheReferenceBackend() {
        Tensor x = Tensor.randn(new Philox(6), Device.CPU, 2, 2).requiresGrad(true);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> GradCheck.check("float32 leaf", () -> x.mul(x), Map.of("x", x), 2, 4));
        assertTrue(e.getMessage().startsWith("float32 leaf: leaf 'x' is on "), e.getMessage());
    }

    @Test
    void samplesTheLargestFirstAndLastCoordinates() {
        int[] c = GradCheck.coordinates(100, 37, 5, new Philox(7));
        assertEquals(37, c[0]);
        assertEquals(0, c[1]);
        assertEquals(99, c[2]);
        assertEquals(5, java.util.Arrays.stream(c).distinct().count());
        assertEquals(4, GradCheck.coordinates(4, 2, 5, new Philox(7)).length);
    }
}

package dev.diti4j.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.diti4j.core.random.Philox;
import org.junit.jupiter.api.Test;

class AutogradSmokeTest {

    @Test
    void linearLayerGradientMatchesHandDerivation() {
        // y = sum((x W^T + b)^2); dy/dW = 2 (xW^T+b)^T x, dy/db = 2 sum_rows(xW^T+b)
        Tensor x = Tensor.of(new float[] {1, 2, 3, 4}, 2, 2);
        Tensor w = Tensor.of(new float[] {0.5f, -1, 2, 0}, 2, 2).requiresGrad(true);
        Tensor b = Tensor.of(new float[] {1, -1}, 2).requiresGrad(true);
        Tensor h = x.linear(w, b);
        assertArrayEquals(new float[] {-0.5f, 1, -1.5f, 5}, h.toArray(), 1e-6f);
        Gradients g = h.square().sum().backward();
        // dL/dh = 2h = [[-1, 2], [-3, 10]]; dW = (2h)^T x; db = column sums of 2h
        assertArrayEquals(new float[] {-10, -14, 32, 44}, g.get(w).toArray(), 1e-5f);
        assertArrayEquals(new float[] {-4f, 12f}, g.get(b).toArray(), 1e-5f);
    }

    @Test
    void tensorUsedTwiceAccumulates() {
        Tensor x = Tensor.of(new float[] {3}, 1).requiresGrad(true);
        Gradients g = x.mul(x).add(x).sum().backward();
        assertEquals(7f, g.get(x).item(), 1e-6f);
    }

    @Test
    void deepChainDoesNotOverflowTheStack() {
        Tensor x = Tensor.of(new float[] {1}, 1).requiresGrad(true);
        Tensor y = x;
        for (int i = 0; i < 100_000; i++) {
            y = y.add(0f);
        }
        assertEquals(1f, y.sum().backward().get(x).item());
    }

    @Test
    void philoxMatchesRandom123KnownAnswers() {
        int[] out = new int[4];
        Philox.philox4x32x10(0, 0, 0, 0, 0, 0, out);
        assertArrayEquals(new int[] {0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8}, out);
        Philox.philox4x32x10(-1, -1, -1, -1, -1, -1, out);
        assertArrayEquals(new int[] {0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd}, out);
        Philox.philox4x32x10(0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344, 0xa4093822, 0x299f31d0, out);
        assertArrayEquals(new int[] {0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1}, out);
    }

    @Test
    void shapeErrorsNameOpShapesAndDevice() {
        Tensor x = Tensor.zeros(8, 1, 32, 32);
        Tensor w = Tensor.zeros(64, 3, 3, 3);
        TensorException e = assertThrows(TensorException.ShapeMismatch.class, () -> x.conv2d(w, null, 1, 1));
        assertEquals("ShapeMismatch: conv2d weight (64,3,3,3) vs input (8,1,32,32): channels 3 != 1 [cpu]", e.getMessage());
    }

    @Test
    void scopeReturnsMemoryToThePool() {
        Tensor p = Tensor.randn(new Philox(1), Device.CPU, 64, 64).requiresGrad(true);
        long before = 0;
        for (int step = 0; step < 5; step++) {
            try (Scope s = Scope.open()) {
                Gradients g = p.matmul(p).silu().mean().backward();
                g.get(p).toArray();
            }
            if (step == 1) {
                before = p.backend().memoryStats().liveBytes();
            }
        }
        assertEquals(before, p.backend().memoryStats().liveBytes());
    }
}

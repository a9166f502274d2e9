package dev.diti4j.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.diti4j.core.backend.Backend;
import dev.diti4j.core.backend.MemoryStats;
import dev.diti4j.core.cpu.CpuBackend;
import dev.diti4j.core.random.Philox;
import dev.diti4j.core.testing.OnBackend;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A training loop under scopes reaches a steady state: the same live bytes after every step and
 * no new buffers from the system after warm-up. Each test uses its own CPU backend so that
 * other tests' garbage cannot move the counters.
 */
class MemoryTest {

    /** A small conv net: conv, group norm, silu, pooling, up-sampling, strided conv, linear, MSE. */
    private static final class TinyNet {
        final Tensor w1;
        final Tensor b1;
        final Tensor gamma;
        final Tensor beta;
        final Tensor w2;
        final Tensor w3;
        final Tensor b3;

        TinyNet(Backend be, Philox rng) {
            // in a scope, so the unscaled draws are released now rather than whenever the GC runs
            try (Scope s = Scope.open()) {
                w1 = s.keep(Tensor.randn(rng, be, 8, 3, 3, 3).mul(0.2f).requiresGrad(true));
                b1 = s.keep(Tensor.full(be, 0f, 8).requiresGrad(true));
                gamma = s.keep(Tensor.full(be, 1f, 8).requiresGrad(true));
                beta = s.keep(Tensor.full(be, 0f, 8).requiresGrad(true));
                w2 = s.keep(Tensor.randn(rng, be, 4, 8, 3, 3).mul(0.1f).requiresGrad(true));
                w3 = s.keep(Tensor.randn(rng, be, 10, 64).mul(0.1f).requiresGrad(true));
                b3 = s.keep(Tensor.full(be, 0f, 10).requiresGrad(true));
            }
        }

        List<Tensor> parameters() {
            return List.of(w1, b1, gamma, beta, w2, w3, b3);
        }

        Tensor loss(Tensor x, Tensor target) {
            Tensor h = x.conv2d(w1, b1, 1, 1)          // (4, 8, 8, 8)
                    .groupNorm(4, gamma, beta, 1e-5f).silu()
                    .avgPool2x2()                      // (4, 8, 4, 4)
                    .upsampleNearest2x()               // (4, 8, 8, 8)
                    .conv2d(w2, null, 2, 1);           // (4, 4, 4, 4)
            Tensor y = h.reshape(4, 64).linear(w3, b3); // (4, 10)
            return Losses.weightedMse(y, target, null);
        }
    }

    @Test
    void trainingUnderScopesReachesASteadyState() {
        CpuBackend be = new CpuBackend();
        OnBackend.call(Device.CPU, be, () -> {
            Philox rng = new Philox(3);
            TinyNet net = new TinyNet(be, rng);
            long paramBytes = be.memoryStats().liveBytes();
            assertEquals(4L * (216 + 8 + 8 + 8 + 288 + 640 + 10), paramBytes, "only the parameters are live");
            List<MemoryStats> after = new ArrayList<>();
            float firstLoss = 0;
            float lastLoss = 0;
            for (int step = 0; step < 8; step++) {
                try (Scope s = Scope.open()) {
                    Tensor x = Tensor.randn(new Philox(100), be, 4, 3, 8, 8); // one fixed batch
                    Tensor target = Tensor.randn(new Philox(101), be, 4, 10);
                    Tensor loss = net.loss(x, target);
                    Gradients g = loss.backward();
                    for (Tensor p : net.parameters()) {
                        p.assign(p.sub(g.get(p).mul(0.05f))); // plain SGD, in place
                    }
                    lastLoss = loss.item();
                    firstLoss = step == 0 ? lastLoss : firstLoss;
                }
                after.add(be.memoryStats());
            }
            for (int step = 0; step < after.size(); step++) {
                assertEquals(paramBytes, after.get(step).liveBytes(),
                        "live bytes after step " + step + " (only the parameters should remain)");
            }
            MemoryStats warm = after.get(1);
            MemoryStats last = after.get(after.size() - 1);
            assertEquals(warm.allocations(), last.allocations(), "buffers taken from the system after warm-up");
            long perStep = last.reuses() - after.get(after.size() - 2).reuses();
            assertTrue(perStep > 20, "each step should reuse pooled buffers, reused " + perStep);
            assertEquals(warm.reuses() + perStep * (after.size() - 2), last.reuses(), "reuses grow by the same count every step");
            assertTrue(lastLoss < firstLoss, "SGD on a fixed batch should lower the loss: " + firstLoss + " -> " + lastLoss);
            return null;
        });
    }

    @Test
    void tensorsOutsideScopesAreFreedByTheGarbageCollector() throws InterruptedException {
        CpuBackend be = new CpuBackend();
        long base = be.memoryStats().liveBytes();
        OnBackend.call(Device.CPU, be, () -> {
            for (int i = 0; i < 50; i++) {
                Tensor.full(be, 1f, 1000).exp(); // both tensors become garbage at once
            }
            return null;
        });
        assertTrue(be.memoryStats().liveBytes() > base);
        for (int i = 0; i < 100 && be.memoryStats().liveBytes() != base; i++) {
            System.gc();
            Thread.sleep(50);
        }
        assertEquals(base, be.memoryStats().liveBytes(), "unreachable storages go back when collected");
    }

    @Test
    void releaseReturnsMemoryAtOnceAndOnlyOnce() {
        CpuBackend be = new CpuBackend();
        long base = be.memoryStats().liveBytes();
        Tensor t = Tensor.full(be, 1f, 256);
        Tensor view = t.reshape(16, 16);
        assertEquals(base + 1024, be.memoryStats().liveBytes());
        t.release();
        t.release();
        assertEquals(base + 1024, be.memoryStats().liveBytes(), "the reshape still holds the storage");
        view.release();
        assertEquals(base, be.memoryStats().liveBytes());
        assertEquals(1024, be.memoryStats().pooledBytes());
        Tensor.full(be, 2f, 256);
        assertEquals(1, be.memoryStats().reuses(), "a buffer of the same size comes from the pool");
    }

    // ---- what is freed when ---------------------------------------------------------------------

    private static final int N = 10_000;
    private static final long BYTES = 4L * N;

    @Test
    void backwardReleasesEachGradientOnceItIsConsumed() {
        CpuBackend be = new CpuBackend();
        OnBackend.call(Device.CPU, be, () -> {
            Tensor x = Tensor.randn(new Philox(1), be, N).mul(0.1f).requiresGrad(true);
            try (Scope s = Scope.open()) {
                Tensor h = x;
                for (int i = 0; i < 30; i++) {
                    h = h.tanh().mul(1.01f).add(0.001f); // 90 ops, each keeping an (N) activation
                }
                Tensor loss = h.sum();
                long afterForward = be.memoryStats().liveBytes();
                be.resetPeakLiveBytes();
                Gradients g = loss.backward();
                long extra = be.memoryStats().peakLiveBytes() - afterForward;
                // The frontier is one gradient plus the one being made (and the rule's temporaries);
                // keeping every gradient until the scope closes would add about 90 of them.
                assertTrue(extra <= 3 * BYTES, "the backward pass held " + extra / BYTES
                        + " activation-sized buffers on top of the forward pass's");
                assertEquals(afterForward + BYTES + 4, be.memoryStats().liveBytes(),
                        "after backward only the leaf's gradient (and the scalar seed) are new");
                assertEquals(N, g.get(x).numel());
            }
            return null;
        });
    }

    @Test
    void aSecondBackwardOnTheSameGraphStillWorks() {
        Tensor x = Tensor.randn(new Philox(2), Device.CPU, 64).requiresGrad(true);
        try (Scope s = Scope.open()) {
            Tensor loss = x.tanh().mul(x).add(x.exp()).sum();
            float[] first = loss.backward().get(x).toArray();
            float[] second = loss.backward().get(x).toArray();
            org.junit.jupiter.api.Assertions.assertArrayEquals(first, second);
        }
    }

    @Test
    void freeReturnsAtOnceWhatNoBackwardReadsAndKeepsTheRest() {
        CpuBackend be = new CpuBackend();
        OnBackend.call(Device.CPU, be, () -> {
            Tensor x = Tensor.randn(new Philox(3), be, N).requiresGrad(true);
            try (Scope s = Scope.open()) {
                Tensor scaled = x.mul(3f);        // read by nothing below
                Tensor e = scaled.exp();          // exp's backward reads its input and output
                Tensor shifted = e.add(1f);       // add's backward reads nothing
                Tensor loss = shifted.sum();
                long before = be.memoryStats().liveBytes();
                e.free();
                shifted.free();
                assertFalse(e.isReleased(), "exp's backward reads its output");
                assertTrue(e.isSaved());
                assertTrue(shifted.isReleased(), "nothing reads the sum's input");
                assertEquals(before - BYTES, be.memoryStats().liveBytes());
                scaled.free();
                assertFalse(scaled.isReleased(), "exp's backward reads its input");
                float[] g = loss.backward().get(x).toArray();
                float[] xv = x.toArray();
                for (int i = 0; i < N; i += 997) {
                    assertEquals(3 * Math.exp(3 * xv[i]), g[i], 1e-4 * Math.exp(3 * xv[i]) + 1e-6);
                }
            }
            try (GradMode off = GradMode.off(); Scope s = Scope.open()) {
                Tensor e = x.exp();
                long before = be.memoryStats().liveBytes();
                e.free();
                assertTrue(e.isReleased(), "without a graph nothing is saved");
                assertEquals(before - BYTES, be.memoryStats().liveBytes());
            }
            return null;
        });
    }

    @Test
    void dropoutKeepsNeitherItsMaskNorItsDraw() {
        CpuBackend be = new CpuBackend();
        OnBackend.call(Device.CPU, be, () -> {
            Tensor x = Tensor.randn(new Philox(4), be, N).requiresGrad(true);
            try (Scope s = Scope.open()) {
                long before = be.memoryStats().liveBytes();
                be.resetPeakLiveBytes();
                Tensor y = x.dropout(0.3f, true, new Philox(5));
                assertEquals(before + BYTES, be.memoryStats().liveBytes(), "only the output stays");
                assertTrue(be.memoryStats().peakLiveBytes() <= before + 3 * BYTES, "draw, mask and output at most");
                float[] yv = y.toArray();
                float[] g = y.sum().backward().get(x).toArray();
                for (int i = 0; i < N; i++) {
                    assertEquals(yv[i] == 0f ? 0f : 1f / 0.7f, g[i], "the backward draws the same mask, at " + i);
                }
            }
            return null;
        });
    }
}

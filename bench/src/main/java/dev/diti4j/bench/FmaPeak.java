package dev.diti4j.bench;

import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.atomic.AtomicLongArray;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The measured FMA peak of this machine: each thread runs chains of fused multiply-adds on
 * {@link FloatVector#SPECIES_PREFERRED} registers, {@value #CHAINS} independent chains at once,
 * so neither the FMA latency nor any memory access limits the rate. Counting 2 FLOP per lane
 * per FMA, the result is the ceiling no kernel of this JVM can beat, and the runner reports every
 * case's GFLOP/s as a share of it. Bursts are counted into 100 ms windows by the time they end
 * (a burst straddling a window boundary counts in the later one, so a window may be off by one
 * burst, about 1%).
 */
final class FmaPeak {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    /** Independent accumulators: enough to hide a 4-cycle latency on two FMA ports (and more). */
    static final int CHAINS = 12;
    /** FMAs per chain per call of {@link #burst}: about a millisecond of work at full speed. */
    private static final int BURST = 1 << 15;
    /** Length of one measurement window. */
    static final long WINDOW_MS = 100;

    private FmaPeak() {
    }

    /**
     * GFLOP/s of {@code threads} threads running FMA chains together: the best {@value #WINDOW_MS} ms
     * window of about {@code seconds} of measurement, after a warm-up of at least half a second in
     * which the JIT compiles the loop (longer while it has not). The best window, not the mean: a
     * peak, which other processes on a shared machine can only lower.
     */
    static double measure(int threads, double seconds) throws InterruptedException {
        int windows = Math.max(1, (int) Math.round(seconds * 1000 / WINDOW_MS));
        AtomicLongArray bursts = new AtomicLongArray(windows);
        long[] t0 = new long[1];
        // the last thread to finish its warm-up sets the common origin of everyone's windows
        CyclicBarrier start = new CyclicBarrier(threads, () -> t0[0] = System.nanoTime());
        float[] sinks = new float[threads];
        Thread[] ts = new Thread[threads];
        for (int i = 0; i < threads; i++) {
            int id = i;
            ts[i] = new Thread(() -> {
                float sink = 0f;
                // warm up for half a second and until 200 bursts took under 2 ms each: a
                // burst is about 0.1-0.2 ms in C2's code and far slower interpreted or in C1's code
                // (no vector intrinsics), and on a busy machine C2 may need seconds; at most 20 s
                long warmStart = System.nanoTime();
                long minWarm = (long) (Math.max(0.5, seconds * 0.2) * 1e9);
                int fast = 0;
                while (true) {
                    long b0 = System.nanoTime();
                    sink += burst(1.0f + sink * 1e-30f);
                    long b1 = System.nanoTime();
                    fast += b1 - b0 < 2_000_000L ? 1 : 0;
                    if (b1 - warmStart > 20_000_000_000L || (b1 - warmStart >= minWarm && fast >= 200)) {
                        break;
                    }
                }
                await(start);
                long begin = t0[0];
                long windowNs = WINDOW_MS * 1_000_000L;
                while (true) {
                    sink += burst(1.0f + sink * 1e-30f);
                    long w = (System.nanoTime() - begin) / windowNs;
                    if (w >= windows) {
                        break;
                    }
                    bursts.incrementAndGet((int) w);
                }
                sinks[id] = sink;
            }, "fma-peak-" + i);
            ts[i].start();
        }
        for (Thread t : ts) {
            t.join();
        }
        long best = 0;
        for (int w = 0; w < windows; w++) {
            best = Math.max(best, bursts.get(w));
        }
        double flopPerBurst = 2.0 * S.length() * CHAINS * BURST;
        float sum = 0f;
        for (float f : sinks) {
            sum += f;
        }
        return best * flopPerBurst / (WINDOW_MS * 1e-3) * 1e-9 + (sum == 42f ? 1e-12 : 0);
    }

    private static void await(CyclicBarrier b) {
        try {
            b.await();
        } catch (InterruptedException | java.util.concurrent.BrokenBarrierException e) {
            throw new IllegalStateException(e);
        }
    }

    /** {@value #BURST} rounds of {@value #CHAINS} independent a = a * b + c; returns a checksum. */
    private static float burst(float seed) {
        FloatVector b = FloatVector.broadcast(S, 0.999999f);
        FloatVector c = FloatVector.broadcast(S, 1e-6f);
        FloatVector a0 = FloatVector.broadcast(S, seed);
        FloatVector a1 = FloatVector.broadcast(S, seed + 1);
        FloatVector a2 = FloatVector.broadcast(S, seed + 2);
        FloatVector a3 = FloatVector.broadcast(S, seed + 3);
        FloatVector a4 = FloatVector.broadcast(S, seed + 4);
        FloatVector a5 = FloatVector.broadcast(S, seed + 5);
        FloatVector a6 = FloatVector.broadcast(S, seed + 6);
        FloatVector a7 = FloatVector.broadcast(S, seed + 7);
        FloatVector a8 = FloatVector.broadcast(S, seed + 8);
        FloatVector a9 = FloatVector.broadcast(S, seed + 9);
        FloatVector a10 = FloatVector.broadcast(S, seed + 10);
        FloatVector a11 = FloatVector.broadcast(S, seed + 11);
        for (int i = 0; i < BURST; i++) {
            a0 = a0.fma(b, c);
            a1 = a1.fma(b, c);
            a2 = a2.fma(b, c);
            a3 = a3.fma(b, c);
            a4 = a4.fma(b, c);
            a5 = a5.fma(b, c);
            a6 = a6.fma(b, c);
            a7 = a7.fma(b, c);
            a8 = a8.fma(b, c);
            a9 = a9.fma(b, c);
            a10 = a10.fma(b, c);
            a11 = a11.fma(b, c);
        }
        return a0.add(a1).add(a2).add(a3).add(a4).add(a5).add(a6).add(a7).add(a8).add(a9).add(a10).add(a11)
                .reduceLanes(jdk.incubator.vector.VectorOperators.ADD);
    }

    /** Vector width in bits, for the report. */
    static int bits() {
        return S.vectorBitSize();
    }
}

package dev.diti4j.bench;

import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.atomic.DoubleAdder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The measured FMA peak of this machine: each thread runs chains of fused multiply-adds on
 * {@link FloatVector#SPECIES_PREFERRED} registers, {@value #CHAINS} independent chains at once,
 * so neither the FMA latency nor any memory access limits the rate. Counting 2 FLOP per lane
 * per FMA, the result is the ceiling no kernel of this JVM can beat, and the runner reports every
 * case's GFLOP/s as a share of it.
 */
final class FmaPeak {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    /** Independent accumulators: enough to hide a 4-cycle latency on two FMA ports (and more). */
    static final int CHAINS = 12;
    /** FMAs per chain per call of {@link #burst}. */
    private static final int BURST = 1 << 16;

    private FmaPeak() {
    }

    /**
     * GFLOP/s of {@code threads} threads running FMA chains together for about {@code seconds}
     * (after a warm-up of a fifth of that, which also lets the JIT compile the loop).
     */
    static double measure(int threads, double seconds) throws InterruptedException {
        DoubleAdder flop = new DoubleAdder();
        CyclicBarrier start = new CyclicBarrier(threads + 1);
        CyclicBarrier stop = new CyclicBarrier(threads + 1);
        long[] window = new long[2];
        Thread[] ts = new Thread[threads];
        for (int i = 0; i < threads; i++) {
            ts[i] = new Thread(() -> {
                try {
                    float sink = 0f;
                    long warmEnd = System.nanoTime() + (long) (seconds * 0.2e9);
                    while (System.nanoTime() < warmEnd) {
                        sink += burst(1.0f + sink * 1e-30f);
                    }
                    start.await();
                    long bursts = 0;
                    long end = System.nanoTime() + (long) (seconds * 1e9);
                    while (System.nanoTime() < end) {
                        sink += burst(1.0f + sink * 1e-30f);
                        bursts++;
                    }
                    flop.add(2.0 * S.length() * CHAINS * BURST * bursts + (sink == 42f ? 1 : 0));
                    stop.await();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }, "fma-peak-" + i);
            ts[i].start();
        }
        try {
            start.await();
            window[0] = System.nanoTime();
            stop.await();
            window[1] = System.nanoTime();
        } catch (java.util.concurrent.BrokenBarrierException e) {
            throw new IllegalStateException(e);
        }
        for (Thread t : ts) {
            t.join();
        }
        return flop.sum() / ((window[1] - window[0]) * 1e-9) * 1e-9;
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

package dev.diti4j.diti.api;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.diti4j.core.Scope;
import dev.diti4j.core.Tensor;
import dev.diti4j.diti.model.EncoderConfig;
import dev.diti4j.diti.train.DitiTrainer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Eight threads encoding at once on one model get the bits one thread gets encoding the same batches in turn. */
class ConcurrentEncodeTest {
    @TempDir
    Path dir;

    private static final int THREADS = 8;
    private static final int ROUNDS = 4;

    @Test
    void eightThreadsGiveTheBitsOfOneThread() throws Exception {
        Path dm = TinyDiti.dm(dir.resolve("dm"));
        // 32 px images: large enough that the convolutions and GEMMs split their loops over the CPU workers
        DitiTrainer t = TinyDiti.trainer(dm, EncoderConfig.small(3, 32, 8));
        TinyDiti.steps(t, 1);
        TinyDiti.save(t, dir.resolve("diti"), dm, true, Map.of());
        TrainedDiti d = TrainedDiti.load(dir.resolve("diti"));

        // different batch sizes too, so threads run differently shaped GEMMs side by side
        List<float[]> inputs = new ArrayList<>();
        List<int[]> dims = new ArrayList<>();
        for (int i = 0; i < THREADS; i++) {
            try (Scope s = Scope.open()) {
                Tensor x = TinyDiti.batch(1000 + i, 1 + i % 5, 3, 32);
                inputs.add(x.toArray());
                dims.add(x.shape().dims());
            }
        }
        List<float[]> sequential = new ArrayList<>();
        for (int i = 0; i < THREADS; i++) {
            sequential.add(encode(d, inputs.get(i), dims.get(i)));
        }

        CyclicBarrier start = new CyclicBarrier(THREADS);
        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        try {
            List<Future<List<float[]>>> results = new ArrayList<>();
            for (int i = 0; i < THREADS; i++) {
                int me = i;
                results.add(pool.submit(() -> {
                    start.await();
                    List<float[]> out = new ArrayList<>();
                    for (int r = 0; r < ROUNDS; r++) {
                        out.add(encode(d, inputs.get(me), dims.get(me)));
                    }
                    return out;
                }));
            }
            for (int i = 0; i < THREADS; i++) {
                List<float[]> got = results.get(i).get();
                assertEquals(ROUNDS, got.size());
                for (int r = 0; r < ROUNDS; r++) {
                    assertArrayEquals(sequential.get(i), got.get(r), "thread " + i + ", round " + r);
                }
            }
        } finally {
            pool.shutdownNow();
        }
    }

    private static float[] encode(TrainedDiti d, float[] pixels, int[] dims) {
        try (Scope s = Scope.open()) {
            return d.encode(Tensor.of(pixels, dims)).toArray();
        }
    }
}

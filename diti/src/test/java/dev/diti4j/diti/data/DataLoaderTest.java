package dev.diti4j.diti.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.diti4j.core.Scope;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class DataLoaderTest {
    /** Image i is filled with value i/1000 except pixel (c, y, 0) which holds -(c+1)/10; label i % 5. */
    static final class Numbered implements Dataset {
        final int n;
        final AtomicInteger reads = new AtomicInteger();
        volatile CountDownLatch gate;
        volatile int failAt = -1;

        Numbered(int n) {
            this.n = n;
        }

        @Override
        public String name() {
            return "numbered(" + n + ")";
        }

        @Override
        public int size() {
            return n;
        }

        @Override
        public int channels() {
            return 2;
        }

        @Override
        public int height() {
            return 3;
        }

        @Override
        public int width() {
            return 4;
        }

        @Override
        public Sample get(int index) {
            Dataset.checkIndex(this, index);
            CountDownLatch g = gate;
            if (g != null) {
                try {
                    g.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new DatasetException("interrupted");
                }
            }
            if (index == failAt) {
                throw new DatasetException("cannot decode image " + index);
            }
            reads.incrementAndGet();
            float[] p = new float[24];
            Arrays.fill(p, index / 1000f);
            for (int c = 0; c < 2; c++) {
                for (int y = 0; y < 3; y++) {
                    p[c * 12 + y * 4] = -(c + 1) / 10f;
                }
            }
            return new Sample(p, new int[] {index % 5});
        }

        @Override
        public List<LabelSpec> labels() {
            return List.of(new LabelSpec("mod5", List.of("0", "1", "2", "3", "4")));
        }
    }

    private static List<Integer> indicesOf(DataLoader.Epoch epoch) {
        List<Integer> out = new ArrayList<>();
        try (epoch) {
            for (DataLoader.Batch b : epoch) {
                for (int i : b.indices()) {
                    out.add(i);
                }
                b.images().release();
            }
        }
        return out;
    }

    @Test
    void shufflingIsDeterministicAndCoversEachIndexOncePerEpoch() {
        Numbered d = new Numbered(103);
        for (int prefetch : new int[] {0, 3}) {
            DataLoader a = DataLoader.builder(d).batchSize(10).seed(42).dropLast(false).prefetch(prefetch).build();
            DataLoader b = DataLoader.builder(d).batchSize(10).seed(42).dropLast(false).prefetch(prefetch).build();
            assertEquals(11, a.batchesPerEpoch());
            List<Integer> e0 = indicesOf(a.epoch(0));
            assertEquals(e0, indicesOf(b.epoch(0)), "same seed, same order");
            List<Integer> sorted = new ArrayList<>(e0);
            sorted.sort(null);
            List<Integer> all = new ArrayList<>();
            for (int i = 0; i < 103; i++) {
                all.add(i);
            }
            assertEquals(all, sorted, "each index exactly once");
            assertNotEquals(all, e0, "shuffled");
            assertNotEquals(e0, indicesOf(a.epoch(1)), "a new order each epoch");
            DataLoader other = DataLoader.builder(d).batchSize(10).seed(43).prefetch(prefetch).build();
            assertNotEquals(e0.subList(0, 100), indicesOf(other.epoch(0)), "the seed matters");
        }
    }

    @Test
    void batchesCarryImagesLabelsAndShapes() {
        Numbered d = new Numbered(25);
        DataLoader loader = DataLoader.builder(d).batchSize(8).shuffle(false).prefetch(1).build();
        assertEquals(3, loader.batchesPerEpoch(), "drop-last is the default");
        try (Scope s = Scope.open(); DataLoader.Epoch e = loader.epoch(0)) {
            DataLoader.Batch b = e.next();
            assertArrayEquals(new int[] {8, 2, 3, 4}, b.images().shape().dims());
            assertArrayEquals(new int[] {0, 1, 2, 3, 4, 5, 6, 7}, b.indices());
            assertArrayEquals(new int[] {0, 1, 2, 3, 4, 0, 1, 2}, b.labelColumn(0));
            float[] px = b.images().toArray();
            assertEquals(0.005f, px[5 * 24 + 1], 0f, "image 5's value");
            assertEquals(-0.2f, px[5 * 24 + 12], 0f, "image 5, channel 1, column 0");
            int batches = 1;
            while (e.hasNext()) {
                e.next();
                batches++;
            }
            assertEquals(3, batches);
            assertTrue(s.ownedCount() >= 3, "batch tensors belong to the consumer's scope");
        }
        DataLoader keep = DataLoader.builder(d).batchSize(8).shuffle(false).dropLast(false).build();
        List<Integer> idx = indicesOf(keep.epoch(0));
        assertEquals(25, idx.size(), "the last, smaller batch is kept");
    }

    @Test
    void flipMirrorsRowsDeterministically() {
        Numbered d = new Numbered(64);
        DataLoader loader = DataLoader.builder(d).batchSize(64).shuffle(false).flip(true).seed(5).prefetch(0).build();
        DataLoader.Batch b = loader.epoch(0).next();
        float[] px = b.images().toArray();
        int flipped = 0;
        for (int i = 0; i < 64; i++) {
            boolean f = loader.flipped(0, i);
            flipped += f ? 1 : 0;
            for (int c = 0; c < 2; c++) {
                for (int y = 0; y < 3; y++) {
                    int row = i * 24 + c * 12 + y * 4;
                    float marker = -(c + 1) / 10f;
                    assertEquals(marker, px[row + (f ? 3 : 0)], 0f, "sample " + i + " flipped=" + f);
                    assertEquals(i / 1000f, px[row + (f ? 0 : 3)], 0f, "sample " + i + " other end");
                }
            }
        }
        assertTrue(flipped > 16 && flipped < 48, "about half flipped: " + flipped);
        DataLoader again = DataLoader.builder(d).batchSize(64).shuffle(false).flip(true).seed(5).prefetch(2).build();
        try (DataLoader.Epoch e = again.epoch(0)) {
            assertArrayEquals(px, e.next().images().toArray(), "flips depend only on seed, epoch and position");
        }
        DataLoader none = DataLoader.builder(d).batchSize(64).shuffle(false).prefetch(0).build();
        assertFalse(none.flipped(0, 3));
    }

    @Test
    void startingMidEpochGivesTheSameBatchesAsAnUninterruptedRun() {
        Numbered d = new Numbered(50);
        DataLoader loader = DataLoader.builder(d).batchSize(7).seed(9).flip(true).build();
        List<float[]> full = new ArrayList<>();
        try (DataLoader.Epoch e = loader.epoch(2)) {
            for (DataLoader.Batch b : e) {
                full.add(b.images().toArray());
            }
        }
        try (DataLoader.Epoch e = loader.epoch(2, 4)) {
            int i = 4;
            for (DataLoader.Batch b : e) {
                assertEquals(i, b.index());
                assertArrayEquals(full.get(i), b.images().toArray(), "batch " + i);
                i++;
            }
            assertEquals(full.size(), i);
        }
    }

    @Test
    void closingStopsThePrefetchThread() throws Exception {
        Numbered d = new Numbered(1000);
        DataLoader loader = DataLoader.builder(d).batchSize(10).prefetch(2).build();
        DataLoader.Epoch e = loader.epoch(0);
        e.next();
        Thread t = e.producerThread();
        assertTrue(t.isAlive(), "the producer waits for room in the queue");
        // The queue holds 2 batches, so the producer stops reading after a few batches.
        Thread.sleep(100);
        assertTrue(d.reads.get() <= 10 * 4, "bounded read-ahead, read " + d.reads.get());
        e.close();
        assertFalse(t.isAlive(), "closed epoch has no thread");
        assertFalse(e.hasNext());
        assertThrows(java.util.NoSuchElementException.class, e::next);

        // A producer blocked inside the dataset is stopped by loader.close().
        d.gate = new CountDownLatch(1);
        DataLoader.Epoch blocked = loader.epoch(1);
        Thread bt = blocked.producerThread();
        loader.close();
        bt.join(TimeUnit.SECONDS.toMillis(5));
        assertFalse(bt.isAlive(), "loader.close() stops every epoch");
        d.gate = null;

        // Running an epoch to its end also ends its thread.
        DataLoader small = DataLoader.builder(new Numbered(20)).batchSize(5).build();
        DataLoader.Epoch run = small.epoch(0);
        Thread rt = run.producerThread();
        int n = 0;
        while (run.hasNext()) {
            run.next();
            n++;
        }
        assertEquals(4, n);
        rt.join(TimeUnit.SECONDS.toMillis(5));
        assertFalse(rt.isAlive());
    }

    @Test
    void errorsInThePrefetchThreadReachTheConsumer() {
        Numbered d = new Numbered(30);
        d.failAt = 12;
        DataLoader loader = DataLoader.builder(d).batchSize(5).shuffle(false).prefetch(2).build();
        try (DataLoader.Epoch e = loader.epoch(0)) {
            e.next();
            e.next();
            DatasetException ex = assertThrows(DatasetException.class, e::next);
            assertEquals("cannot decode image 12", ex.getMessage());
            assertFalse(e.hasNext(), "the epoch ends after a failure");
        }
    }

    @Test
    void badSettingsAreRejected() {
        Numbered d = new Numbered(5);
        assertThrows(IllegalArgumentException.class, () -> DataLoader.builder(d).batchSize(0));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> DataLoader.builder(d).batchSize(8).build());
        assertTrue(e.getMessage().contains("fewer than one batch of 8"), e.getMessage());
        DataLoader ok = DataLoader.builder(d).batchSize(2).build();
        assertThrows(IllegalArgumentException.class, () -> ok.epoch(0, 3));
    }
}

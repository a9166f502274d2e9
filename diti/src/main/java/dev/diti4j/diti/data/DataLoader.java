package dev.diti4j.diti.data;

import dev.diti4j.core.Device;
import dev.diti4j.core.Tensor;
import dev.diti4j.core.backend.Backends;
import dev.diti4j.core.random.Philox;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Turns a {@link Dataset} into batches (B, C, H, W) epoch by epoch.
 *
 * <p>Everything random is a pure function of (seed, epoch, position): the order of epoch e is a
 * Fisher–Yates shuffle driven by {@code Philox(seed).fork(2e)}, and the horizontal flip of the
 * sample at position p of epoch e is the top bit of word 0 of block p under
 * {@code Philox(seed).fork(2e + 1)}. So an epoch can start at any batch (to resume a run) and
 * yield exactly what an uninterrupted run would have.
 *
 * <p>With prefetching, one background thread reads and assembles the next batches into a bounded
 * queue as float arrays; the {@link Tensor} is made on the consumer's thread when it takes the
 * batch, so it lands in the consumer's {@code Scope} and on its backend. Closing an
 * {@link Epoch} (or the loader) stops its thread and waits for it.
 */
public final class DataLoader implements AutoCloseable {
    /** One batch: images (B, C, H, W) in [−1, 1], labels[b][column], and dataset indices. */
    public record Batch(Tensor images, int[][] labels, int[] indices, int epoch, int index) {
        /** Label column {@code column} of every sample (e.g. class ids for a cross-entropy). */
        public int[] labelColumn(int column) {
            int[] out = new int[labels.length];
            for (int i = 0; i < out.length; i++) {
                out[i] = labels[i][column];
            }
            return out;
        }

        public int size() {
            return indices.length;
        }
    }

    private static final AtomicInteger THREAD_IDS = new AtomicInteger();

    private final Dataset dataset;
    private final int batchSize;
    private final boolean shuffle;
    private final long seed;
    private final boolean flip;
    private final boolean dropLast;
    private final int prefetch;
    private final Device device;
    private final Set<Epoch> open = ConcurrentHashMap.newKeySet();

    private DataLoader(Builder b) {
        this.dataset = b.dataset;
        this.batchSize = b.batchSize;
        this.shuffle = b.shuffle;
        this.seed = b.seed;
        this.flip = b.flip;
        this.dropLast = b.dropLast;
        this.prefetch = b.prefetch;
        this.device = b.device;
        if (batchesPerEpoch() == 0) {
            throw new IllegalArgumentException("dataset " + dataset.name() + " has " + dataset.size()
                    + " images, fewer than one batch of " + batchSize + " with drop-last");
        }
    }

    public static Builder builder(Dataset dataset) {
        return new Builder(dataset);
    }

    /** Loader settings. Defaults: batch 64, shuffled, seed 0, no flip, drop last, prefetch 2, CPU. */
    public static final class Builder {
        private final Dataset dataset;
        private int batchSize = 64;
        private boolean shuffle = true;
        private long seed;
        private boolean flip;
        private boolean dropLast = true;
        private int prefetch = 2;
        private Device device = Device.CPU;

        private Builder(Dataset dataset) {
            if (dataset == null) {
                throw new IllegalArgumentException("a data loader needs a dataset");
            }
            this.dataset = dataset;
        }

        public Builder batchSize(int v) {
            if (v < 1) {
                throw new IllegalArgumentException("batch size must be at least 1, got " + v);
            }
            batchSize = v;
            return this;
        }

        public Builder shuffle(boolean v) {
            shuffle = v;
            return this;
        }

        public Builder seed(long v) {
            seed = v;
            return this;
        }

        /** Flip each image left-right with probability 1/2. */
        public Builder flip(boolean v) {
            flip = v;
            return this;
        }

        /** Drop the last, smaller batch of an epoch. */
        public Builder dropLast(boolean v) {
            dropLast = v;
            return this;
        }

        /** Batches prepared ahead by a background thread; 0 reads on the caller's thread. */
        public Builder prefetch(int v) {
            if (v < 0) {
                throw new IllegalArgumentException("prefetch must be non-negative, got " + v);
            }
            prefetch = v;
            return this;
        }

        public Builder device(Device v) {
            device = v;
            return this;
        }

        public DataLoader build() {
            return new DataLoader(this);
        }
    }

    public Dataset dataset() {
        return dataset;
    }

    public int batchSize() {
        return batchSize;
    }

    public int batchesPerEpoch() {
        int n = dataset.size();
        return dropLast ? n / batchSize : (n + batchSize - 1) / batchSize;
    }

    /** The dataset indices of epoch {@code epoch}, in visiting order. */
    public int[] order(int epoch) {
        int n = dataset.size();
        int[] idx = new int[n];
        for (int i = 0; i < n; i++) {
            idx[i] = i;
        }
        if (shuffle) {
            Philox rng = new Philox(seed).fork(2L * epoch);
            for (int i = n - 1; i > 0; i--) {
                int j = rng.nextInt(i + 1);
                int tmp = idx[i];
                idx[i] = idx[j];
                idx[j] = tmp;
            }
        }
        return idx;
    }

    /** Whether the sample at {@code position} of epoch {@code epoch} is flipped. */
    public boolean flipped(int epoch, int position) {
        if (!flip) {
            return false;
        }
        long key = new Philox(seed).fork(2L * epoch + 1).key();
        return Philox.block(key, position)[0] < 0;
    }

    /** Iterates epoch {@code epoch} from its first batch. */
    public Epoch epoch(int epoch) {
        return epoch(epoch, 0);
    }

    /** Iterates epoch {@code epoch} starting at batch {@code fromBatch} (to resume mid-epoch). */
    public Epoch epoch(int epoch, int fromBatch) {
        if (epoch < 0) {
            throw new IllegalArgumentException("epoch must be non-negative, got " + epoch);
        }
        if (fromBatch < 0 || fromBatch > batchesPerEpoch()) {
            throw new IllegalArgumentException("batch " + fromBatch + " is outside [0, " + batchesPerEpoch() + "]");
        }
        return new Epoch(epoch, fromBatch);
    }

    /** Stops every epoch still running. */
    @Override
    public void close() {
        for (Epoch e : open) {
            e.close();
        }
    }

    /** A batch before it becomes a tensor. */
    private record Prepared(float[] pixels, int[][] labels, int[] indices, int index) {
    }

    private record Failure(RuntimeException error) {
    }

    private Prepared prepare(int epoch, int[] order, int batch) {
        int from = batch * batchSize;
        int count = Math.min(batchSize, order.length - from);
        int c = dataset.channels();
        int h = dataset.height();
        int w = dataset.width();
        int per = c * h * w;
        float[] pixels = new float[count * per];
        int[][] labels = new int[count][];
        int[] indices = new int[count];
        for (int i = 0; i < count; i++) {
            int idx = order[from + i];
            Dataset.Sample s = dataset.get(idx);
            if (s.pixels().length != per) {
                throw new DatasetException(dataset.name() + " image " + idx + " has " + s.pixels().length
                        + " values, expected " + c + "x" + h + "x" + w);
            }
            if (flipped(epoch, from + i)) {
                flipInto(s.pixels(), pixels, i * per, c, h, w);
            } else {
                System.arraycopy(s.pixels(), 0, pixels, i * per, per);
            }
            labels[i] = s.labels();
            indices[i] = idx;
        }
        return new Prepared(pixels, labels, indices, batch);
    }

    private static void flipInto(float[] src, float[] dst, int offset, int c, int h, int w) {
        for (int ch = 0; ch < c; ch++) {
            for (int y = 0; y < h; y++) {
                int row = (ch * h + y) * w;
                for (int x = 0; x < w; x++) {
                    dst[offset + row + x] = src[row + w - 1 - x];
                }
            }
        }
    }

    /**
     * The batches of one epoch, in order. Use it in a try-with-resources (or run it to the end)
     * so that its prefetch thread stops.
     */
    public final class Epoch implements Iterator<Batch>, Iterable<Batch>, AutoCloseable {
        private final int epoch;
        private final int[] order;
        private final int total;
        private int next;
        private final BlockingQueue<Object> queue;
        private final Thread producer;
        private volatile boolean closed;

        private Epoch(int epoch, int fromBatch) {
            this.epoch = epoch;
            this.order = order(epoch);
            this.total = batchesPerEpoch();
            this.next = fromBatch;
            if (prefetch > 0 && fromBatch < total) {
                queue = new ArrayBlockingQueue<>(prefetch);
                producer = new Thread(() -> produce(fromBatch), "diti-data-prefetch-" + THREAD_IDS.incrementAndGet());
                producer.setDaemon(true);
                open.add(this);
                producer.start();
            } else {
                queue = null;
                producer = null;
            }
        }

        private void produce(int fromBatch) {
            try {
                for (int b = fromBatch; b < total && !closed; b++) {
                    Object item;
                    try {
                        item = prepare(epoch, order, b);
                    } catch (RuntimeException e) {
                        item = new Failure(e);
                    }
                    queue.put(item);
                    if (item instanceof Failure) {
                        return;
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();   // closed while waiting for room: just stop
            }
        }

        public int epochIndex() {
            return epoch;
        }

        @Override
        public Iterator<Batch> iterator() {
            return this;
        }

        @Override
        public boolean hasNext() {
            return !closed && next < total;
        }

        @Override
        public Batch next() {
            if (!hasNext()) {
                throw new NoSuchElementException(closed ? "this epoch was closed" : "epoch " + epoch + " has ended");
            }
            Prepared p;
            if (queue == null) {
                p = prepare(epoch, order, next);
            } else {
                Object item = take();
                if (item instanceof Failure f) {
                    close();
                    throw f.error();
                }
                p = (Prepared) item;
            }
            next++;
            if (next == total) {
                close();
            }
            int[] dims = {p.indices().length, dataset.channels(), dataset.height(), dataset.width()};
            Tensor images = Tensor.of(Backends.get(device), p.pixels(), dims);
            return new Batch(images, p.labels(), p.indices(), epoch, p.index());
        }

        private Object take() {
            try {
                return queue.take();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                close();
                throw new DatasetException("interrupted while waiting for batch " + next + " of epoch " + epoch, e);
            }
        }

        /** Stops the prefetch thread and waits for it to end. Idempotent. */
        @Override
        public void close() {
            closed = true;
            if (producer != null) {
                producer.interrupt();
                if (producer != Thread.currentThread()) {
                    try {
                        producer.join(TimeUnit.SECONDS.toMillis(30));
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
                queue.clear();
                open.remove(this);
            }
        }

        /** The prefetch thread, or null when reading on the caller's thread. */
        Thread producerThread() {
            return producer;
        }
    }
}

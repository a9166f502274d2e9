package dev.diti4j.diti.data;

import dev.diti4j.core.Tensor;
import dev.diti4j.diffusion.train.BatchSource;
import dev.diti4j.diti.data.DataLoader;

/**
 * A {@link DataLoader} as the trainer's endless {@link BatchSource}: epoch after epoch, labels
 * dropped. The loader's order and flips are pure functions of (seed, epoch, position), so seeking
 * to a saved (epoch, batch) continues exactly where a run stopped.
 */
public final class LoaderBatchSource implements BatchSource {
    private final DataLoader loader;
    private DataLoader.Epoch current;
    private long epoch;
    private long batch;

    public LoaderBatchSource(DataLoader loader) {
        this.loader = loader;
    }

    @Override
    public Tensor next() {
        if (current == null) {
            if (epoch > Integer.MAX_VALUE) {
                throw new IllegalStateException("epoch " + epoch + " is beyond the data loader's range");
            }
            current = loader.epoch((int) epoch, (int) batch);
        }
        Tensor images = current.next().images();   // (B, C, H, W), in the caller's scope
        if (++batch == loader.batchesPerEpoch()) {
            current.close();
            current = null;
            batch = 0;
            epoch++;
        }
        return images;
    }

    @Override
    public Position position() {
        return new Position(epoch, batch);
    }

    @Override
    public void seek(Position p) {
        if (p.batch() >= loader.batchesPerEpoch()) {
            throw new IllegalArgumentException("batch " + p.batch() + " is outside the " + loader.batchesPerEpoch()
                    + " batches of an epoch (was the batch size changed?)");
        }
        if (current != null) {
            current.close();
            current = null;
        }
        epoch = p.epoch();
        batch = p.batch();
    }

    @Override
    public void close() {
        if (current != null) {
            current.close();
            current = null;
        }
        loader.close();
    }
}

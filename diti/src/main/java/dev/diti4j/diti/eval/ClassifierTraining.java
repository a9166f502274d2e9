package dev.diti4j.diti.eval;

import dev.diti4j.core.Device;
import dev.diti4j.core.Scope;
import dev.diti4j.core.Tensor;
import dev.diti4j.core.random.Philox;
import dev.diti4j.diti.data.DataLoader;
import dev.diti4j.diti.data.Dataset;
import dev.diti4j.diti.data.SyntheticShapes;
import dev.diti4j.nn.checkpoint.Checkpoint;
import dev.diti4j.nn.checkpoint.CheckpointException;
import dev.diti4j.nn.json.Json;
import dev.diti4j.nn.optim.AdamW;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongConsumer;

/**
 * Trains the {@link FactorClassifier} on freshly rendered synthetic shapes and measures it on
 * held-out images. Training images come from factor stream {@link #TRAIN_DATA_SEED}, test images
 * from {@link #TEST_DATA_SEED}; every training image is new (no epochs). A trained classifier can
 * be cached as a safetensors file and is reused when its settings match.
 */
public final class ClassifierTraining {
    /** Factor stream of the training images (the DM trains on stream 0). */
    public static final long TRAIN_DATA_SEED = 101L;
    /** Factor stream of the held-out images. */
    public static final long TEST_DATA_SEED = 202L;
    /** Weight of the outlier-exposure term (see {@link FactorClassifier#uncertaintyLoss}). */
    public static final float OUTLIER_WEIGHT = 0.5f;
    /** Fork id of the generator of the outlier images. */
    static final long NOISE_STREAM = 0x0E5L;

    /**
     * How much to train.
     *
     * @param steps      optimisation steps (each on {@code batch} new images)
     * @param batch      images per step
     * @param lr         peak AdamW learning rate (cosine decay to 0)
     * @param testImages held-out images for the accuracy
     */
    public record Budget(int steps, int batch, float lr, int testImages) {
        public Budget {
            if (steps < 1 || batch < 1 || testImages < 1 || !(lr > 0f)) {
                throw new IllegalArgumentException("classifier budget needs positive steps, batch, test images and"
                        + " learning rate, got " + steps + ", " + batch + ", " + testImages + ", " + lr);
            }
        }

        /**
         * The default: 400 steps of 64 images (25,600 images), 2,000 held out; about a minute on
         * two cores, with held-out accuracy of 0.998 or more on every factor at 16 px.
         */
        public static Budget standard() {
            return new Budget(400, 64, 2e-3f, 2000);
        }
    }

    /**
     * A trained classifier and its held-out accuracy per factor (in {@link FactorClassifier#FACTORS} order).
     *
     * @param seconds training time (0 when loaded from the cache)
     */
    public record Trained(FactorClassifier model, double[] accuracy, Budget budget, long seed, double seconds,
            boolean cached) {
        /** The lowest per-factor accuracy. */
        public double worstAccuracy() {
            return java.util.Arrays.stream(accuracy).min().orElse(0);
        }
    }

    private ClassifierTraining() {
    }

    /** Trains a classifier for {@code imageSize}-px shapes; {@code progress} receives steps done. */
    public static Trained train(int imageSize, Budget b, long seed, Device device, LongConsumer progress) {
        long start = System.nanoTime();
        FactorClassifier model = new FactorClassifier(imageSize, device, new Philox(seed));
        AdamW opt = new AdamW(model, AdamW.Settings.adam(b.lr()).withMaxGradNorm(5f));
        Dataset data = new SyntheticShapes(imageSize, b.steps() * b.batch(), TRAIN_DATA_SEED, true);
        Philox noise = new Philox(seed).fork(NOISE_STREAM);
        try (DataLoader loader = DataLoader.builder(data).batchSize(b.batch()).seed(seed).device(device).build();
                DataLoader.Epoch epoch = loader.epoch(0)) {
            int step = 0;
            for (DataLoader.Batch batch : epoch) {
                // cosine decay: the last steps settle the heads
                opt.setLearningRate((float) (b.lr() * 0.5 * (1 + StrictMath.cos(Math.PI * step / b.steps()))));
                try (Scope s = Scope.open()) {
                    Tensor outliers = noiseImages(noise, Math.max(1, b.batch() / 4), imageSize, step % 3, device);
                    Tensor loss = model.loss(batch.images(), batch.labels())
                            .add(model.uncertaintyLoss(outliers).mul(OUTLIER_WEIGHT));
                    opt.step(loss.backward());
                }
                progress.accept(++step);
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        return new Trained(model, accuracy(model, imageSize, b.testImages(), device), b, seed, seconds, false);
    }

    /**
     * Images that show no shape, (n, 3, S, S) in [−1, 1]: Gaussian noise of random strength, per
     * pixel ({@code kind} 0) or in 2×2 or 4×4 blocks (1, 2), clamped. Pure pixel noise is what an
     * untrained model's samples look like; the blocky kinds stand for smooth, shapeless blobs.
     */
    static Tensor noiseImages(Philox rng, int n, int size, int kind, Device device) {
        int block = 1 << kind;
        Tensor x = Tensor.randn(rng, device, n, 3, size / block, size / block);
        for (int i = 0; i < kind; i++) {
            x = x.upsampleNearest2x();
        }
        float scale = 0.3f + 2.7f * rng.nextUniform();
        return x.mul(scale).add(rng.nextUniform() - 0.5f).clamp(-1f, 1f);
    }

    /** Per-factor accuracy on the first {@code count} held-out images. */
    public static double[] accuracy(FactorClassifier model, int imageSize, int count, Device device) {
        SyntheticShapes test = new SyntheticShapes(imageSize, count, TEST_DATA_SEED, true);
        int[][] labels = new int[count][];
        Tensor images = realImages(test, count, labels, device);
        float[][][] p = model.probabilities(images);
        double[] acc = new double[FactorClassifier.FACTORS.length];
        for (int f = 0; f < acc.length; f++) {
            int right = 0;
            for (int i = 0; i < count; i++) {
                right += SampleQuality.argmax(p[f][i]) == labels[i][f] ? 1 : 0;
            }
            acc[f] = right / (double) count;
        }
        return acc;
    }

    /** The first {@code count} images of a data set as one tensor (count, C, H, W); fills {@code labels}. */
    public static Tensor realImages(Dataset d, int count, int[][] labels, Device device) {
        int per = d.pixelsPerImage();
        float[] px = new float[count * per];
        for (int i = 0; i < count; i++) {
            Dataset.Sample s = d.get(i);
            System.arraycopy(s.pixels(), 0, px, i * per, per);
            if (labels != null) {
                labels[i] = s.labels();
            }
        }
        return Tensor.of(device, px, count, d.channels(), d.height(), d.width());
    }

    /**
     * The classifier cached at {@code file} if it was trained with these settings, else a new one
     * (then saved there).
     */
    public static Trained loadOrTrain(Path file, int imageSize, Budget b, long seed, Device device,
            LongConsumer progress) {
        String config = configJson(imageSize, b, seed);
        if (Files.isRegularFile(file)) {
            try {
                Checkpoint c = Checkpoint.read(file);
                if (config.equals(c.config())) {
                    FactorClassifier model = new FactorClassifier(imageSize, device, new Philox(seed));
                    c.loadModule("", model);
                    Map<String, Object> acc = Json.parseObject(c.metadata("accuracy"));
                    double[] a = new double[FactorClassifier.FACTORS.length];
                    for (int f = 0; f < a.length; f++) {
                        a[f] = Json.getDouble(acc, FactorClassifier.FACTORS[f].spec().name());
                    }
                    return new Trained(model, a, b, seed, 0, true);
                }
            } catch (CheckpointException | IllegalArgumentException e) {
                // an unusable cache is replaced below
            }
        }
        Trained t = train(imageSize, b, seed, device, progress);
        Map<String, Object> acc = new LinkedHashMap<>();
        for (int f = 0; f < t.accuracy().length; f++) {
            acc.put(FactorClassifier.FACTORS[f].spec().name(), t.accuracy()[f]);
        }
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
        } catch (java.io.IOException e) {
            throw new CheckpointException(CheckpointException.Kind.IO, file, "cannot create its folder: "
                    + e.getMessage(), e);
        }
        Checkpoint.writer().module("", t.model()).config(config).step(b.steps()).metadata("accuracy", Json.write(acc))
                .write(file);
        return t;
    }

    private static String configJson(int imageSize, Budget b, long seed) {
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("model", "factor-classifier-2");
        o.put("outlierWeight", (double) OUTLIER_WEIGHT);
        o.put("imageSize", imageSize);
        o.put("steps", b.steps());
        o.put("batch", b.batch());
        o.put("lr", (double) b.lr());
        o.put("testImages", b.testImages());
        o.put("seed", seed);
        o.put("factors", java.util.Arrays.stream(FactorClassifier.FACTORS).map(f -> f.spec().name()).toList());
        return Json.write(o);
    }
}

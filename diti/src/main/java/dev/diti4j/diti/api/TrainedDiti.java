package dev.diti4j.diti.api;

import dev.diti4j.core.Device;
import dev.diti4j.core.GradMode;
import dev.diti4j.core.Scope;
import dev.diti4j.core.Tensor;
import dev.diti4j.core.backend.Backend;
import dev.diti4j.core.backend.Backends;
import dev.diti4j.core.random.Philox;
import dev.diti4j.diffusion.NoiseSchedule;
import dev.diti4j.diffusion.train.NonFinite;
import dev.diti4j.diffusion.train.TrainingCheckpoints;
import dev.diti4j.diti.data.DataSpec;
import dev.diti4j.diti.model.DitiModel;
import dev.diti4j.diti.model.EncoderConfig;
import dev.diti4j.diti.model.Masks;
import dev.diti4j.diti.model.Partition;
import dev.diti4j.diti.train.DitiTrainer;
import dev.diti4j.nn.Parameter;
import dev.diti4j.nn.checkpoint.Checkpoint;
import dev.diti4j.nn.checkpoint.CheckpointException;
import dev.diti4j.nn.json.Json;
import dev.diti4j.nn.unet.UNetConfig;
import dev.diti4j.diti.generate.Counterfactual;
import dev.diti4j.diti.generate.FeatureStats;
import dev.diti4j.diti.generate.Manipulation;
import dev.diti4j.diti.generate.Reconstruction;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A trained DiTi model, loaded for inference: the EMA weights of the encoder E and the shift
 * decoder G (METHOD 8 item 16) on the frozen diffusion model they were trained on, in evaluation
 * mode.
 *
 * <pre>{@code
 * TrainedDiti diti = TrainedDiti.load(Path.of("runs/shapes16-diti"));   // a train-diti run folder
 * float[][] z = diti.encode(ImageIO.read(new File("photo.png")));         // z[0].length == diti.latentDim()
 * Partition p = diti.partition();                                         // subset i = dims [p.start(i), p.end(i))
 * }</pre>
 *
 * <h2>What is loaded</h2>
 * {@link #load(Path)} takes a train-diti run folder (its newest checkpoint, as
 * {@code checkpoints/latest} names it) or one DiTi checkpoint file. The diffusion model comes from
 * the checkpoint file the run recorded: the checkpoint's own {@code run} metadata, else the
 * {@code dm} entry of the run's {@code config.json}. {@link #load(Path, Path)} names it explicitly
 * instead (a train-dm run folder or checkpoint), for a diffusion model that was moved. Every failure
 * is a {@link DitiLoadException} whose message is one sentence naming the file and what is wrong.
 *
 * <h2>Images</h2>
 * {@link #encode(BufferedImage...)} prepares images as the training images were: the central
 * square, resampled to {@link #imageSize()} by area averaging, in [−1, 1]; grey for one-channel
 * models (a Fashion-MNIST model at 32 px sees the square resampled to 28 px inside a 2 px black
 * frame). Images are only ever down-sampled: one whose shorter side is smaller than the model's
 * size is refused with an {@link IllegalArgumentException}.
 *
 * <h2>Threads</h2>
 * On the CPU, concurrent calls of {@link #encode} from any number of threads are safe and run in
 * parallel, without a lock, and give each caller the same bits as the calls made one after
 * another. This holds because nothing a forward pass touches is shared and mutable: graph recording
 * ({@link GradMode}) and memory scopes ({@link Scope}) are per thread, the buffer pool is
 * synchronized, storages are reference-counted atomically, the convolution and GEMM work buffers
 * are per thread, the CPU worker pool splits every loop into the same pieces whoever calls it, the
 * model stays in evaluation mode (the encoder has no dropout, and G's dropout is the identity then)
 * and no layer caches anything between calls. On other devices calls are serialised by a lock.
 * Do not call {@link DitiModel#train()} or change weights through {@link #model()} while other
 * threads use this object.
 *
 * <p>The same batch always gives the same bits. An image encoded in a batch of another size may
 * differ in the last bits (the GEMM groups its sums by the batch's shape), not more.</p>
 *
 * <h2>Generation</h2>
 * {@link #reconstruct}, {@link #counterfactual} and {@link #manipulate} (METHOD 6.3 to 6.5) run the
 * {@code dev.diti4j.diti.generate} package on {@link #model()} and {@link #schedule()}; its classes
 * give finer control (other grids, stochastic decodes, full-z interpolation). They are safe to call
 * from several threads as {@link #encode} is.
 */
public final class TrainedDiti {
    /** Images per forward pass in {@link #encode(BufferedImage...)}. */
    public static final int IMAGE_BATCH = 64;

    private final DitiModel model;
    private final NoiseSchedule schedule;
    private final Device device;
    private final Backend backend;
    private final Path checkpoint;
    private final Path dmCheckpoint;
    private final long step;
    private final DataSpec trainingData;
    private final ImageInput input;
    /** Null on the CPU, where forward passes run concurrently. */
    private final ReentrantLock lock;

    private TrainedDiti(DitiModel model, NoiseSchedule schedule, Device device, Path checkpoint, Path dmCheckpoint,
            long step, DataSpec trainingData) {
        this.model = model;
        this.schedule = schedule;
        this.device = device;
        this.backend = Backends.get(device);
        this.checkpoint = checkpoint;
        this.dmCheckpoint = dmCheckpoint;
        this.step = step;
        this.trainingData = trainingData;
        EncoderConfig enc = model.encoder().config();
        boolean fashionPad = trainingData != null && trainingData.kind() == DataSpec.Kind.FASHION_MNIST
                && enc.imageSize() == 32 && enc.inChannels() == 1;
        this.input = new ImageInput(enc.inChannels(), enc.imageSize(), fashionPad);
        this.lock = device.kind() == Device.Kind.CPU ? null : new ReentrantLock();
    }

    // ---- loading ------------------------------------------------------------------------------

    /**
     * Loads a train-diti run folder (its newest checkpoint) or a DiTi checkpoint file on the CPU,
     * with the diffusion model it recorded.
     *
     * @throws DitiLoadException (one sentence naming the file) when anything is missing or unusable
     */
    public static TrainedDiti load(Path runOrCheckpoint) {
        return load(runOrCheckpoint, null, Device.CPU);
    }

    /** As {@link #load(Path)}, on {@code device}. */
    public static TrainedDiti load(Path runOrCheckpoint, Device device) {
        return load(runOrCheckpoint, null, device);
    }

    /**
     * Loads a DiTi run folder or checkpoint on the CPU with the diffusion model
     * {@code dmCheckpoint} (a train-dm run folder or checkpoint) instead of the one it recorded.
     */
    public static TrainedDiti load(Path runOrCheckpoint, Path dmCheckpoint) {
        return load(runOrCheckpoint, Objects.requireNonNull(dmCheckpoint, "dmCheckpoint"), Device.CPU);
    }

    /**
     * Loads a DiTi run folder or checkpoint on {@code device}.
     *
     * @param dmCheckpoint the diffusion model (run folder or checkpoint), or null for the recorded one
     * @throws DitiLoadException (one sentence naming the file) when anything is missing or unusable
     */
    public static TrainedDiti load(Path runOrCheckpoint, Path dmCheckpoint, Device device) {
        Objects.requireNonNull(runOrCheckpoint, "runOrCheckpoint");
        Objects.requireNonNull(device, "device");
        if (!Files.exists(runOrCheckpoint)) {
            throw new DitiLoadException(DitiLoadException.Kind.NOT_FOUND, runOrCheckpoint, runOrCheckpoint
                    + ": there is no such train-diti run folder or DiTi checkpoint");
        }
        Path file;
        Checkpoint c;
        try {
            file = TrainingCheckpoints.resolve(runOrCheckpoint);
        } catch (CheckpointException e) {
            throw new DitiLoadException(DitiLoadException.Kind.NOT_FOUND, runOrCheckpoint, e.getMessage(), e);
        }
        try {
            c = Checkpoint.read(file);
        } catch (CheckpointException e) {
            throw new DitiLoadException(DitiLoadException.Kind.NOT_DITI, file, e.getMessage(), e);
        }
        requireDiti(c);
        UNetConfig unet;
        EncoderConfig enc;
        Partition partition;
        long step;
        try {
            Map<String, Object> cfg = Json.parseObject(c.config());
            unet = UNetConfig.fromJson(Json.getString(cfg, "unet"));
            enc = EncoderConfig.fromJson(Json.getString(cfg, "encoder"));
            partition = Partition.fromJson(Json.getString(cfg, "partition"));
            step = c.step();
        } catch (IllegalArgumentException | CheckpointException e) {
            throw new DitiLoadException(DitiLoadException.Kind.NOT_DITI, file, "checkpoint " + file
                    + " is not a usable DiTi checkpoint: its configuration cannot be read (" + e.getMessage() + ")", e);
        }
        Path dmFile = dmCheckpoint != null ? resolveGivenDm(dmCheckpoint) : recordedDm(c, file);
        Checkpoint dc;
        DitiTrainer.FrozenSource dm;
        try {
            dc = Checkpoint.read(dmFile);
            dm = DitiTrainer.loadDm(dc, device);
        } catch (CheckpointException e) {
            throw new DitiLoadException(DitiLoadException.Kind.DM_UNUSABLE, dmFile, "diffusion-model " + e.getMessage(),
                    e);
        }
        if (!unet.equals(dm.unet().config())) {
            throw new DitiLoadException(DitiLoadException.Kind.LAYOUT_MISMATCH, file, "DiTi checkpoint " + file
                    + " was trained on a U-Net of another layout than diffusion model " + dmFile + " (" + unet.toJson()
                    + " versus " + dm.unet().config().toJson() + ")");
        }
        NoiseSchedule schedule = dm.settings().noiseSchedule();
        if (partition.steps() != schedule.steps()) {
            throw new DitiLoadException(DitiLoadException.Kind.LAYOUT_MISMATCH, file, "DiTi checkpoint " + file
                    + " divides " + partition.steps() + " time steps but diffusion model " + dmFile + " has "
                    + schedule.steps());
        }
        DitiModel model;
        try {
            model = new DitiModel(dm.unet(), enc, partition, new Philox(0));
        } catch (IllegalArgumentException e) {
            throw new DitiLoadException(DitiLoadException.Kind.LAYOUT_MISMATCH, file, "DiTi checkpoint " + file
                    + " does not fit diffusion model " + dmFile + ": " + e.getMessage(), e);
        }
        try {
            c.loadModule("ema", model);
        } catch (CheckpointException e) {
            throw new DitiLoadException(DitiLoadException.Kind.NOT_DITI, file, e.getMessage()
                    + " (inference uses the EMA weights, ema.*)", e);
        }
        requireFinite(file, "ema", model.namedParameters());
        requireFinite(dmFile, "ema", dm.unet().namedParameters());
        model.eval();
        return new TrainedDiti(model, schedule, device, file, dmFile, step, dataOf(c, dc));
    }

    private static void requireDiti(Checkpoint c) {
        String kind = c.metadata().get("kind");
        if (DitiTrainer.CHECKPOINT_KIND.equals(kind)) {
            return;
        }
        String why = kind == null ? "it has no 'kind' metadata entry (train-diti writes DiTi checkpoints)"
                : kind.equals("diffusion-model") ? "it is a diffusion-model checkpoint from train-dm, not a DiTi one"
                + " from train-diti"
                : "it holds a '" + kind + "', not a " + DitiTrainer.CHECKPOINT_KIND;
        throw new DitiLoadException(DitiLoadException.Kind.NOT_DITI, c.path(), "checkpoint " + c.path()
                + " is not a DiTi checkpoint: " + why);
    }

    private static Path resolveGivenDm(Path dm) {
        if (!Files.exists(dm)) {
            throw new DitiLoadException(DitiLoadException.Kind.DM_MISSING, dm, "diffusion model " + dm
                    + ": there is no such train-dm run folder or checkpoint");
        }
        try {
            return TrainingCheckpoints.resolve(dm);
        } catch (CheckpointException e) {
            throw new DitiLoadException(DitiLoadException.Kind.DM_MISSING, dm, "diffusion-model " + e.getMessage(), e);
        }
    }

    /** The diffusion-model checkpoint recorded by the checkpoint or, failing that, its run's config.json. */
    private static Path recordedDm(Checkpoint c, Path file) {
        String dm = null;
        String source = "its 'run' metadata";
        String run = c.metadata().get("run");
        if (run != null) {
            try {
                dm = Json.getString(Json.parseObject(run), "dm");
            } catch (IllegalArgumentException e) {
                dm = null;
            }
        }
        if (dm == null) {
            Path config = runFolderOf(file).resolve("config.json");
            source = config.toString();
            if (Files.isRegularFile(config)) {
                try {
                    dm = Json.getString(Json.parseObject(Files.readString(config, StandardCharsets.UTF_8)), "dm");
                } catch (IOException | IllegalArgumentException e) {
                    throw new DitiLoadException(DitiLoadException.Kind.DM_UNKNOWN, config, "run configuration " + config
                            + " does not say which diffusion model DiTi checkpoint " + file + " was trained on: "
                            + e.getMessage(), e);
                }
            }
        }
        if (dm == null) {
            throw new DitiLoadException(DitiLoadException.Kind.DM_UNKNOWN, file, "DiTi checkpoint " + file
                    + " does not record which diffusion model it was trained on (no 'run' metadata entry and no"
                    + " config.json in its run folder); give the diffusion-model checkpoint explicitly");
        }
        Path p = Path.of(dm);
        if (!Files.isRegularFile(p)) {
            throw new DitiLoadException(DitiLoadException.Kind.DM_MISSING, p, "the diffusion-model checkpoint " + p
                    + " that DiTi checkpoint " + file + " was trained on (as " + source + " records) no longer exists;"
                    + " it was moved or deleted, so give its new location explicitly");
        }
        return p;
    }

    /** The run folder of a checkpoint file: the parent of its {@code checkpoints} folder. */
    private static Path runFolderOf(Path file) {
        Path dir = file.toAbsolutePath().getParent();
        if (dir.getFileName() != null && dir.getFileName().toString().equals("checkpoints") && dir.getParent() != null) {
            return dir.getParent();
        }
        return dir;
    }

    private static void requireFinite(Path file, String prefix, Map<String, Parameter> params) {
        Map<String, Tensor> named = new LinkedHashMap<>();
        params.forEach((n, p) -> named.put(prefix + "." + n, p.tensor()));
        NonFinite.Found bad = NonFinite.first(named);
        if (bad != null) {
            throw new DitiLoadException(DitiLoadException.Kind.NON_FINITE, file, "checkpoint " + file
                    + " cannot be used: its tensor '" + bad.name() + "' holds " + bad.describe());
        }
    }

    /** The data set the checkpoint (or else its diffusion model) records, or null. */
    private static DataSpec dataOf(Checkpoint diti, Checkpoint dm) {
        for (Checkpoint c : List.of(diti, dm)) {
            String json = c.metadata().get("data");
            if (json != null) {
                try {
                    return DataSpec.fromJson(json);
                } catch (IllegalArgumentException e) {
                    // not recorded in a usable form: try the next one
                }
            }
        }
        return null;
    }

    // ---- encoding -----------------------------------------------------------------------------

    /**
     * z = E(x_0) for each image, with the EMA encoder; {@code result[i]} is image i's feature of
     * length {@link #latentDim()}. Images are prepared as described in the class comment and
     * encoded in batches of {@link #IMAGE_BATCH}.
     *
     * @throws IllegalArgumentException naming the first image that is null or too small
     */
    public float[][] encode(BufferedImage... images) {
        return encode(java.util.Arrays.asList(images));
    }

    /** As {@link #encode(BufferedImage...)}, for a list. */
    public float[][] encode(List<BufferedImage> images) {
        int n = images.size();
        int per = channels() * imageSize() * imageSize();
        float[][] out = new float[n][];
        for (int from = 0; from < n; from += IMAGE_BATCH) {
            int count = Math.min(IMAGE_BATCH, n - from);
            float[] pixels = new float[count * per];
            for (int i = 0; i < count; i++) {
                System.arraycopy(input.pixels(images.get(from + i), from + i), 0, pixels, i * per, per);
            }
            float[] z;
            try (Scope s = Scope.open()) {
                z = encode(Tensor.of(backend, pixels, count, channels(), imageSize(), imageSize())).toArray();
            }
            int d = latentDim();
            for (int i = 0; i < count; i++) {
                out[from + i] = java.util.Arrays.copyOfRange(z, i * d, (i + 1) * d);
            }
        }
        return out;
    }

    /**
     * z = E(x_0) for a batch x_0 (B, C, S, S) in [−1, 1] on {@link #device()}, with S =
     * {@link #imageSize()} and C = {@link #channels()}: a (B, d) tensor without graph, owned by the
     * caller's current {@link Scope} (or by none).
     *
     * @throws IllegalArgumentException for another shape or device
     */
    public Tensor encode(Tensor x0) {
        Objects.requireNonNull(x0, "x0");
        if (!x0.device().equals(device)) {
            throw new IllegalArgumentException("the images are on " + x0.device() + " but the model is on " + device);
        }
        if (x0.rank() != 4 || x0.dim(1) != channels() || x0.dim(2) != imageSize() || x0.dim(3) != imageSize()) {
            throw new IllegalArgumentException("the encoder expects images (B, " + channels() + ", " + imageSize() + ", "
                    + imageSize() + "), got " + x0.shape());
        }
        if (lock != null) {
            lock.lock();
        }
        try (GradMode off = GradMode.off(); Scope s = Scope.open()) {
            return s.keep(model.encode(x0));
        } finally {
            if (lock != null) {
                lock.unlock();
            }
        }
    }

    /**
     * The images prepared as {@link #encode(BufferedImage...)} prepares them: a (n, C, S, S) tensor
     * in [−1, 1] on {@link #device()}, owned by the caller's current {@link Scope}.
     */
    public Tensor toInput(BufferedImage... images) {
        int per = channels() * imageSize() * imageSize();
        float[] pixels = new float[images.length * per];
        for (int i = 0; i < images.length; i++) {
            System.arraycopy(input.pixels(images[i], i), 0, pixels, i * per, per);
        }
        return Tensor.of(backend, pixels, images.length, channels(), imageSize(), imageSize());
    }

    // ---- what was loaded ----------------------------------------------------------------------

    /** The split of z into subsets tied to time steps: subset i holds dims [start(i), end(i)). */
    public Partition partition() {
        return model.partition();
    }

    /** The masks M, K, R of the partition (METHOD 4.4). */
    public Masks masks() {
        return model.masks();
    }

    /** d, the length of z. */
    public int latentDim() {
        return model.partition().latentDim();
    }

    /** The side S of the square images the encoder reads. */
    public int imageSize() {
        return model.encoder().config().imageSize();
    }

    /** Image channels C (3 for RGB, 1 for grey). */
    public int channels() {
        return model.encoder().config().inChannels();
    }

    /**
     * The network with the EMA weights, in evaluation mode: E, G and the frozen ε_θ. Shared with
     * every caller; keep it in evaluation mode and its weights unchanged.
     */
    public DitiModel model() {
        return model;
    }

    /** The diffusion model's noise schedule (T steps, ᾱ_t), as it was trained with. */
    public NoiseSchedule schedule() {
        return schedule;
    }

    public Device device() {
        return device;
    }

    /** The DiTi checkpoint file that was loaded. */
    public Path checkpoint() {
        return checkpoint;
    }

    /** The diffusion-model checkpoint file that was loaded. */
    public Path dmCheckpoint() {
        return dmCheckpoint;
    }

    /** Training steps of the loaded checkpoint. */
    public long step() {
        return step;
    }

    /** The data set the model was trained on, when the checkpoint (or its diffusion model's) records it. */
    public Optional<DataSpec> trainingData() {
        return Optional.ofNullable(trainingData);
    }

    // ---- generation (reconstruct, counterfactual, manipulate) ---------------------------------

    /**
     * Reconstructions of a batch x_0 (B, C, S, S) (METHOD 6.3): z = E(x_0), x_T by masked DDIM
     * inversion with {@code ddimSteps} steps, then masked DDIM generation from x_T with as many.
     *
     * @return z, x_T and the images, owned by the caller's current {@link Scope}
     */
    public Reconstruction.Result reconstruct(Tensor x0, int ddimSteps) {
        checkImages("x0", x0);
        return locked(() -> new Reconstruction(model, schedule, ddimSteps, ddimSteps).reconstruct(x0));
    }

    /** {@link #reconstruct(Tensor, int)} of images prepared as {@link #encode(BufferedImage...)} does, as images. */
    public BufferedImage[] reconstruct(int ddimSteps, BufferedImage... images) {
        try (Scope s = Scope.open()) {
            return toImages(reconstruct(toInput(images), ddimSteps).images());
        }
    }

    /**
     * Counterfactuals (METHOD 6.4): for each pair (x1[p], x2[p]), the dimensions of subsets
     * {@code from} … {@code to − 1} moved from image 1's z towards image 2's by each α, and the
     * mirror; x_T is each source's own inversion ({@link Counterfactual.Noise#SOURCE}, so only z
     * changes) or slerped towards the other's ({@link Counterfactual.Noise#SLERP}, the reference's
     * default).
     *
     * @return 2P rows of {@code alphas.length} images (row 2p: z_12 of pair p, row 2p+1: z_21)
     */
    public Counterfactual.Result counterfactual(Tensor x1, Tensor x2, int from, int to, double[] alphas,
            Counterfactual.Noise noise, int ddimSteps) {
        checkImages("x1", x1);
        checkImages("x2", x2);
        return locked(() -> {
            Counterfactual cf = new Counterfactual(model, schedule, ddimSteps, ddimSteps);
            return cf.swapRange(cf.prepare(x1, x2), from, to, alphas, noise);
        });
    }

    /**
     * Edits along a direction of the standardised feature space (METHOD 6.5), e.g. a linear probe's
     * weight row: ẑ' = ẑ + s·√d·w/‖w‖ for each scale s, with x_T from PDAE-style inversion.
     *
     * @param stats per-dimension mean and std of z over a training set ({@link FeatureStats#of})
     */
    public Manipulation.Result manipulate(Tensor x0, FeatureStats stats, float[] direction, double[] scales,
            int ddimSteps) {
        checkImages("x0", x0);
        return locked(() -> new Manipulation(model, schedule, stats, ddimSteps, ddimSteps)
                .manipulate(x0, direction, scales));
    }

    /** Images (B, C, S, S) in [−1, 1] as RGB or grey {@link BufferedImage}s. */
    public static BufferedImage[] toImages(Tensor images) {
        if (images.rank() != 4 || (images.dim(1) != 1 && images.dim(1) != 3)) {
            throw new IllegalArgumentException("images must be (B, 1 or 3, H, W), got " + images.shape());
        }
        int b = images.dim(0);
        int c = images.dim(1);
        int h = images.dim(2);
        int w = images.dim(3);
        float[] px = images.toArray();
        BufferedImage[] out = new BufferedImage[b];
        for (int i = 0; i < b; i++) {
            BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    int[] v = new int[3];
                    for (int k = 0; k < 3; k++) {
                        float f = px[((i * c + Math.min(k, c - 1)) * h + y) * w + x];
                        v[k] = Math.round(Math.max(0f, Math.min(1f, (f + 1f) / 2f)) * 255f);
                    }
                    img.setRGB(x, y, (v[0] << 16) | (v[1] << 8) | v[2]);
                }
            }
            out[i] = img;
        }
        return out;
    }

    private void checkImages(String name, Tensor x) {
        Objects.requireNonNull(x, name);
        if (!x.device().equals(device)) {
            throw new IllegalArgumentException(name + " is on " + x.device() + " but the model is on " + device);
        }
        if (x.rank() != 4 || x.dim(1) != channels() || x.dim(2) != imageSize() || x.dim(3) != imageSize()) {
            throw new IllegalArgumentException(name + " must be images (B, " + channels() + ", " + imageSize() + ", "
                    + imageSize() + "), got " + x.shape());
        }
    }

    private <T> T locked(java.util.function.Supplier<T> work) {
        if (lock != null) {
            lock.lock();
        }
        try {
            return work.get();
        } finally {
            if (lock != null) {
                lock.unlock();
            }
        }
    }

    @Override
    public String toString() {
        return "TrainedDiti(" + checkpoint + ", step " + step + ", d = " + latentDim() + ", k = " + partition().subsets()
                + ", " + channels() + "x" + imageSize() + "x" + imageSize() + ")";
    }
}

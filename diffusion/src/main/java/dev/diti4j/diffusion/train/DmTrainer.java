package dev.diti4j.diffusion.train;

import dev.diti4j.core.Device;
import dev.diti4j.core.GradMode;
import dev.diti4j.core.Gradients;
import dev.diti4j.core.Scope;
import dev.diti4j.core.Tensor;
import dev.diti4j.core.random.Philox;
import dev.diti4j.diffusion.EpsilonLoss;
import dev.diti4j.diffusion.NoiseSchedule;
import dev.diti4j.nn.Parameter;
import dev.diti4j.nn.checkpoint.Checkpoint;
import dev.diti4j.nn.checkpoint.CheckpointException;
import dev.diti4j.nn.json.Json;
import dev.diti4j.nn.optim.AdamW;
import dev.diti4j.nn.optim.Ema;
import dev.diti4j.nn.optim.GradNorm;
import dev.diti4j.nn.unet.UNet;
import dev.diti4j.nn.unet.UNetConfig;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Trains an ε-prediction U-Net (METHOD 1.2; the small recipe of METHOD 9 stage A). One step:
 *
 * <pre>
 *   t ~ U{0..T-1}, ε ~ N(0, I)            from the noise generator, in that order
 *   x_t = √ᾱ_t x_0 + √(1−ᾱ_t) ε
 *   L = mean(λ_t (ε − ε_θ(x_t, t))²)        uniform λ, or PDAE's (METHOD 2.3)
 *   AdamW on ∇L (optionally clipped), then EMA of the weights
 * </pre>
 *
 * <p>Each step runs in its own {@link Scope}, so live memory stays flat. All randomness is in
 * two generators: the noise generator (t and ε), {@code Philox(seed).fork(NOISE_STREAM)}, and
 * the dropout generator, {@code Philox(seed).fork(DROPOUT_STREAM)}, which the model's dropout
 * layers share. {@link #save} stores them with the weights, the EMA, the optimizer moments, the
 * step and the data position; {@link #resume} restores all of it, so a resumed run continues
 * bit-identically on the CPU.
 */
public final class DmTrainer implements TrainingLoop.Trainer<DmTrainer.StepResult> {
    /** Stream id of the time-step and noise generator. */
    public static final long NOISE_STREAM = 0x4E01L;
    /** Stream id of the dropout generator. */
    public static final long DROPOUT_STREAM = 0xD0D0L;
    /** The value of the checkpoint's {@code kind} metadata entry. */
    public static final String CHECKPOINT_KIND = "diffusion-model";
    /**
     * Metadata entry that marks a checkpoint holding only the EMA weights ({@link #exportEma}): it
     * serves as a frozen model and for sampling, but cannot be resumed.
     */
    public static final String EMA_ONLY = "ema_only";

    /**
     * What one step did.
     *
     * @param step     steps done after this one (1 for the first)
     * @param loss     the batch loss
     * @param gradNorm the global gradient norm before clipping
     * @param lr       the learning rate used
     * @param batch    images in the batch
     * @param seconds  wall time of the step (data excluded)
     */
    public record StepResult(long step, float loss, float gradNorm, float lr, int batch, double seconds) {
    }

    /** A trainer restored from a checkpoint, with the data position saved beside it. */
    public record Resumed(DmTrainer trainer, BatchSource.Position position, Checkpoint checkpoint) {
    }

    private final UNet model;
    private final DmSettings settings;
    private final NoiseSchedule schedule;
    private final EpsilonLoss loss;
    private final AdamW optimizer;
    private final Ema ema;
    private final Philox noiseRng;
    private final Philox dropoutRng;
    private long step;

    /**
     * A fresh run on {@code model}, whose parameters' device is the training device. Construct it
     * outside any {@link Scope} (the optimizer moments and EMA shadows live as long as it does).
     */
    public DmTrainer(UNet model, DmSettings settings) {
        this(model, settings, new Philox(settings.seed()).fork(NOISE_STREAM),
                new Philox(settings.seed()).fork(DROPOUT_STREAM), 0);
    }

    private DmTrainer(UNet model, DmSettings settings, Philox noiseRng, Philox dropoutRng, long step) {
        UNetConfig cfg = model.config();
        if (cfg.inChannels() != cfg.outChannels()) {
            throw new IllegalArgumentException("an ε-prediction U-Net needs as many output channels as input channels, got "
                    + cfg.inChannels() + " in and " + cfg.outChannels() + " out");
        }
        this.model = model;
        this.settings = settings;
        this.schedule = settings.noiseSchedule();
        this.loss = new EpsilonLoss(schedule, settings.lossWeights());
        this.optimizer = new AdamW(model, AdamW.Settings.adam(settings.lrAt(step))
                .withMaxGradNorm(settings.maxGradNorm()));
        this.ema = new Ema(model, settings.emaDecay());
        this.noiseRng = noiseRng;
        this.dropoutRng = dropoutRng;
        this.step = step;
        model.train();
        model.setDropoutRng(dropoutRng);
    }

    /**
     * One optimisation step on the clean batch {@code x0} (B, C, H, W) in [−1, 1], on the model's
     * device.
     *
     * @throws TrainingDivergedException when the loss or a gradient is not finite (the update is
     *                                   then not applied, so the weights are those of the previous
     *                                   step) or when the update made a weight non-finite (the
     *                                   trainer must then be discarded); the message names the step
     *                                   and the first non-finite tensor
     */
    @Override
    public StepResult step(Tensor x0) {
        long start = System.nanoTime();
        float lr = settings.lrAt(step);
        optimizer.setLearningRate(lr);
        float value;
        float norm;
        try (Scope s = Scope.open()) {
            EpsilonLoss.Sampled l = loss.sample(model::forward, x0, noiseRng);
            value = l.loss().item();
            if (!Float.isFinite(value)) {
                throw lossDiverged(value, l.loss());
            }
            Gradients g = l.loss().backward();
            float gradNorm = GradNorm.global(g, optimizer.parameters());
            if (!Float.isFinite(gradNorm)) {
                throw gradientDiverged(value, g);
            }
            norm = optimizer.step(g);
        }
        NonFinite.Found bad = NonFinite.first(parameters());
        if (bad != null) {
            throw new TrainingDivergedException(step + 1, bad.name(), TrainingDivergedException.Cause.UPDATE,
                    "training diverged at step " + (step + 1)
                    + ": its update made parameter '" + bad.name() + "' non-finite (" + bad.describe() + ")");
        }
        ema.update(settings.emaDecayAt(step));
        step++;
        return new StepResult(step, value, norm, lr, x0.dim(0), (System.nanoTime() - start) / 1e9);
    }

    private TrainingDivergedException lossDiverged(float value, Tensor lossTensor) {
        long n = step + 1;
        NonFinite.Found weight = NonFinite.first(parameters());
        if (weight != null) {
            return new TrainingDivergedException(n, weight.name(), TrainingDivergedException.Cause.WEIGHTS,
                    "training stopped at step " + n + ": the loss is "
                    + value + " because parameter '" + weight.name() + "' already holds " + weight.describe());
        }
        NonFinite.Found grad = NonFinite.first(gradients(lossTensor.backward()));
        return new TrainingDivergedException(n, grad == null ? null : grad.name(),
                TrainingDivergedException.Cause.LOSS, "training diverged at step " + n
                + ": the loss is " + value + (grad == null ? "" : " and the first non-finite gradient is that of '"
                + grad.name() + "' (" + grad.describe() + ")"));
    }

    private TrainingDivergedException gradientDiverged(float value, Gradients g) {
        long n = step + 1;
        Map<String, Tensor> grads = gradients(g);
        NonFinite.Found grad = NonFinite.first(grads);
        if (grad != null) {
            return new TrainingDivergedException(n, grad.name(), TrainingDivergedException.Cause.GRADIENT,
                    "training diverged at step " + n + ": the loss is "
                    + value + " but the gradient of '" + grad.name() + "' holds " + grad.describe());
        }
        // every value is finite but the squared norm overflows float: name the first tensor whose own does
        String name = null;
        try (GradMode off = GradMode.off(); Scope s = Scope.open()) {
            for (Map.Entry<String, Tensor> e : grads.entrySet()) {
                if (!Float.isFinite(e.getValue().square().sum().item())) {
                    name = e.getKey();
                    break;
                }
            }
        }
        return new TrainingDivergedException(n, name, TrainingDivergedException.Cause.GRADIENT,
                "training diverged at step " + n + ": the gradient norm"
                + " overflows float" + (name == null ? "" : ", first in the gradient of '" + name + "'"));
    }

    /** The trainable parameters by name, in the optimizer's order. */
    private Map<String, Tensor> parameters() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (Parameter p : optimizer.parameters()) {
            out.put(p.name(), p.tensor());
        }
        return out;
    }

    private Map<String, Tensor> gradients(Gradients g) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (Parameter p : optimizer.parameters()) {
            Tensor t = g.get(p.tensor());
            if (t != null) {
                out.put(p.name(), t);
            }
        }
        return out;
    }

    /** Steps done so far. */
    @Override
    public long stepCount() {
        return step;
    }

    public UNet model() {
        return model;
    }

    public DmSettings settings() {
        return settings;
    }

    public NoiseSchedule schedule() {
        return schedule;
    }

    public AdamW optimizer() {
        return optimizer;
    }

    public Ema ema() {
        return ema;
    }

    /** The generator of t and ε (its offset advances every step). */
    public Philox noiseRng() {
        return noiseRng;
    }

    /** The generator the model's dropout layers draw from. */
    public Philox dropoutRng() {
        return dropoutRng;
    }

    /**
     * A new model in evaluation mode holding the EMA weights (or, with {@code ema = false}, a copy
     * of the live weights), for sampling during or after training without touching the trainer.
     */
    public UNet snapshot(boolean ema) {
        UNet copy = new UNet(model.config(), device(), new Philox(0));
        if (ema) {
            this.ema.copyTo(copy);
        } else {
            var target = copy.namedParameters();
            model.namedParameters().forEach((name, p) -> target.get(name).tensor().assign(p.tensor()));
        }
        copy.eval();
        return copy;
    }

    private Device device() {
        return model.parameters().getFirst().tensor().device();
    }

    // ---- checkpoints --------------------------------------------------------------------------

    /**
     * Saves everything needed to continue exactly (atomically; see {@link Checkpoint}): the weights
     * (unprefixed, so the file is a plain model checkpoint too), {@code ema.*}, {@code optim.*}, the
     * model config, the settings ({@code trainer}), the step, both generators and the data
     * position ({@code loader}), plus any {@code extra} metadata entries (for example how to rebuild
     * the dataset).
     */
    @Override
    public void save(Path file, BatchSource.Position position, Map<String, String> extra) {
        Map<String, Object> pos = new LinkedHashMap<>();
        pos.put("epoch", position.epoch());
        pos.put("batch", position.batch());
        Checkpoint.Writer w = Checkpoint.writer().module("", model).state("optim", optimizer).state("ema", ema)
                .config(model.config().toJson()).step(step).rng("noise", noiseRng).rng("dropout", dropoutRng)
                .metadata("kind", CHECKPOINT_KIND).metadata("trainer", settings.toJson())
                .metadata("loader", Json.write(pos));
        extra.forEach(w::metadata);
        w.write(file);
    }

    /**
     * Restores a trainer saved by {@link #save} onto {@code device}: a new model from the stored
     * config, its weights, EMA, optimizer state, generators and step.
     *
     * @throws CheckpointException (one sentence) when the file is not a usable training checkpoint
     */
    public static Resumed resume(Checkpoint c, Device device) {
        requireKind(c);
        if (isEmaOnly(c)) {
            throw new CheckpointException(CheckpointException.Kind.BAD_METADATA, c.path(), "it holds only the EMA"
                    + " weights of a trained model (written by export-dm), so it can be sampled or frozen but not resumed");
        }
        UNetConfig cfg = config(c);
        DmSettings settings;
        try {
            settings = DmSettings.fromJson(c.metadata("trainer"));
        } catch (IllegalArgumentException e) {
            throw new CheckpointException(CheckpointException.Kind.BAD_METADATA, c.path(),
                    "metadata entry 'trainer' is not a usable training configuration: " + e.getMessage(), e);
        }
        BatchSource.Position position;
        try {
            Map<String, Object> o = Json.parseObject(c.metadata("loader"));
            position = new BatchSource.Position(Json.getLong(o, "epoch"), Json.getLong(o, "batch"));
        } catch (IllegalArgumentException e) {
            throw new CheckpointException(CheckpointException.Kind.BAD_METADATA, c.path(),
                    "metadata entry 'loader' is not a data position: " + e.getMessage(), e);
        }
        long step = c.step();
        UNet model = new UNet(cfg, device, new Philox(0));
        c.loadModule("", model);
        DmTrainer t = new DmTrainer(model, settings, c.rng("noise"), c.rng("dropout"), step);
        c.loadState("optim", t.optimizer);
        c.loadState("ema", t.ema);
        return new Resumed(t, position, c);
    }

    /** Whether {@code c} was written by {@link #exportEma} (EMA weights only). */
    public static boolean isEmaOnly(Checkpoint c) {
        return "true".equals(c.metadata().get(EMA_ONLY));
    }

    /**
     * Writes the EMA weights of training checkpoint {@code c} ({@code ema.*}) with its metadata (model
     * config, settings, step, data description) to {@code out}, atomically, leaving out the live
     * weights and the optimizer's moments: a file about a quarter of the checkpoint's size that
     * serves as a frozen diffusion model and for sampling. It is marked {@link #EMA_ONLY}, so
     * {@link #resume} refuses it with a clear message.
     *
     * @return the number of parameters written
     * @throws CheckpointException (one sentence) when {@code c} is not a diffusion-model checkpoint or
     *                             its EMA weights do not fit its config
     */
    public static long exportEma(Checkpoint c, Path out) {
        requireKind(c);
        UNet unet = new UNet(config(c), Device.CPU, new Philox(0));
        c.loadModule("ema", unet);
        Checkpoint.Writer w = Checkpoint.writer().module("ema", unet);
        for (Map.Entry<String, String> e : c.metadata().entrySet()) {
            String k = e.getKey();
            if (!k.equals("format") && !k.equals(EMA_ONLY) && !k.equals("optim") && !k.startsWith("rng.")) {
                w.metadata(k, e.getValue());
            }
        }
        w.metadata(EMA_ONLY, "true");
        w.write(out);
        return unet.parameterCount();
    }

    /** The model config stored in a checkpoint. */
    public static UNetConfig config(Checkpoint c) {
        try {
            return UNetConfig.fromJson(c.config());
        } catch (IllegalArgumentException e) {
            throw new CheckpointException(CheckpointException.Kind.BAD_METADATA, c.path(),
                    "metadata entry 'config' is not a U-Net configuration: " + e.getMessage(), e);
        }
    }

    /** Checks that the file was written by {@link #save}. */
    public static void requireKind(Checkpoint c) {
        String kind = c.metadata().get("kind");
        if (!CHECKPOINT_KIND.equals(kind)) {
            throw new CheckpointException(CheckpointException.Kind.BAD_METADATA, c.path(), kind == null
                    ? "it is not a diffusion-model training checkpoint (no metadata entry 'kind')"
                    : "it holds a '" + kind + "', not a " + CHECKPOINT_KIND);
        }
    }
}

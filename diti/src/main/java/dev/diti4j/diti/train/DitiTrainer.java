package dev.diti4j.diti.train;

import dev.diti4j.core.Device;
import dev.diti4j.core.Gradients;
import dev.diti4j.core.Scope;
import dev.diti4j.core.Tensor;
import dev.diti4j.core.random.Philox;
import dev.diti4j.diffusion.NoiseSchedule;
import dev.diti4j.diffusion.TimestepSampler;
import dev.diti4j.diffusion.TimestepWeights;
import dev.diti4j.diffusion.train.BatchSource;
import dev.diti4j.diffusion.train.DmSettings;
import dev.diti4j.diffusion.train.DmTrainer;
import dev.diti4j.diffusion.train.NonFinite;
import dev.diti4j.diffusion.train.TrainingLoop;
import dev.diti4j.diffusion.train.TrainingDivergedException;
import dev.diti4j.diti.model.DitiLoss;
import dev.diti4j.diti.model.DitiModel;
import dev.diti4j.diti.model.EncoderConfig;
import dev.diti4j.diti.model.Partition;
import dev.diti4j.nn.Parameter;
import dev.diti4j.nn.checkpoint.Checkpoint;
import dev.diti4j.nn.checkpoint.CheckpointException;
import dev.diti4j.nn.json.Json;
import dev.diti4j.nn.optim.AdamW;
import dev.diti4j.nn.optim.Ema;
import dev.diti4j.nn.unet.UNet;
import dev.diti4j.nn.unet.UNetConfig;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Trains the DiTi encoder and shift decoder on a frozen diffusion model (METHOD 4.7). One step:
 *
 * <pre>
 *   t ~ U{0..T-1}, ε ~ N(0, I)                 from the noise generator, in that order
 *   z = E(x_0); one frozen pass of ε_θ on x_t; G on the masked z (twice for dual)
 *   L = mean(λ_t (ε − ε_θ − c_t G)²)            λ = PDAE's, the mode's condition (METHOD 4.5, 4.6)
 *   Adam on ∇L, then EMA of the encoder and shift decoder
 * </pre>
 *
 * x_0 comes from a {@link BatchSource} (the data loader flips, when asked). The noise schedule is
 * the diffusion model's own ({@link DmSettings#noiseSchedule()} of its run). Each step runs in its
 * own {@link Scope}. All randomness is in two generators, {@code Philox(seed).fork(NOISE_STREAM)}
 * for t and ε and {@code Philox(seed).fork(DROPOUT_STREAM)} for dropout in the trained parts; the
 * initial weights come from {@code Philox(seed).fork(INIT_STREAM)}. {@link #save} stores the trained
 * weights, EMA, optimizer moments, step, generators, data position and the loss-reduction histogram;
 * {@link #resume} restores all of it onto the same frozen model, so a resumed run continues
 * bit-identically on the CPU. The frozen U-Net's weights are not in the DiTi checkpoint: they are
 * loaded from the diffusion model's own checkpoint.
 */
public final class DitiTrainer implements TrainingLoop.Trainer<DitiTrainer.StepResult> {
    public static final long NOISE_STREAM = 0xD1E5L;
    public static final long DROPOUT_STREAM = 0xD1D0L;
    public static final long INIT_STREAM = 0xD111L;
    /** The value of the checkpoint's {@code kind} metadata entry. */
    public static final String CHECKPOINT_KIND = "diti-model";

    /**
     * What one step did.
     *
     * @param step       steps done after this one (1 for the first)
     * @param loss       the batch loss (for dual, the sum of both terms)
     * @param frozenLoss the frozen model's own weighted loss on the same batch (G absent)
     * @param gradNorm   the global gradient norm
     * @param batch      images in the batch
     * @param seconds    wall time of the step (data excluded)
     */
    public record StepResult(long step, float loss, float frozenLoss, float gradNorm, int batch, double seconds) {
    }

    /** A trainer restored from a checkpoint, with the data position saved beside it. */
    public record Resumed(DitiTrainer trainer, BatchSource.Position position, Checkpoint checkpoint) {
    }

    private final DitiModel model;
    private final DitiSettings settings;
    private final DmSettings dmSettings;
    private final NoiseSchedule schedule;
    private final DitiLoss loss;
    private final TimestepSampler sampler;
    private final AdamW optimizer;
    private final Ema ema;
    private final Philox noiseRng;
    private final Philox dropoutRng;
    private final LossReductionHistogram histogram;
    private long step;

    /**
     * A fresh run: a new encoder and shift decoder on {@code dm}, which is frozen in place and whose
     * device is the training device. {@code dmSettings} are those the diffusion model was trained with
     * (for its noise schedule).
     */
    public DitiTrainer(UNet dm, DmSettings dmSettings, EncoderConfig encoder, Partition partition, DitiSettings settings) {
        this(new DitiModel(dm, encoder, partition, new Philox(settings.seed()).fork(INIT_STREAM)), dmSettings, settings,
                new Philox(settings.seed()).fork(NOISE_STREAM), new Philox(settings.seed()).fork(DROPOUT_STREAM), 0,
                null);
    }

    private DitiTrainer(DitiModel model, DmSettings dmSettings, DitiSettings settings, Philox noiseRng,
            Philox dropoutRng, long step, LossReductionHistogram histogram) {
        this.model = model;
        this.settings = settings;
        this.dmSettings = dmSettings;
        this.schedule = dmSettings.noiseSchedule();
        if (model.partition().steps() != schedule.steps()) {
            throw new IllegalArgumentException("the partition divides " + model.partition().steps()
                    + " time steps but the diffusion model's schedule has " + schedule.steps());
        }
        this.loss = new DitiLoss(schedule, TimestepWeights.pdae(schedule));
        this.sampler = new TimestepSampler(schedule.steps());
        this.optimizer = new AdamW(model, AdamW.Settings.adam(settings.lr()));
        this.ema = new Ema(model, settings.emaDecay());
        this.noiseRng = noiseRng;
        this.dropoutRng = dropoutRng;
        this.histogram = histogram != null ? histogram
                : new LossReductionHistogram(schedule.steps(), settings.histogramBinWidth());
        this.step = step;
        model.train();
        model.setDropoutRng(dropoutRng);
    }

    /**
     * One optimisation step on the clean batch {@code x0} (B, C, H, W) in [−1, 1].
     *
     * @throws TrainingDivergedException when the loss or a gradient is not finite (the update is
     *                                   then not applied) or the update made a weight non-finite
     */
    @Override
    public StepResult step(Tensor x0) {
        long start = System.nanoTime();
        float value;
        float frozenValue;
        float norm;
        try (Scope s = Scope.open()) {
            int[] t = sampler.sample(x0.dim(0), noiseRng);
            Tensor eps = Tensor.randn(noiseRng, x0.backend(), x0.shape().dims());
            DitiLoss.Result r = loss.loss(model, x0, t, eps, settings.mode());
            value = r.loss().item();
            frozenValue = loss.frozenLoss(eps, r.frozen().eps(), t).item();
            if (!Float.isFinite(value)) {
                NonFinite.Found w = NonFinite.first(parameters());
                throw new TrainingDivergedException(step + 1, w == null ? null : w.name(),
                        w == null ? TrainingDivergedException.Cause.LOSS : TrainingDivergedException.Cause.WEIGHTS,
                        "training diverged at step " + (step + 1) + ": the loss is " + value
                        + (w == null ? "" : " because parameter '" + w.name() + "' holds " + w.describe()));
            }
            accumulate(t, eps, r);
            Gradients g = r.loss().backward();
            Map<String, Tensor> grads = new LinkedHashMap<>();
            for (Parameter p : optimizer.parameters()) {
                Tensor gt = g.get(p.tensor());
                if (gt != null) {
                    grads.put(p.name(), gt);
                }
            }
            NonFinite.Found bad = NonFinite.first(grads);
            if (bad != null) {
                throw new TrainingDivergedException(step + 1, bad.name(), TrainingDivergedException.Cause.GRADIENT,
                        "training diverged at step " + (step + 1) + ": the loss is " + value
                        + " but the gradient of '" + bad.name() + "' holds " + bad.describe());
            }
            norm = optimizer.step(g);
        }
        NonFinite.Found bad = NonFinite.first(parameters());
        if (bad != null) {
            throw new TrainingDivergedException(step + 1, bad.name(), TrainingDivergedException.Cause.UPDATE,
                    "training diverged at step " + (step + 1) + ": its update made parameter '" + bad.name()
                    + "' non-finite (" + bad.describe() + ")");
        }
        ema.update();
        step++;
        return new StepResult(step, value, frozenValue, norm, x0.dim(0), (System.nanoTime() - start) / 1e9);
    }

    /** Per-sample λ_t·mean((ε − ε_θ)²) and λ_t·mean((ε − ε_θ − c_t G)²) into the histogram, in double. */
    private void accumulate(int[] t, Tensor eps, DitiLoss.Result r) {
        float[] e = eps.toArray();
        float[] p = r.frozen().eps().toArray();
        float[] g = r.g().toArray();
        int per = e.length / t.length;
        for (int i = 0; i < t.length; i++) {
            double c = schedule.shiftCoefficient(t[i]);
            double w = loss.weights().weight(t[i]);
            double f = 0;
            double sh = 0;
            for (int j = i * per, end = j + per; j < end; j++) {
                double d = (double) e[j] - p[j];
                double ds = d - c * g[j];
                f += d * d;
                sh += ds * ds;
            }
            histogram.add(t[i], w * f / per, w * sh / per);
        }
    }

    private Map<String, Tensor> parameters() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (Parameter p : optimizer.parameters()) {
            out.put(p.name(), p.tensor());
        }
        return out;
    }

    @Override
    public long stepCount() {
        return step;
    }

    public DitiModel model() {
        return model;
    }

    public DitiSettings settings() {
        return settings;
    }

    public DmSettings dmSettings() {
        return dmSettings;
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

    public Philox noiseRng() {
        return noiseRng;
    }

    public LossReductionHistogram histogram() {
        return histogram;
    }

    // ---- checkpoints --------------------------------------------------------------------------

    /** The {@code config} entry: the frozen U-Net's config, the encoder's and the partition. */
    private String configJson() {
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("unet", model.frozen().unet().config().toJson());
        o.put("encoder", model.encoder().config().toJson());
        o.put("partition", model.partition().toJson());
        return Json.write(o);
    }

    /**
     * Saves everything needed to continue exactly: the trained weights ({@code encoder.*},
     * {@code shift.*}), {@code ema.*}, {@code optim.*}, the config, the settings ({@code trainer}),
     * the diffusion model's settings ({@code dm_trainer}), the step, both generators, the data
     * position ({@code loader}) and the histogram, plus {@code extra} metadata entries.
     */
    @Override
    public void save(Path file, BatchSource.Position position, Map<String, String> extra) {
        Map<String, Object> pos = new LinkedHashMap<>();
        pos.put("epoch", position.epoch());
        pos.put("batch", position.batch());
        Checkpoint.Writer w = Checkpoint.writer().module("", model).state("optim", optimizer).state("ema", ema)
                .config(configJson()).step(step).rng("noise", noiseRng).rng("dropout", dropoutRng)
                .metadata("kind", CHECKPOINT_KIND).metadata("trainer", settings.toJson())
                .metadata("dm_trainer", dmSettings.toJson()).metadata("loader", Json.write(pos))
                .metadata("histogram", histogram.toJson());
        extra.forEach(w::metadata);
        w.write(file);
    }

    /**
     * Restores a trainer saved by {@link #save} on the frozen model {@code dm} (loaded from the same
     * diffusion-model checkpoint as the first time), on dm's device.
     *
     * @throws CheckpointException (one sentence) when the file is not a usable DiTi checkpoint or was
     *                             trained on a U-Net of another layout
     */
    public static Resumed resume(Checkpoint c, UNet dm) {
        String kind = c.metadata().get("kind");
        if (!CHECKPOINT_KIND.equals(kind)) {
            throw new CheckpointException(CheckpointException.Kind.BAD_METADATA, c.path(), kind == null
                    ? "it is not a DiTi training checkpoint (no metadata entry 'kind')"
                    : "it holds a '" + kind + "', not a " + CHECKPOINT_KIND);
        }
        EncoderConfig enc;
        Partition partition;
        DitiSettings settings;
        DmSettings dmSettings;
        BatchSource.Position position;
        LossReductionHistogram histogram;
        try {
            Map<String, Object> cfg = Json.parseObject(c.config());
            UNetConfig unet = UNetConfig.fromJson(Json.getString(cfg, "unet"));
            if (!unet.equals(dm.config())) {
                throw new IllegalArgumentException("it was trained on a U-Net with another configuration than the"
                        + " diffusion model given");
            }
            enc = EncoderConfig.fromJson(Json.getString(cfg, "encoder"));
            partition = Partition.fromJson(Json.getString(cfg, "partition"));
            settings = DitiSettings.fromJson(c.metadata("trainer"));
            dmSettings = DmSettings.fromJson(c.metadata("dm_trainer"));
            Map<String, Object> o = Json.parseObject(c.metadata("loader"));
            position = new BatchSource.Position(Json.getLong(o, "epoch"), Json.getLong(o, "batch"));
            histogram = LossReductionHistogram.fromJson(c.metadata("histogram"));
        } catch (IllegalArgumentException e) {
            throw new CheckpointException(CheckpointException.Kind.BAD_METADATA, c.path(),
                    "it is not a usable DiTi training checkpoint: " + e.getMessage(), e);
        }
        DitiModel model = new DitiModel(dm, enc, partition, new Philox(0));
        c.loadModule("", model);
        DitiTrainer t = new DitiTrainer(model, dmSettings, settings, c.rng("noise"), c.rng("dropout"), c.step(),
                histogram);
        c.loadState("optim", t.optimizer);
        c.loadState("ema", t.ema);
        return new Resumed(t, position, c);
    }

    /**
     * The frozen model of a diffusion-model training checkpoint: its EMA weights ({@code ema.*}) in a
     * new U-Net on {@code device}, with the settings it was trained with.
     */
    public record FrozenSource(UNet unet, DmSettings settings, Checkpoint checkpoint) {
    }

    /** Loads {@link FrozenSource} from a checkpoint written by {@link DmTrainer#save}. */
    public static FrozenSource loadDm(Checkpoint c, Device device) {
        DmTrainer.requireKind(c);
        UNetConfig cfg = DmTrainer.config(c);
        DmSettings s;
        try {
            s = DmSettings.fromJson(c.metadata("trainer"));
        } catch (IllegalArgumentException e) {
            throw new CheckpointException(CheckpointException.Kind.BAD_METADATA, c.path(),
                    "metadata entry 'trainer' is not a usable training configuration: " + e.getMessage(), e);
        }
        UNet unet = new UNet(cfg, device, new Philox(0));
        c.loadModule("ema", unet);
        return new FrozenSource(unet, s, c);
    }
}

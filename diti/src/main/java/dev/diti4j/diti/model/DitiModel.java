package dev.diti4j.diti.model;

import dev.diti4j.core.Device;
import dev.diti4j.core.Tensor;
import dev.diti4j.core.random.Philox;
import dev.diti4j.nn.Module;
import dev.diti4j.nn.unet.Features;
import dev.diti4j.nn.unet.UNet;
import dev.diti4j.nn.unet.UNetConfig;

/**
 * The DiTi network (METHOD 2.2, 3, 4): a frozen pre-trained U-Net ε_θ, a trainable encoder
 * E(x_0) → z and a trainable shift decoder G, with the {@link Partition} of z that ties subsets to
 * time steps.
 *
 * <p>As a {@link Module} it holds exactly the trained parts, as the children {@code encoder}
 * ({@link FeatureEncoder}) and {@code shift} ({@link ShiftDecoder}): {@link #parameters()},
 * {@link #train()}/{@link #eval()}, {@link #setDropoutRng} and a checkpoint written with
 * {@code Checkpoint.writer().module("", model)} reach those two and never the frozen U-Net, which
 * stays frozen, in evaluation mode, and is loaded from its own diffusion-model checkpoint.
 *
 * <p>One training step (METHOD 4.7), as {@link DitiLoss#loss} runs it:
 *
 * <pre>{@code
 * Tensor z = model.encode(x0);                                  // with a graph
 * FrozenDm.Pass p = model.frozen().run(xt, t);                  // once, without a graph
 * Tensor g = model.shift(p.features(), model.masks().condition(z, t, LossMode.BASE));
 * Tensor loss = ditiLoss.shiftedLoss(eps, p.eps(), g, t);
 * }</pre>
 *
 * Construction draws the encoder's initial weights from {@code rng.fork(ENCODER_STREAM)} and the
 * shift decoder's from {@code rng.fork(SHIFT_STREAM)}, so either can change without moving the
 * other's initialisation.
 */
public final class DitiModel extends Module {
    public static final long ENCODER_STREAM = 0xE0L;
    public static final long SHIFT_STREAM = 0x5F7L;

    private final FrozenDm frozen;
    private final FeatureEncoder encoder;
    private final ShiftDecoder shift;
    private final Partition partition;
    private final Masks masks;

    /**
     * @param dm        the pre-trained U-Net; it is frozen in place
     * @param encoder   the encoder's layout; its latent size must be the partition's d and its channels
     *                  the U-Net's
     * @param partition the split of z (its d is the encoder's)
     */
    public DitiModel(UNet dm, EncoderConfig encoder, Partition partition, Philox rng) {
        UNetConfig cfg = dm.config();
        if (encoder.latentDim() != partition.latentDim()) {
            throw new IllegalArgumentException("the encoder's latent size " + encoder.latentDim()
                    + " differs from the partition's d = " + partition.latentDim());
        }
        if (encoder.inChannels() != cfg.inChannels()) {
            throw new IllegalArgumentException("the encoder reads " + encoder.inChannels() + "-channel images but the"
                    + " diffusion model " + cfg.inChannels() + "-channel ones");
        }
        if (cfg.outChannels() != cfg.inChannels()) {
            throw new IllegalArgumentException("the diffusion model must predict as many channels as it reads (it"
                    + " reads " + cfg.inChannels() + " and predicts " + cfg.outChannels() + ")");
        }
        if (encoder.imageSize() % cfg.maxDownsampling() != 0) {
            throw new IllegalArgumentException("the encoder's image size " + encoder.imageSize() + " is not a multiple of"
                    + " the diffusion model's " + cfg.maxDownsampling() + " (2^(levels-1))");
        }
        Device device = dm.parameters().get(0).tensor().device();
        this.frozen = new FrozenDm(dm);
        this.partition = partition;
        this.masks = new Masks(partition);
        this.encoder = addModule("encoder", new FeatureEncoder(encoder, device, rng.fork(ENCODER_STREAM)));
        this.shift = addModule("shift", new ShiftDecoder(cfg, partition.latentDim(), device, rng.fork(SHIFT_STREAM)));
    }

    /** z = E(x_0), recording a graph when gradients are on (METHOD 3). */
    public Tensor encode(Tensor x0) {
        return encoder.forward(x0);
    }

    /** G(x_t, condition, t) from the frozen features of (x_t, t) (METHOD 2.2). */
    public Tensor shift(Features frozenFeatures, Tensor condition) {
        return shift.forward(frozenFeatures, condition);
    }

    public FrozenDm frozen() {
        return frozen;
    }

    public FeatureEncoder encoder() {
        return encoder;
    }

    public ShiftDecoder shiftDecoder() {
        return shift;
    }

    public Partition partition() {
        return partition;
    }

    public Masks masks() {
        return masks;
    }
}

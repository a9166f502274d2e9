package dev.diti4j.diti.dm;

import dev.diti4j.core.Device;
import dev.diti4j.core.GradMode;
import dev.diti4j.core.Scope;
import dev.diti4j.core.Tensor;
import dev.diti4j.core.random.Philox;
import dev.diti4j.diffusion.DdimGrid;
import dev.diti4j.diffusion.DdimSampler;
import dev.diti4j.diffusion.DdpmSampler;
import dev.diti4j.diffusion.EpsilonModel;
import dev.diti4j.diffusion.NoiseSchedule;
import dev.diti4j.diffusion.StepListener;
import dev.diti4j.diffusion.train.DmSettings;
import dev.diti4j.diffusion.train.DmTrainer;
import dev.diti4j.diffusion.train.TrainingCheckpoints;
import dev.diti4j.diti.data.ImageGrid;
import dev.diti4j.nn.checkpoint.Checkpoint;
import dev.diti4j.nn.checkpoint.CheckpointException;
import dev.diti4j.nn.unet.UNet;
import dev.diti4j.nn.unet.UNetConfig;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;

/**
 * Generating images with a trained ε-model (METHOD 6): deterministic DDIM (η = 0, x̂_0 clamped) on
 * the respaced grid, or DDPM ancestral sampling over all T steps with the clamped x̂_0 form of the
 * posterior mean. x_T is drawn once for the whole set from {@code Philox(seed)}, so the same seed
 * gives the same starting noise for any model (grids of different checkpoints are comparable).
 */
public final class DmSampling {
    /** The sampler families. */
    public enum Sampler { DDIM, DDPM }

    /** At most this many images go through the network at once. */
    public static final int CHUNK = 64;

    private DmSampling() {
    }

    /** A model loaded from a checkpoint, with the schedule it was trained with. */
    public record Loaded(UNet model, NoiseSchedule schedule, long step, boolean ema, Checkpoint checkpoint) {
    }

    /**
     * Loads the model of a training checkpoint (a file, or a run folder's latest) in evaluation mode:
     * the EMA weights ({@code ema.*}) or the live ones.
     *
     * @throws CheckpointException (one sentence) when the file is missing, corrupt or not a DM checkpoint
     */
    public static Loaded load(Path runOrCheckpoint, boolean ema, Device device) {
        Checkpoint c = Checkpoint.read(TrainingCheckpoints.resolve(runOrCheckpoint));
        DmTrainer.requireKind(c);
        UNetConfig cfg = DmTrainer.config(c);
        NoiseSchedule schedule;
        try {
            schedule = DmSettings.fromJson(c.metadata("trainer")).noiseSchedule();
        } catch (IllegalArgumentException e) {
            throw new CheckpointException(CheckpointException.Kind.BAD_METADATA, c.path(),
                    "metadata entry 'trainer' is not a usable training configuration: " + e.getMessage(), e);
        }
        UNet model = new UNet(cfg, device, new Philox(0));
        c.loadModule(ema ? "ema" : "", model);
        model.eval();
        return new Loaded(model, schedule, c.step(), ema, c);
    }

    /**
     * {@code count} images (count, C, size, size) in [−1, 1].
     *
     * @param steps DDIM steps (ignored by DDPM, which always runs all T steps)
     */
    public static Tensor generate(EpsilonModel model, int channels, int size, NoiseSchedule schedule, Sampler sampler,
            int steps, int count, long seed, Device device, StepListener listener) {
        if (count < 1) {
            throw new IllegalArgumentException("the number of images must be at least 1, got " + count);
        }
        Tensor xT = Tensor.randn(new Philox(seed), device, count, channels, size, size);
        Philox ddpmNoise = new Philox(seed).fork(1);
        int chunks = (count + CHUNK - 1) / CHUNK;
        int perChunk = sampler == Sampler.DDPM ? schedule.steps() : DdimGrid.of(DdimGrid.Kind.RESPACED, schedule,
                steps).size();
        Tensor[] parts = new Tensor[chunks];
        try (GradMode ng = GradMode.off()) {
            for (int i = 0; i < chunks; i++) {
                int from = i * CHUNK;
                int to = Math.min(count, from + CHUNK);
                int done = i * perChunk;
                StepListener l = (d, total, t) -> listener.onStep(done + d, chunks * perChunk, t);
                try (Scope s = Scope.open()) {
                    Tensor x = xT.slice(0, from, to);
                    Tensor out = sampler == Sampler.DDIM
                            ? DdimSampler.of(schedule, DdimGrid.Kind.RESPACED, steps).sample(model, x, l)
                            : new DdpmSampler(schedule, DdpmSampler.Mean.FROM_X0, true).sample(model, x, ddpmNoise, l);
                    parts[i] = s.keep(out.clamp(-1f, 1f));
                }
            }
        }
        return chunks == 1 ? parts[0] : Tensor.concat(0, parts);
    }

    /**
     * Writes images (B, C, H, W) as a PNG grid, each pixel drawn as a {@code scale}×{@code scale}
     * block so small images stay visible.
     */
    public static void writeGrid(Tensor images, int cols, int scale, Path png) {
        BufferedImage grid = ImageGrid.render(images, cols);
        BufferedImage out = grid;
        if (scale > 1) {
            out = new BufferedImage(grid.getWidth() * scale, grid.getHeight() * scale, BufferedImage.TYPE_INT_RGB);
            Graphics2D g = out.createGraphics();
            g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_NEAREST_NEIGHBOR);
            g.drawImage(grid, 0, 0, out.getWidth(), out.getHeight(), null);
            g.dispose();
        }
        try {
            Path parent = png.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            if (!ImageIO.write(out, "png", png.toFile())) {
                throw new IOException("no PNG writer available");
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + png + ": " + e.getMessage(), e);
        }
    }

    /** A pixel scale that makes tiles of side {@code size} at least 64 px on screen. */
    public static int displayScale(int size) {
        return Math.max(1, (64 + size - 1) / size);
    }

    /** Columns of a near-square grid of {@code n} images. */
    public static int columns(int n) {
        return Math.max(1, (int) Math.ceil(Math.sqrt(n)));
    }
}

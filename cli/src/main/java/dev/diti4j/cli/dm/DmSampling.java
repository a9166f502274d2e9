package dev.diti4j.cli.dm;

import dev.diti4j.diti.ModelPresets;
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
import dev.diti4j.diffusion.train.NonFinite;
import dev.diti4j.diffusion.train.TrainingCheckpoints;
import dev.diti4j.diti.data.ImageGrid;
import dev.diti4j.nn.Parameter;
import dev.diti4j.nn.checkpoint.Checkpoint;
import dev.diti4j.nn.checkpoint.CheckpointException;
import dev.diti4j.nn.unet.UNet;
import dev.diti4j.nn.unet.UNetConfig;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.Map;
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

    /** The most images one command generates (sample grids, sample sets). */
    public static final int MAX_IMAGES = 10_000;

    static {
        ImageIO.setUseCache(false);   // encode in memory: no cache files in java.io.tmpdir
    }

    private DmSampling() {
    }

    /** A model loaded from a checkpoint, with the schedule it was trained with. */
    public record Loaded(UNet model, NoiseSchedule schedule, long step, boolean ema, Checkpoint checkpoint) {
    }

    /**
     * Loads the model of a training checkpoint (a file, or a run folder's latest) in evaluation mode:
     * the EMA weights ({@code ema.*}) or the live ones.
     *
     * @throws RunRequestException (one sentence) when there is no checkpoint, the file is corrupt or
     *                             not a DM checkpoint, or the weights hold NaN or infinite values
     */
    public static Loaded load(Path runOrCheckpoint, boolean ema, Device device) {
        try {
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
            if (!ema && DmTrainer.isEmaOnly(c)) {
                throw new RunRequestException(c.path() + " holds only EMA weights (written by export-dm); drop --no-ema");
            }
            UNet model = new UNet(cfg, device, new Philox(0));
            String prefix = ema ? "ema" : "";
            c.loadModule(prefix, model);
            requireFinite(c, prefix, model.namedParameters(), "sampled");
            model.eval();
            return new Loaded(model, schedule, c.step(), ema, c);
        } catch (CheckpointException e) {
            throw new RunRequestException(e.getMessage(), e);
        }
    }

    /**
     * Refuses weights loaded from checkpoint {@code c} (under {@code prefix}) that hold NaN or infinite
     * values, naming the first such tensor.
     *
     * @param what what cannot be done with them ("sampled", "resumed")
     */
    static void requireFinite(Checkpoint c, String prefix, Map<String, Parameter> params, String what) {
        Map<String, Tensor> named = new LinkedHashMap<>();
        params.forEach((name, p) -> named.put(prefix.isEmpty() ? name : prefix + "." + name, p.tensor()));
        requireFinite(c, named, what);
    }

    static void requireFinite(Checkpoint c, Map<String, Tensor> named, String what) {
        NonFinite.Found bad = NonFinite.first(named);
        if (bad != null) {
            throw new RunRequestException("checkpoint " + c.path() + " cannot be " + what + ": its tensor '" + bad.name()
                    + "' holds " + bad.describe() + " (the weights were already broken when it was saved, or the file"
                    + " is damaged)");
        }
    }

    // ---- checks of sampling requests, made before any work ---------------------------------

    /**
     * Checks that {@code count} images of {@code channels}×{@code size}² fit in one tensor and, laid
     * out in {@code cols} columns (0: a square grid), in one PNG.
     *
     * @param option the option that set the count, for the message
     * @throws IllegalArgumentException (one sentence) otherwise
     */
    public static void checkImages(String option, int count, int cols, UNetConfig model, int size) {
        checkImages(option, count, cols, model.inChannels(), size);
        ModelPresets.checkTensorSizes(model, size, Math.min(count, CHUNK));
    }

    /** {@link #checkImages(String, int, int, UNetConfig, int)} without the model's tensors. */
    public static void checkImages(String option, int count, int cols, int channels, int size) {
        if (count < 1 || count > MAX_IMAGES) {
            throw new IllegalArgumentException(option + " must be between 1 and " + MAX_IMAGES + ", got " + count);
        }
        if (cols > count) {
            throw new IllegalArgumentException("--cols " + cols + " is more than the " + count + " images");
        }
        long values = (long) count * channels * size * size;
        if (values > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(option + " " + count + " images of " + size + " px are " + values
                    + " values, more than one tensor holds (" + Integer.MAX_VALUE + "): ask for fewer");
        }
        int c = cols > 0 ? cols : columns(count);
        long rows = (count + c - 1) / c;
        long tile = (long) (size + ImageGrid.GAP) * displayScale(size);
        long pixels = c * tile * rows * tile;
        if (pixels > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(option + " " + count + " images of " + size + " px make a grid of "
                    + pixels + " pixels, more than one PNG holds: ask for fewer");
        }
    }

    /**
     * Checks a DDIM step count against a schedule.
     *
     * @throws IllegalArgumentException (one sentence) unless 1 ≤ steps ≤ T
     */
    public static void checkDdimSteps(String option, int steps, NoiseSchedule schedule) {
        if (steps < 1 || steps > schedule.steps()) {
            throw new IllegalArgumentException(option + " must be between 1 and the schedule's " + schedule.steps()
                    + " steps, got " + steps);
        }
        DdimGrid.of(DdimGrid.Kind.RESPACED, schedule, steps);
    }

    /**
     * Checks that a PNG can be written at {@code png}: it is not a folder, and its folder exists and
     * is writable or can be created in a writable place.
     *
     * @throws IllegalArgumentException (one sentence) otherwise
     */
    public static void checkOutputFile(String option, Path png) {
        Path abs = png.toAbsolutePath();
        if (Files.isDirectory(abs)) {
            throw new IllegalArgumentException(option + " " + png + " is a folder; give a file name such as "
                    + png.resolve("grid.png"));
        }
        if (Files.exists(abs) && !Files.isWritable(abs)) {
            throw new IllegalArgumentException(option + " " + png + " exists and cannot be overwritten (not writable)");
        }
        checkOutputFolder(option, abs.getParent() == null ? abs : abs.getParent(), png);
    }

    /**
     * Checks that files can be written into folder {@code dir}: it is a writable folder, or does not
     * exist yet and its nearest existing parent is a writable folder.
     *
     * @throws IllegalArgumentException (one sentence) otherwise
     */
    public static void checkOutputFolder(String option, Path dir) {
        checkOutputFolder(option, dir.toAbsolutePath(), dir);
    }

    private static void checkOutputFolder(String option, Path dir, Path given) {
        Path d = dir;
        while (d != null && !Files.exists(d)) {
            d = d.getParent();
        }
        if (d == null) {
            throw new IllegalArgumentException(option + " " + given + ": no part of the path exists");
        }
        if (!Files.isDirectory(d)) {
            throw new IllegalArgumentException(option + " " + given + " cannot be written: " + d + " is a file, not a"
                    + " folder");
        }
        if (!Files.isWritable(d)) {
            throw new IllegalArgumentException(option + " " + given + " cannot be written: " + d + " is not writable");
        }
        // permissions are not the whole story (read-only or special file systems): try it
        try {
            Files.delete(Files.createTempFile(d, ".diti-write-test-", ".tmp"));
        } catch (IOException e) {
            throw new IllegalArgumentException(option + " " + given + " cannot be written: no file can be created in "
                    + d + " (" + describe(e) + ")", e);
        }
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
     * block so small images stay visible. The file is replaced atomically (a hidden temporary file
     * in the same folder, then a rename), so a failed write leaves the old file as it was.
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
        Path parent = png.toAbsolutePath().getParent();
        Path tmp = parent.resolve("." + png.getFileName() + ".tmp");
        try {
            Files.createDirectories(parent);
            // through a stream of our own: given a File, ImageIO prints a stack trace when it cannot open it
            try (OutputStream os = new BufferedOutputStream(Files.newOutputStream(tmp))) {
                if (!ImageIO.write(out, "png", os)) {
                    throw new IOException("no PNG writer available");
                }
            }
            Files.move(tmp, png, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException ignored) {
                // the write failed already; a leftover hidden .tmp file is removed by the next run
            }
            throw new UncheckedIOException("cannot write " + png + ": " + describe(e), e);
        }
    }

    /** The reason of an I/O failure in words (the JDK's file exceptions often carry only the path). */
    static String describe(IOException e) {
        if (e instanceof java.nio.file.FileSystemException f && f.getReason() != null) {
            return f.getReason();
        }
        if (e instanceof java.nio.file.AccessDeniedException) {
            return "permission denied";
        }
        if (e instanceof java.nio.file.NoSuchFileException) {
            return "no such file or folder";
        }
        if (e instanceof java.nio.file.DirectoryNotEmptyException) {
            return "a non-empty folder is in the way";
        }
        if (e instanceof java.nio.file.FileAlreadyExistsException) {
            return "a file is in the way";
        }
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
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

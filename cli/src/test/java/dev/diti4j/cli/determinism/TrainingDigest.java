package dev.diti4j.cli.determinism;

import dev.diti4j.core.Device;
import dev.diti4j.core.GradMode;
import dev.diti4j.core.Scope;
import dev.diti4j.core.Tensor;
import dev.diti4j.core.random.Philox;
import dev.diti4j.diffusion.DdimGrid;
import dev.diti4j.diffusion.DdimSampler;
import dev.diti4j.diffusion.train.DmSettings;
import dev.diti4j.diffusion.train.DmTrainer;
import dev.diti4j.diti.data.DataLoader;
import dev.diti4j.diti.data.SyntheticShapes;
import dev.diti4j.nn.unet.UNet;
import dev.diti4j.nn.unet.UNetConfig;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;

/**
 * A short diffusion-model training run whose every bit is printed as a digest, for comparing JVMs
 * started with different JIT and thread settings ({@link TrainingDeterminismTest}).
 *
 * <p>{@code java ... TrainingDigest <warm-up steps> <steps>} first trains a throw-away copy for
 * the warm-up steps, so that the JIT compiles the kernels on the exact shapes of the run, prints
 * {@value #MEASURED} on standard error, then trains the measured run from scratch and prints one line per step (the
 * loss and gradient-norm bits), a digest of a short DDIM sample from the EMA weights, and the
 * digest of every weight, EMA shadow and optimizer moment. The model is the tiny U-Net preset on
 * 16 px synthetic shapes, batch 8, with dropout and gradient clipping on so that those paths run
 * too.
 */
public final class TrainingDigest {
    /** The line printed between the warm-up and the measured run. */
    public static final String MEASURED = "measured run";

    private static final long SEED = 7;

    private TrainingDigest() {
    }

    public static void main(String[] args) {
        int warmup = Integer.parseInt(args[0]);
        int steps = Integer.parseInt(args[1]);
        if (warmup > 0) {
            train(warmup, false);
        }
        System.out.flush();
        System.err.println(MEASURED); // beside the JIT's log, which a test may read
        train(steps, true);
    }

    private static void train(int steps, boolean print) {
        UNetConfig cfg = UNetConfig.tinyTest().withDropout(0.1f);
        DmSettings settings = DmSettings.recipe(SEED).withLr(2e-3f).withMaxGradNorm(0.5f);
        UNet model = new UNet(cfg, Device.CPU, new Philox(SEED));
        DmTrainer trainer = new DmTrainer(model, settings);
        DataLoader loader = DataLoader.builder(new SyntheticShapes(16, 256, 0L, true)).batchSize(8).seed(SEED)
                .flip(true).build();
        int done = 0;
        for (int epoch = 0; done < steps; epoch++) {
            try (DataLoader.Epoch e = loader.epoch(epoch)) {
                while (e.hasNext() && done < steps) {
                    try (Scope s = Scope.open()) {
                        DmTrainer.StepResult r = trainer.step(e.next().images());
                        done++;
                        if (print) {
                            System.out.printf("step %d loss %08x norm %08x%n", r.step(),
                                    Float.floatToRawIntBits(r.loss()), Float.floatToRawIntBits(r.gradNorm()));
                        }
                    }
                }
            }
        }
        if (!print) {
            return;
        }
        UNet ema = trainer.snapshot(true);
        try (GradMode off = GradMode.off(); Scope s = Scope.open()) {
            Tensor xT = Tensor.randn(new Philox(SEED + 1), Device.CPU, 4, 3, 16, 16);
            Tensor x0 = DdimSampler.of(trainer.schedule(), DdimGrid.Kind.RESPACED, 3).sample(ema::forward, xT);
            MessageDigest md = sha256();
            update(md, "sample", x0);
            System.out.println("sample " + HexFormat.of().formatHex(md.digest()));
        }
        MessageDigest md = sha256();
        model.namedParameters().forEach((name, p) -> update(md, name, p.tensor()));
        for (Map.Entry<String, Tensor> e : trainer.ema().stateTensors().entrySet()) {
            update(md, "ema." + e.getKey(), e.getValue());
        }
        for (Map.Entry<String, Tensor> e : trainer.optimizer().stateTensors().entrySet()) {
            update(md, "optim." + e.getKey(), e.getValue());
        }
        System.out.println("weights " + HexFormat.of().formatHex(md.digest()));
        System.out.flush();
    }

    private static void update(MessageDigest md, String name, Tensor t) {
        md.update(name.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        float[] v = t.toArray();
        ByteBuffer b = ByteBuffer.allocate(4 * v.length);
        for (float f : v) {
            b.putInt(Float.floatToRawIntBits(f));
        }
        md.update(b.array());
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}

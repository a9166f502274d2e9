package dev.diti4j.diti.api;

import dev.diti4j.core.Device;
import dev.diti4j.core.Tensor;
import dev.diti4j.core.random.Philox;
import dev.diti4j.diffusion.TimestepWeights;
import dev.diti4j.diffusion.train.BatchSource;
import dev.diti4j.diffusion.train.DmSettings;
import dev.diti4j.diffusion.train.DmTrainer;
import dev.diti4j.diffusion.train.TrainingCheckpoints;
import dev.diti4j.diti.model.EncoderConfig;
import dev.diti4j.diti.model.Partition;
import dev.diti4j.diti.train.DitiSettings;
import dev.diti4j.diti.train.DitiTrainer;
import dev.diti4j.nn.checkpoint.Checkpoint;
import dev.diti4j.nn.json.Json;
import dev.diti4j.nn.unet.UNet;
import dev.diti4j.nn.unet.UNetConfig;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/** Tiny diffusion models and DiTi runs written as train-dm and train-diti write them, in a few seconds. */
final class TinyDiti {
    static final DmSettings DM = DmSettings.recipe(3).withLr(2e-3f).withWeights(TimestepWeights.Kind.PDAE);
    static final Partition PARTITION = Partition.uniform(4, 8);

    private TinyDiti() {
    }

    /** Random batches (B, C, S, S) in [−1, 1]. */
    static Tensor batch(long seed, int b, int channels, int size) {
        return Tensor.randn(new Philox(77).fork(seed), Device.CPU, b, channels, size, size).mul(0.5f).clamp(-1f, 1f);
    }

    /** A diffusion model trained {@code steps} steps, checkpointed into {@code run}/checkpoints. */
    static Path dm(Path run, UNetConfig cfg, int size, int steps, Map<String, String> extra) {
        DmTrainer dm = new DmTrainer(new UNet(cfg, new Philox(5)), DM);
        for (int i = 0; i < steps; i++) {
            dm.step(batch(i, 2, cfg.inChannels(), size));
        }
        return TrainingCheckpoints.save(dm, run.resolve("checkpoints"), BatchSource.Position.START, extra, 0);
    }

    static Path dm(Path run) {
        return dm(run, UNetConfig.tinyTest(), 8, 2, Map.of());
    }

    /** A DiTi trainer on the diffusion-model checkpoint {@code dmFile}, EMA decay 0.5 so EMA and live weights differ. */
    static DitiTrainer trainer(Path dmFile, EncoderConfig enc) {
        DitiTrainer.FrozenSource f = DitiTrainer.loadDm(Checkpoint.read(dmFile), Device.CPU);
        return new DitiTrainer(f.unet(), f.settings(), enc, PARTITION, DitiSettings.recipe(1).withLr(1e-2f).withEma(0.5f));
    }

    static void steps(DitiTrainer t, int n) {
        for (int i = 0; i < n; i++) {
            t.step(batch(100 + t.stepCount(), 2, t.model().encoder().config().inChannels(),
                    t.model().encoder().config().imageSize()));
        }
    }

    /** Saves a checkpoint into {@code run}/checkpoints, recording the DM path as train-diti does when {@code recordDm}. */
    static Path save(DitiTrainer t, Path run, Path dmFile, boolean recordDm, Map<String, String> extra) {
        Map<String, String> meta = new HashMap<>(extra);
        if (recordDm) {
            meta.put("run", Json.write(Map.of("dm", dmFile.toAbsolutePath().toString())));
        }
        return TrainingCheckpoints.save(t, run.resolve("checkpoints"), BatchSource.Position.START, meta, 0);
    }
}

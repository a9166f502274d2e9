package dev.diti4j.diti.api;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.diti4j.core.Device;
import dev.diti4j.core.GradMode;
import dev.diti4j.core.Scope;
import dev.diti4j.core.Tensor;
import dev.diti4j.core.random.Philox;
import dev.diti4j.diti.data.DataSpec;
import dev.diti4j.diti.data.ImageFolder;
import dev.diti4j.diti.model.DitiModel;
import dev.diti4j.diti.model.EncoderConfig;
import dev.diti4j.diti.train.DitiTrainer;
import dev.diti4j.nn.checkpoint.Checkpoint;
import dev.diti4j.nn.unet.UNetConfig;
import java.awt.image.BufferedImage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Loading a trained DiTi model (EMA weights, the recorded DM, every refusal) and encoding with it. */
class TrainedDitiTest {
    @TempDir
    static Path dir;
    static Path dmRun;
    static Path dmFile;
    static Path run;
    static Path first;
    static Path newest;
    static DitiTrainer trainer;

    @BeforeAll
    static void train() {
        dmRun = dir.resolve("dm");
        dmFile = TinyDiti.dm(dmRun);
        run = dir.resolve("diti");
        trainer = TinyDiti.trainer(dmFile, EncoderConfig.small(3, 8, 8));
        TinyDiti.steps(trainer, 2);
        first = TinyDiti.save(trainer, run, dmFile, true, Map.of());
        TinyDiti.steps(trainer, 2);
        newest = TinyDiti.save(trainer, run, dmFile, true, Map.of());
    }

    /** z of a model holding the given weights (EMA or live) of {@code trainer}, computed directly. */
    private static float[] direct(Tensor x, boolean ema) {
        DitiModel m = new DitiModel(DitiTrainer.loadDm(Checkpoint.read(dmFile), Device.CPU).unet(),
                EncoderConfig.small(3, 8, 8), TinyDiti.PARTITION, new Philox(9));
        if (ema) {
            trainer.ema().copyTo(m);
        } else {
            trainer.model().namedParameters().forEach((n, p) -> m.namedParameters().get(n).tensor().assign(p.tensor()));
        }
        m.eval();
        try (GradMode off = GradMode.off(); Scope s = Scope.open()) {
            return m.encode(x).toArray();
        }
    }

    @Test
    void loadsTheNewestCheckpointOfARunWithItsEmaWeights() {
        TrainedDiti d = TrainedDiti.load(run);
        assertEquals(newest, d.checkpoint());
        assertEquals(4, d.step());
        assertEquals(dmFile.toAbsolutePath(), d.dmCheckpoint().toAbsolutePath());
        assertEquals(8, d.latentDim());
        assertEquals(8, d.imageSize());
        assertEquals(3, d.channels());
        assertEquals(TinyDiti.PARTITION, d.partition());
        assertEquals(4, d.partition().subsets());
        assertEquals(trainer.schedule().steps(), d.schedule().steps());
        assertFalse(d.model().isTraining(), "evaluation mode");
        assertFalse(d.model().frozen().unet().isTraining());
        Tensor x = TinyDiti.batch(5, 3, 3, 8);
        float[] z;
        try (Scope s = Scope.open()) {
            Tensor t = d.encode(x);
            assertArrayEquals(new int[] {3, 8}, t.shape().dims());
            assertFalse(t.requiresGrad(), "no graph");
            z = t.toArray();
        }
        assertArrayEquals(direct(x, true), z, "the EMA encoder's z, bit for bit");
        assertFalse(Arrays.equals(direct(x, false), z), "the live weights give another z (EMA decay 0.5)");
        // a checkpoint file loads that checkpoint
        assertEquals(2, TrainedDiti.load(first).step());
    }

    @Test
    void findsTheDmInConfigJsonWhenTheCheckpointDoesNotRecordIt() throws Exception {
        Path r = dir.resolve("no-run-entry");
        TinyDiti.save(trainer, r, dmFile, false, Map.of());
        DitiLoadException e = assertThrows(DitiLoadException.class, () -> TrainedDiti.load(r));
        assertEquals(DitiLoadException.Kind.DM_UNKNOWN, e.kind());
        assertTrue(e.getMessage().contains("does not record which diffusion model"), e.getMessage());
        Files.writeString(r.resolve("config.json"), "{\n  \"command\" : \"train-diti\",\n  \"dm\" : \""
                + dmFile.toAbsolutePath() + "\",\n  \"batch\" : 2\n}\n", StandardCharsets.UTF_8);
        TrainedDiti d = TrainedDiti.load(r);
        assertEquals(dmFile.toAbsolutePath(), d.dmCheckpoint().toAbsolutePath());
        Tensor x = TinyDiti.batch(6, 2, 3, 8);
        try (Scope s = Scope.open()) {
            assertArrayEquals(direct(x, true), d.encode(x).toArray());
        }
    }

    @Test
    void aMovedDmIsNamedAndCanBeGivenExplicitly() throws Exception {
        Path movedDmRun = dir.resolve("dm-moving");
        Path movingDm = TinyDiti.dm(movedDmRun);
        Path r = dir.resolve("moved");
        Path ckpt = TinyDiti.save(trainer, r, movingDm, true, Map.of());
        Path elsewhere = Files.createDirectories(dir.resolve("elsewhere")).resolve("dm.safetensors");
        Files.move(movingDm, elsewhere, StandardCopyOption.ATOMIC_MOVE);
        DitiLoadException e = assertThrows(DitiLoadException.class, () -> TrainedDiti.load(r));
        assertEquals(DitiLoadException.Kind.DM_MISSING, e.kind());
        assertTrue(e.getMessage().contains(movingDm.toAbsolutePath().toString()), e.getMessage());
        assertTrue(e.getMessage().contains("no longer exists"), e.getMessage());
        assertEquals(1, e.getMessage().lines().count());
        TrainedDiti d = TrainedDiti.load(ckpt, elsewhere);
        assertEquals(elsewhere, d.dmCheckpoint());
        assertEquals(dmRun.resolve("checkpoints").resolve("step-0000002.safetensors"),
                TrainedDiti.load(run, dmRun).dmCheckpoint(), "a run folder as the DM");
    }

    private static DitiLoadException refused(DitiLoadException.Kind kind, String expected, Path file,
            org.junit.jupiter.api.function.Executable call) {
        DitiLoadException e = assertThrows(DitiLoadException.class, call);
        assertEquals(kind, e.kind(), e.getMessage());
        assertTrue(e.getMessage().contains(expected), e.getMessage());
        assertTrue(e.getMessage().contains(file.toString()), "names " + file + ": " + e.getMessage());
        assertEquals(1, e.getMessage().lines().count(), e.getMessage());
        return e;
    }

    @Test
    void everyUnusableInputIsOneSentenceNamingTheFile() throws Exception {
        Path missing = dir.resolve("missing");
        refused(DitiLoadException.Kind.NOT_FOUND, "no such train-diti run folder", missing, () -> TrainedDiti.load(missing));
        Path empty = Files.createDirectories(dir.resolve("empty"));
        refused(DitiLoadException.Kind.NOT_FOUND, "holds no checkpoint", empty, () -> TrainedDiti.load(empty));
        refused(DitiLoadException.Kind.NOT_DITI, "diffusion-model checkpoint from train-dm", dmFile,
                () -> TrainedDiti.load(dmRun));
        Path junk = Files.write(dir.resolve("junk.safetensors"), new byte[] {1, 2, 3});
        refused(DitiLoadException.Kind.NOT_DITI, "junk.safetensors", junk, () -> TrainedDiti.load(junk));
        refused(DitiLoadException.Kind.DM_MISSING, "no such train-dm run folder", missing,
                () -> TrainedDiti.load(run, missing));
        refused(DitiLoadException.Kind.DM_UNUSABLE, "not a diffusion-model", newest, () -> TrainedDiti.load(run, run));

        // a DiTi checkpoint on a diffusion model of another layout
        Path otherDm = TinyDiti.dm(dir.resolve("dm-dropout"), UNetConfig.tinyTest().withDropout(0.1f), 8, 0, Map.of());
        refused(DitiLoadException.Kind.LAYOUT_MISMATCH, "another layout", otherDm, () -> TrainedDiti.load(run, otherDm));
    }

    @Test
    void encodesImagesAsAnImageFolderPreparesThem() throws Exception {
        TrainedDiti d = TrainedDiti.load(run);
        BufferedImage img = new BufferedImage(13, 10, BufferedImage.TYPE_INT_RGB);
        Philox rng = new Philox(4);
        float[] u = Tensor.rand(rng, Device.CPU, 13 * 10).toArray();
        for (int i = 0; i < u.length; i++) {
            int v = (int) (u[i] * 0xFFFFFF);
            img.setRGB(i % 13, i / 13, v);
        }
        Path folder = Files.createDirectories(dir.resolve("images"));
        ImageIO.write(img, "png", folder.resolve("a.png").toFile());
        float[] expected = ImageFolder.open(folder, 8).get(0).pixels();
        float[] prepared;
        float[] fromTensor;
        try (Scope s = Scope.open()) {
            Tensor x = d.toInput(img);
            prepared = x.toArray();
            fromTensor = d.encode(x).toArray();
        }
        assertArrayEquals(expected, prepared, "cropped to the central 10x10 and resized as ImageFolder does");
        assertArrayEquals(fromTensor, d.encode(img)[0], "the same batch gives the same bits");
        float[][] z = d.encode(img, img);
        assertEquals(2, z.length);
        // another batch size may group the GEMM's sums differently: equal up to rounding
        assertArrayEquals(fromTensor, z[0], 1e-5f);
        assertArrayEquals(fromTensor, z[1], 1e-5f);
        assertEquals(0, d.encode().length);

        IllegalArgumentException small = assertThrows(IllegalArgumentException.class,
                () -> d.encode(img, new BufferedImage(20, 6, BufferedImage.TYPE_INT_RGB)));
        assertTrue(small.getMessage().contains("image 1 is 20x6 px, smaller than the 8x8"), small.getMessage());
        assertThrows(IllegalArgumentException.class, () -> d.encode(img, null));
        IllegalArgumentException shape = assertThrows(IllegalArgumentException.class,
                () -> d.encode(TinyDiti.batch(1, 2, 1, 8)));
        assertTrue(shape.getMessage().contains("(B, 3, 8, 8)"), shape.getMessage());
    }

    @Test
    void aFashionMnistModelAt32PxFramesA28PxImageAsItsTrainingImages() {
        UNetConfig grey = UNetConfig.tinyTest().withChannels(1, 1);
        String data = new DataSpec(DataSpec.Kind.FASHION_MNIST, null, 32, null).toJson();
        Path dm = TinyDiti.dm(dir.resolve("fm-dm"), grey, 32, 0, Map.of("data", data));
        DitiTrainer t = TinyDiti.trainer(dm, EncoderConfig.small(1, 32, 8));
        Path r = dir.resolve("fm-diti");
        TinyDiti.save(t, r, dm, true, Map.of("data", data));
        TrainedDiti d = TrainedDiti.load(r);
        assertEquals(DataSpec.Kind.FASHION_MNIST, d.trainingData().orElseThrow().kind());
        assertEquals(1, d.channels());
        BufferedImage img = new BufferedImage(28, 28, BufferedImage.TYPE_BYTE_GRAY);
        img.getRaster().setSample(0, 0, 0, 255);
        img.getRaster().setSample(27, 27, 0, 51);
        float[] x;
        try (Scope s = Scope.open()) {
            x = d.toInput(img).toArray();
        }
        assertEquals(32 * 32, x.length);
        assertEquals(-1f, x[0], "the frame");
        assertEquals(1f, x[2 * 32 + 2], "pixel (0, 0) at (2, 2)");
        assertEquals(51 / 127.5f - 1f, x[29 * 32 + 29], 1e-6f, "pixel (27, 27) at (29, 29)");
        assertEquals(-1f, x[31 * 32 + 31]);
        assertEquals(1, d.encode(img).length);
        assertThrows(IllegalArgumentException.class, () -> d.encode(new BufferedImage(27, 40, BufferedImage.TYPE_BYTE_GRAY)));
    }
}

package dev.diti4j.cli.encode;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.diti4j.cli.CliRunner;
import dev.diti4j.cli.run.RunFolder;
import dev.diti4j.diti.api.TrainedDiti;
import dev.diti4j.diti.data.Dataset;
import dev.diti4j.diti.data.SyntheticShapes;
import java.awt.image.BufferedImage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code ./diti4j encode}: both formats, labels, splits, other data, and every refusal before anything is written. */
class EncodeCommandTest {
    @TempDir
    static Path dir;
    static Path run;
    static TrainedDiti diti;

    @BeforeAll
    static void load() {
        run = TinyRuns.diti();
        diti = TrainedDiti.load(run);
    }

    static float[] expected(Dataset data, int n, int batch) {
        return TinyRuns.expectedZ(diti, data, n, batch);
    }

    static CliRunner.Result encode(String... args) {
        List<String> a = new ArrayList<>(List.of("encode", "--run", run.toString()));
        a.addAll(List.of(args));
        return CliRunner.run(a.toArray(String[]::new));
    }

    @Test
    void writesNpyAndLabelsCsvOfTheRunsTrainingData() throws Exception {
        Path out = dir.resolve("npy/z.npy");
        CliRunner.Result r = encode("--count", "10", "--batch", "4", "--out", out.toString());
        assertEquals(0, r.code(), r.err());
        ReadBack.Npy npy = ReadBack.npy(out);
        assertTrue(npy.header().startsWith("{'descr': '<f4', 'fortran_order': False, 'shape': (10, 8), }"),
                npy.header());
        assertTrue(npy.header().endsWith("\n"));
        SyntheticShapes train = new SyntheticShapes(16, SyntheticShapes.DEFAULT_SIZE, 0, true);
        assertArrayEquals(expected(train, 10, 4), npy.values(), "the EMA encoder's z of images 0..9, in order");

        List<String> csv = Files.readAllLines(dir.resolve("npy/z.labels.csv"));
        assertEquals("index,texture,object hue,shape,scale,x position,y position,background hue", csv.get(0));
        assertEquals(11, csv.size());
        for (int i = 0; i < 10; i++) {
            StringBuilder row = new StringBuilder().append(i);
            for (int v : train.get(i).labels()) {
                row.append(',').append(v);
            }
            assertEquals(row.toString(), csv.get(i + 1));
        }
        try (Stream<Path> s = Files.list(dir.resolve("npy"))) {
            assertEquals(List.of("z.labels.csv", "z.npy"), s.map(p -> p.getFileName().toString()).sorted().toList(),
                    "no temporary file is left");
        }
    }

    @Test
    void writesSafetensorsWithZLabelsAndMetadata() throws Exception {
        Path out = dir.resolve("st/z.safetensors");
        CliRunner.Result r = encode("--count", "7", "--batch", "3", "--out", out.toString());
        assertEquals(0, r.code(), r.err());
        ReadBack.St st = ReadBack.safetensors(out);
        assertEquals("F32", st.header().get("z").get("dtype").asText());
        assertEquals("[7,8]", st.header().get("z").get("shape").toString());
        assertEquals("I32", st.header().get("labels").get("dtype").asText());
        assertEquals("[7,7]", st.header().get("labels").get("shape").toString());
        SyntheticShapes train = new SyntheticShapes(16, SyntheticShapes.DEFAULT_SIZE, 0, true);
        assertArrayEquals(expected(train, 7, 3), st.floats("z"));
        int[] labels = st.ints("labels");
        for (int i = 0; i < 7; i++) {
            assertArrayEquals(train.get(i).labels(), Arrays.copyOfRange(labels, i * 7, i * 7 + 7), "image " + i);
        }
        JsonNode meta = st.header().get("__metadata__");
        assertEquals("diti4j-embeddings-1", meta.get("format").asText());
        assertEquals("train", meta.get("split").asText());
        assertEquals(diti.checkpoint().toAbsolutePath().toString(), meta.get("checkpoint").asText());
        JsonNode specs = RunFolder.json().readTree(meta.get("labels").asText());
        assertEquals("texture", specs.get(0).get("name").asText());
        assertEquals("flat", specs.get(0).get("values").get(0).asText());
        assertTrue(Files.isRegularFile(dir.resolve("st/z.labels.csv")));
    }

    @Test
    void theTestSplitIsAnotherFactorStream() throws Exception {
        Path out = dir.resolve("test.npy");
        CliRunner.Result r = encode("--split", "test", "--count", "5", "--out", out.toString());
        assertEquals(0, r.code(), r.err());
        SyntheticShapes test = new SyntheticShapes(16, Encoding.SHAPES_TEST_SIZE, Encoding.SHAPES_TEST_SEED, true);
        float[] z = ReadBack.npy(out).values();
        assertArrayEquals(expected(test, 5, 64), z);
        assertFalse(Arrays.equals(expected(new SyntheticShapes(16, 5, 0, true), 5, 64), z));
    }

    @Test
    void anImageFolderWithAttributesGetsAFileColumn() throws Exception {
        Path images = Files.createDirectories(dir.resolve("folder/images"));
        Random rnd = new Random(3);
        for (String name : List.of("b.png", "a.png", "c,d.png")) {
            BufferedImage img = new BufferedImage(24, 20, BufferedImage.TYPE_INT_RGB);
            for (int y = 0; y < 20; y++) {
                for (int x = 0; x < 24; x++) {
                    img.setRGB(x, y, rnd.nextInt(1 << 24));
                }
            }
            ImageIO.write(img, "png", images.resolve(name).toFile());
        }
        Path attrs = Files.writeString(dir.resolve("folder/list_attr.txt"),
                "3\nSmiling Young\na.png 1 -1\nb.png -1 -1\nc,d.png 1 1\n", StandardCharsets.UTF_8);
        Path out = dir.resolve("folder/z.npy");
        CliRunner.Result r = encode("--data", "folder:" + images, "--attributes", attrs.toString(), "--out",
                out.toString());
        assertEquals(0, r.code(), r.err());
        assertEquals(List.of("index,file,Smiling,Young", "0,a.png,1,0", "1,b.png,0,0", "2,\"c,d.png\",1,1"),
                Files.readAllLines(dir.resolve("folder/z.labels.csv")));
        assertEquals(3 * 8, ReadBack.npy(out).values().length);
        // the central 20x20 square resized to 16 px, as the library prepares an image
        float[] first = Arrays.copyOf(ReadBack.npy(out).values(), 8);
        float[] lib = diti.encode(ImageIO.read(images.resolve("a.png").toFile()))[0];
        assertArrayEquals(lib, first, 1e-5f);

        // without attributes: no labels, so no CSV
        Path plain = dir.resolve("folder/plain.npy");
        assertEquals(0, encode("--data", "folder:" + images, "--out", plain.toString()).code());
        assertFalse(Files.exists(dir.resolve("folder/plain.labels.csv")));

        refused("an image folder has no test split", dir.resolve("folder/t.npy"), "--data", "folder:" + images,
                "--split", "test", "--out", dir.resolve("folder/t.npy").toString());
        refused("--count 4 is more than the 3 images", dir.resolve("folder/t.npy"), "--data", "folder:" + images,
                "--count", "4", "--out", dir.resolve("folder/t.npy").toString());
    }

    private static void refused(String expected, Path out, String... args) {
        CliRunner.Result r = encode(args);
        assertEquals(2, r.code(), r.out() + r.err());
        assertEquals(1, r.errLines().size(), r.err());
        assertTrue(r.err().startsWith("diti4j encode: "), r.err());
        assertTrue(r.err().contains(expected), r.err());
        assertFalse(Files.exists(out), "nothing written");
    }

    @Test
    void badRequestsAreOneLineExitTwoAndWriteNothing() throws Exception {
        Path out = dir.resolve("bad/z.npy");
        Path missing = dir.resolve("missing");
        CliRunner.Result m = CliRunner.run("encode", "--run", missing.toString(), "--out", out.toString());
        assertEquals(2, m.code());
        assertTrue(m.err().contains("no such file or folder"), m.err());
        Path empty = Files.createDirectories(dir.resolve("empty-run"));
        CliRunner.Result e = CliRunner.run("encode", "--run", empty.toString(), "--out", out.toString());
        assertEquals(2, e.code());
        assertTrue(e.err().contains("holds no checkpoint"), e.err());
        CliRunner.Result dm = CliRunner.run("encode", "--run", TinyRuns.dm().toString(), "--out", out.toString());
        assertEquals(2, dm.code());
        assertTrue(dm.err().contains("not a DiTi checkpoint"), dm.err());

        refused("unknown extension: use .npy or .safetensors", dir.resolve("bad/z.csv"), "--out",
                dir.resolve("bad/z.csv").toString());
        refused("--count must be at least 1", out, "--count", "0", "--out", out.toString());
        refused("--batch must be at least 1", out, "--batch", "0", "--out", out.toString());
        refused("--split must be train or test", out, "--split", "valid", "--out", out.toString());
        Path file = Files.writeString(dir.resolve("a-file"), "x");
        refused("is a file, not a folder", file.resolve("z.npy"), "--out", file.resolve("z.npy").toString());
        refused("not 16 (the model reads 16 px images)", out, "--data", "fashion-mnist", "--out", out.toString());
        refused("--data imagenet: unknown data set", out, "--data", "imagenet", "--out", out.toString());
        refused("--data-dir only goes with fashion-mnist", out, "--data-dir", dir.toString(), "--out", out.toString());
        refused("an attribute file only goes with folder", out, "--attributes", dir.resolve("a.txt").toString(),
                "--out", out.toString());

        // an existing file is never overwritten without --force
        assertFalse(Files.exists(dir.resolve("bad")), "no refused request created the folder");
        Path existing = Files.writeString(Files.createDirectories(dir.resolve("bad")).resolve("existing.npy"), "keep me");
        CliRunner.Result x = encode("--out", existing.toString(), "--count", "2");
        assertEquals(2, x.code());
        assertTrue(x.err().contains("exists; give --force to overwrite it"), x.err());
        assertEquals("keep me", Files.readString(existing));
        Path labels = Files.writeString(dir.resolve("bad/other.labels.csv"), "keep me too");
        CliRunner.Result y = encode("--out", dir.resolve("bad/other.npy").toString(), "--count", "2");
        assertEquals(2, y.code());
        assertTrue(y.err().contains("the labels file " + labels + " exists"), y.err());
        assertFalse(Files.exists(dir.resolve("bad/other.npy")));
        CliRunner.Result f = encode("--out", existing.toString(), "--count", "2", "--force");
        assertEquals(0, f.code(), f.err());
        assertEquals(2 * 8, ReadBack.npy(existing).values().length);
    }

    @Test
    void aMovedDiffusionModelIsNamedAndCanBeGivenWithDm() throws Exception {
        Path dm = dir.resolve("own-dm");
        Path own = dir.resolve("own-diti");
        TinyRuns.train(dm, own);
        Path moved = dir.resolve("moved-dm");
        Files.move(dm, moved);
        Path out = dir.resolve("moved.npy");
        CliRunner.Result r = CliRunner.run("encode", "--run", own.toString(), "--count", "2", "--out", out.toString());
        assertEquals(2, r.code(), r.err());
        assertEquals(1, r.errLines().size(), r.err());
        assertTrue(r.err().contains("no longer exists") && r.err().contains("(with --dm)"), r.err());
        assertFalse(Files.exists(out));
        CliRunner.Result ok = CliRunner.run("encode", "--run", own.toString(), "--dm", moved.toString(), "--count", "2",
                "--out", out.toString());
        assertEquals(0, ok.code(), ok.err());
        assertEquals(2 * 8, ReadBack.npy(out).values().length);
    }

    /** An IDX file: magic 0x0000 08 n, big-endian dims, unsigned bytes. */
    private static byte[] idx(int[] dims, byte[] data) throws java.io.IOException {
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        java.io.DataOutputStream o = new java.io.DataOutputStream(bytes);
        o.writeInt(0x00000800 | dims.length);
        for (int d : dims) {
            o.writeInt(d);
        }
        o.write(data);
        return bytes.toByteArray();
    }

    private static void fashion(Path folder, String prefix, int n, long seed) throws Exception {
        byte[] px = new byte[n * 28 * 28];
        new Random(seed).nextBytes(px);
        byte[] labels = new byte[n];
        for (int i = 0; i < n; i++) {
            labels[i] = (byte) ((i * 3 + seed) % 10);
        }
        Files.write(folder.resolve(prefix + "-images-idx3-ubyte"), idx(new int[] {n, 28, 28}, px));
        Files.write(folder.resolve(prefix + "-labels-idx1-ubyte"), idx(new int[] {n}, labels));
    }

    @Test
    void aGreyFashionMnistModelEncodesItsTestSplitAndRefusesRgbData() throws Exception {
        Path data = Files.createDirectories(dir.resolve("fm/data"));
        fashion(data, "train", 8, 1);
        fashion(data, "t10k", 6, 2);
        Path dm = dir.resolve("fm/dm");
        Path fm = dir.resolve("fm/diti");
        CliRunner.Result t = CliRunner.run("train-dm", "--dataset", "fashion-mnist", "--data-dir", data.toString(),
                "--preset", "tiny", "--batch", "2", "--steps", "1", "--checkpoint-every", "0", "--sample-every", "0",
                "--sample-count", "2", "--sample-steps", "2", "--out", dm.toString());
        assertEquals(0, t.code(), t.err());
        CliRunner.Result d = CliRunner.run("train-diti", "--dm", dm.toString(), "--out", fm.toString(), "--partition",
                "uniform:2", "--latent", "4", "--batch", "2", "--steps", "1", "--checkpoint-every", "0",
                "--histogram-bins", "10");
        assertEquals(0, d.code(), d.err());

        Path out = dir.resolve("fm/test.safetensors");
        CliRunner.Result r = CliRunner.run("encode", "--run", fm.toString(), "--split", "test", "--out", out.toString());
        assertEquals(0, r.code(), r.err());
        ReadBack.St st = ReadBack.safetensors(out);
        assertEquals("[6,4]", st.header().get("z").get("shape").toString());
        int[] labels = st.ints("labels");
        assertArrayEquals(new int[] {2, 5, 8, 1, 4, 7}, labels, "the t10k labels, in order");
        List<String> csv = Files.readAllLines(dir.resolve("fm/test.labels.csv"));
        assertEquals(List.of("index,class", "0,2", "1,5", "2,8", "3,1", "4,4", "5,7"), csv);

        Path images = Files.createDirectories(dir.resolve("fm/rgb"));
        ImageIO.write(new BufferedImage(32, 32, BufferedImage.TYPE_INT_RGB), "png", images.resolve("x.png").toFile());
        Path bad = dir.resolve("fm/rgb.npy");
        CliRunner.Result c = CliRunner.run("encode", "--run", fm.toString(), "--data", "folder:" + images, "--out",
                bad.toString());
        assertEquals(2, c.code(), c.err());
        assertEquals(1, c.errLines().size(), c.err());
        assertTrue(c.err().contains("has 3-channel images but the model reads 1-channel ones"), c.err());
        assertFalse(Files.exists(bad));
    }
}

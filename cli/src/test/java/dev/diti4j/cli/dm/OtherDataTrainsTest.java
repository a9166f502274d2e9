package dev.diti4j.cli.dm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.diti4j.cli.CliRunner;
import dev.diti4j.cli.run.RunFolder;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.zip.GZIPOutputStream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Fashion-MNIST files and an image folder with CelebA attributes load and train through the CLI. */
class OtherDataTrainsTest {
    @TempDir
    Path dir;

    private static String[] args(Path out, String... data) {
        List<String> a = new ArrayList<>(List.of("train-dm"));
        a.addAll(List.of(data));
        a.addAll(List.of("--preset", "tiny", "--batch", "4", "--steps", "3", "--sample-count", "2", "--sample-steps", "2",
                "--out", out.toString()));
        return a.toArray(String[]::new);
    }

    /** An IDX file: magic 0x0000 08 n, big-endian dims, unsigned bytes. */
    private static byte[] idx(int[] dims, byte[] data) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        out.writeInt(0x00000800 | dims.length);
        for (int d : dims) {
            out.writeInt(d);
        }
        out.write(data);
        return bytes.toByteArray();
    }

    private static void gz(Path p, byte[] raw) throws IOException {
        try (GZIPOutputStream z = new GZIPOutputStream(Files.newOutputStream(p))) {
            z.write(raw);
        }
    }

    @Test
    void fashionMnistFilesTrainAsOneChannel32PixelImages() throws Exception {
        Path data = Files.createDirectories(dir.resolve("fmnist"));
        int n = 12;
        byte[] px = new byte[n * 28 * 28];
        new Random(1).nextBytes(px);
        byte[] labels = new byte[n];
        for (int i = 0; i < n; i++) {
            labels[i] = (byte) (i % 10);
        }
        gz(data.resolve("train-images-idx3-ubyte.gz"), idx(new int[] {n, 28, 28}, px));
        gz(data.resolve("train-labels-idx1-ubyte.gz"), idx(new int[] {n}, labels));
        Path run = dir.resolve("run-fm");
        CliRunner.Result r = CliRunner.run(args(run, "--dataset", "fashion-mnist", "--data-dir", data.toString()));
        assertEquals(0, r.code(), r.err());
        JsonNode config = RunFolder.json().readTree(run.resolve("config.json").toFile());
        assertEquals(1, config.get("model").get("inChannels").asInt());
        assertEquals(32, config.get("data").get("imageSize").asInt());
        assertTrue(Files.isRegularFile(run.resolve("checkpoints/step-0000003.safetensors")));
        BufferedImage grid = ImageIO.read(run.resolve("samples.png").toFile());
        assertTrue(grid.getWidth() >= 2 * 64, "two 32 px tiles, scaled x2");
    }

    @Test
    void anImageFolderWithCelebaAttributesTrains() throws Exception {
        Path images = Files.createDirectories(dir.resolve("faces"));
        Random rnd = new Random(2);
        StringBuilder attrs = new StringBuilder("6\nSmiling Male\n");
        for (int i = 1; i <= 6; i++) {
            BufferedImage img = new BufferedImage(20, 24, BufferedImage.TYPE_INT_RGB);
            for (int y = 0; y < 24; y++) {
                for (int x = 0; x < 20; x++) {
                    img.setRGB(x, y, rnd.nextInt(0x1000000));
                }
            }
            String name = String.format("%06d.png", i);
            ImageIO.write(img, "png", images.resolve(name).toFile());
            attrs.append(name).append(i % 2 == 0 ? "  1 -1\n" : " -1  1\n");
        }
        Path attrFile = dir.resolve("list_attr_celeba.txt");
        Files.writeString(attrFile, attrs.toString());
        Path run = dir.resolve("run-folder");
        CliRunner.Result r = CliRunner.run(args(run, "--dataset", "folder:" + images, "--attributes", attrFile.toString(),
                "--image-size", "16"));
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("image-folder("), r.out());
        JsonNode config = RunFolder.json().readTree(run.resolve("config.json").toFile());
        assertEquals("folder", config.get("data").get("dataset").asText());
        assertEquals(attrFile.toString(), config.get("data").get("attributes").asText());
        assertTrue(Files.isRegularFile(run.resolve("checkpoints/step-0000003.safetensors")));

        // resuming rebuilds the folder data set from what the checkpoint recorded
        CliRunner.Result more = CliRunner.run("train-dm", "--resume", run.toString(), "--steps", "5");
        assertEquals(0, more.code(), more.err());
        assertTrue(Files.isRegularFile(run.resolve("checkpoints/step-0000005.safetensors")));
    }
}

package dev.diti4j.cli.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.diti4j.cli.CliRunner;
import dev.diti4j.cli.run.RunFolder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The whole demo pipeline from the shipped diffusion model, on tiny settings. */
class DemoSmokeTest {
    @TempDir
    Path dir;

    private static String[] tiny(Path out) {
        return new String[] {"demo", "--out", out.toString(), "--steps", "3", "--batch", "8", "--probe-images", "40",
            "--pairs", "4", "--ddim-steps", "3", "--classifier-steps", "3", "--seed", "11"};
    }

    @Test
    void writesTheReportAndTheSameNumbersForTheSameSeed() throws Exception {
        Path a = dir.resolve("a");
        CliRunner.Result r = CliRunner.run(tiny(a));
        assertEquals(0, r.code(), r.err());
        for (String f : List.of("report.html", "metrics.json", "img/reconstructions.png", "img/loss-by-timestep.png",
                "img/counterfactual-0.png", "img/counterfactual-3.png", "img/manipulation.png", "diti/histogram.json", "pdae/config.json",
                "dm/shapes16-dm.safetensors")) {
            assertTrue(Files.isRegularFile(a.resolve(f)), f);
        }
        String html = Files.readString(a.resolve("report.html"));
        for (String s : List.of("Linear probes", "Which subsets of z hold which factor", "Reconstructions",
                "Counterfactuals", "Counterfactual faithfulness", "img/counterfactual-2.png", "raw pixels")) {
            assertTrue(html.contains(s), s);
        }
        JsonNode m = RunFolder.json().readTree(a.resolve("metrics.json").toFile());
        assertEquals(4, m.get("probes").size());
        for (JsonNode p : m.get("probes")) {
            double acc = p.get("mean_accuracy").asDouble();
            assertTrue(acc >= 0 && acc <= 1 && p.get("mean_accuracy_low").asDouble() <= acc
                    && acc <= p.get("mean_accuracy_high").asDouble(), p.toString());
            assertEquals(7, p.get("factors").size());
        }
        assertEquals(768, m.get("probes").get(3).get("dim").asInt(), "raw pixels: 3 x 16 x 16");
        assertEquals(4, m.get("faithfulness").get("diti").size());
        assertEquals(7, m.get("faithfulness").get("diti").get(0).size());
        assertTrue(r.out().contains("probe accuracy") && r.out().contains("report"), r.out());

        // every number follows from the seed
        Path b = dir.resolve("b");
        assertEquals(0, CliRunner.run(tiny(b)).code());
        ObjectNode ma = (ObjectNode) m;
        ObjectNode mb = (ObjectNode) RunFolder.json().readTree(b.resolve("metrics.json").toFile());
        ma.remove("seconds");
        mb.remove("seconds");
        assertEquals(ma, mb);
    }

    @Test
    void badRequestsWriteNothing() {
        Path out = dir.resolve("bad");
        CliRunner.Result r = CliRunner.run("demo", "--data", "fashion-mnist", "--out", out.toString());
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains("only a shapes model is shipped"), r.err());
        CliRunner.Result r2 = CliRunner.run("demo", "--data", "cifar", "--out", out.toString());
        assertEquals(2, r2.code());
        assertTrue(r2.err().contains("--data must be shapes or fashion-mnist"), r2.err());
        assertFalse(Files.exists(out));
    }

    @Test
    void anImageFolderWithAttributesRunsThroughTheSamePipeline() throws Exception {
        Path images = Files.createDirectories(dir.resolve("faces"));
        java.util.Random rnd = new java.util.Random(3);
        StringBuilder attrs = new StringBuilder("40\nSmiling Male\n");
        for (int i = 1; i <= 40; i++) {
            java.awt.image.BufferedImage img = new java.awt.image.BufferedImage(16, 16,
                    java.awt.image.BufferedImage.TYPE_INT_RGB);
            for (int y = 0; y < 16; y++) {
                for (int x = 0; x < 16; x++) {
                    img.setRGB(x, y, rnd.nextInt(0x1000000));
                }
            }
            String name = String.format("%06d.png", i);
            javax.imageio.ImageIO.write(img, "png", images.resolve(name).toFile());
            attrs.append(name).append(i % 2 == 0 ? "  1" : " -1").append((i / 2) % 2 == 0 ? "  1\n" : " -1\n");
        }
        Path attrFile = dir.resolve("list_attr_celeba.txt");
        Files.writeString(attrFile, attrs.toString());
        Path dm = dir.resolve("dm");
        CliRunner.Result t = CliRunner.run("train-dm", "--dataset", "folder:" + images, "--attributes",
                attrFile.toString(), "--image-size", "16", "--preset", "tiny", "--batch", "4", "--steps", "2",
                "--sample-every", "0", "--sample-count", "2", "--sample-steps", "2", "--out", dm.toString());
        assertEquals(0, t.code(), t.err());
        Path out = dir.resolve("demo-folder");
        CliRunner.Result r = CliRunner.run("demo", "--dm", dm.toString(), "--out", out.toString(), "--steps", "2",
                "--batch", "4", "--partition", "uniform:4", "--latent", "8", "--probe-images", "20", "--pairs", "4",
                "--ddim-steps", "2");
        assertEquals(0, r.code(), r.err());
        JsonNode m = RunFolder.json().readTree(out.resolve("metrics.json").toFile());
        assertEquals(2, m.get("probes").get(0).get("factors").size(), "one probe per attribute");
        assertTrue(m.get("probes").get(0).get("factors").has("Smiling"));
        assertFalse(m.has("faithfulness"), "no ground-truth factors, no faithfulness matrix");
        assertTrue(Files.readString(out.resolve("report.html")).contains("image folder faces"));

        // more probe images than the folder holds: one line, nothing written
        Path big = dir.resolve("demo-big");
        CliRunner.Result b = CliRunner.run("demo", "--dm", dm.toString(), "--out", big.toString(), "--probe-images", "40");
        assertEquals(2, b.code(), b.err());
        assertTrue(b.err().contains("needs 80 images"), b.err());
        assertFalse(Files.exists(big), "refused before anything was written");
    }
}

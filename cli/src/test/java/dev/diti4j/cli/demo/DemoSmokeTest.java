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
}

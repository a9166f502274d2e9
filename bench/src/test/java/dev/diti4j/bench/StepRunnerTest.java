package dev.diti4j.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.diti4j.core.random.Philox;
import dev.diti4j.diti.model.EncoderConfig;
import dev.diti4j.diti.model.FeatureEncoder;
import dev.diti4j.diti.model.ShiftDecoder;
import dev.diti4j.nn.json.Json;
import dev.diti4j.nn.unet.UNet;
import dev.diti4j.nn.unet.UNetConfig;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StepRunnerTest {
    /** Runs StepRunner in this JVM and returns its output lines parsed as JSON objects. */
    private static List<Map<String, Object>> run(String... args) throws Exception {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        try (PrintStream out = new PrintStream(buf, true, StandardCharsets.UTF_8)) {
            StepRunner.run(StepRunner.parse(args), out);
        }
        return buf.toString(StandardCharsets.UTF_8).lines().map(Json::parseObject).toList();
    }

    private static Map<String, Object> only(List<Map<String, Object>> lines, String event) {
        List<Map<String, Object>> m = lines.stream().filter(l -> event.equals(l.get("event"))).toList();
        assertEquals(1, m.size(), "exactly one '" + event + "' line in " + lines);
        return m.get(0);
    }

    @Test
    void oneTrainingStepOfATinyModelPrintsAValidResultLine() throws Exception {
        UNetConfig cfg = UNetConfig.tinyTest().withDropout(0.1f);
        var lines = run("--case", "dm-train", "--model", cfg.toJson(), "--batch", "2", "--image", "8",
                "--warmup", "0", "--steps", "1");
        Map<String, Object> info = only(lines, "info");
        Map<String, Object> res = only(lines, "result");
        long params = new UNet(cfg, new Philox(0)).parameterCount();
        assertEquals(params, Json.getLong(info, "params"));
        assertEquals(params, Json.getLong(res, "params"));
        assertEquals("diti4j", res.get("side"));
        assertEquals("dm-train", res.get("case"));
        List<?> samples = (List<?>) res.get("samples_s");
        assertEquals(1, samples.size(), "one measured step");
        assertTrue(((Number) samples.get(0)).doubleValue() > 0, "a positive step time: " + samples);
        assertTrue(((List<?>) res.get("warmup_s")).isEmpty());
        double gcShare = Json.getDouble(res, "gc_share");
        assertTrue(gcShare >= 0 && gcShare <= 1, "GC share in [0, 1]: " + gcShare);
        assertTrue(Json.getLong(res, "vmhwm_kib") > 0, "peak RSS read from /proc/self/status");
        assertEquals(1, lines.stream().filter(l -> "sample".equals(l.get("event"))).count());
    }

    @Test
    void oneDitiStepOnATinyFrozenModelCountsOnlyTheTrainedParts() throws Exception {
        UNetConfig cfg = UNetConfig.tinyTest().withDropout(0.1f);
        var lines = run("--case", "diti-train", "--model", cfg.toJson(), "--batch", "2", "--image", "8",
                "--latent", "8", "--subsets", "4", "--lr", "1e-3", "--ema", "0.99", "--warmup", "0", "--steps", "1");
        Map<String, Object> info = only(lines, "info");
        Map<String, Object> res = only(lines, "result");
        long expected = new FeatureEncoder(EncoderConfig.small(cfg.inChannels(), 8, 8), new Philox(0)).parameterCount()
                + ShiftDecoder.countParameters(cfg, 8);
        assertEquals(expected, Json.getLong(info, "params"));
        assertEquals(expected, Json.getLong(res, "params"));
        long sum = 0;
        for (Object n : (List<?>) info.get("param_sizes")) {
            sum += ((Number) n).longValue();
        }
        assertEquals(expected, sum, "the tensor sizes add up to the count");
        assertEquals("diti-train", res.get("case"));
        assertEquals(1, ((List<?>) res.get("samples_s")).size());
    }

    @Test
    void forwardAndKernelCasesRun() throws Exception {
        var fwd = only(run("--case", "unet-forward", "--model", UNetConfig.tinyTest().toJson(), "--batch", "2",
                "--image", "8", "--warmup", "1", "--steps", "1"), "result");
        assertEquals(53_275L, Json.getLong(fwd, "params"));
        var gemm = only(run("--case", "gemm", "--n", "32", "--warmup", "1", "--steps", "2", "--sample-ms", "1",
                "--warmup-ms", "1"), "result");
        assertEquals(2, ((List<?>) gemm.get("samples_s")).size());
        for (Object calls : (List<?>) gemm.get("calls_per_sample")) {
            assertTrue(((Number) calls).longValue() >= 1, "at least one call per sample: " + calls);
        }
        var conv = only(run("--case", "conv-fwdbwd", "--shape", "2x8x4x4", "--warmup", "1", "--steps", "1",
                "--sample-ms", "1", "--warmup-ms", "1"), "result");
        assertEquals(0L, Json.getLong(conv, "params"));
    }

    @Test
    void badRequestsAreRefusedInOneSentence() {
        var e = assertThrows(IllegalArgumentException.class, () -> StepRunner.parse(new String[] {"--case", "dm-train"}));
        assertTrue(e.getMessage().contains("--model"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> StepRunner.parse(new String[] {"--case", "gemm", "--bogus", "1"}));
        assertTrue(e.getMessage().contains("--bogus"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> StepRunner.workload(StepRunner.parse(new String[] {"--case", "diti-train"})));
        assertTrue(e.getMessage().contains("diti-train"), e.getMessage());
    }
}

package dev.diti4j.cli.dm;

import com.fasterxml.jackson.databind.JsonNode;
import dev.diti4j.cli.run.RunFolder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Whether a run folder's {@code config.json} and the checkpoint resumed in it describe the same run:
 * the same data, model, trainer settings, batch and output settings, compared key by key with
 * numbers compared by value, and the first difference named in words.
 */
final class ConfigAgreement {
    private ConfigAgreement() {
    }

    /**
     * The run folder's {@code config.json} (if it has one) must describe the run the checkpoint comes
     * from: same data, model, trainer settings, batch and output settings.
     */
    static void require(Path home, Path file, Map<String, Object> checkpointOptions) {
        Path cfg = home.resolve("config.json");
        if (!Files.isRegularFile(cfg)) {
            return;
        }
        JsonNode have;
        try {
            have = RunFolder.json().readTree(cfg.toFile());
        } catch (java.io.IOException e) {
            throw new RunRequestException(cfg + " cannot be read (" + DmTraining.oneLine(e) + "), so it cannot be checked"
                    + " against checkpoint " + file.getFileName() + ": repair or remove it", e);
        }
        JsonNode want = RunFolder.json().valueToTree(checkpointOptions);
        for (String key : AGREEING_KEYS) {
            String diff = firstDifference(key, want.get(key), have == null ? null : have.get(key));
            if (diff != null) {
                throw new RunRequestException("checkpoint " + file + " does not belong to run folder " + home + ": "
                        + diff + " (move the checkpoint out of the folder and resume it with --out <new folder>)");
            }
        }
    }

    /** What config.json and a checkpoint must agree on (the rest may change on resume or is derived). */
    private static final List<String> AGREEING_KEYS = List.of("data", "model", "trainer", "batch", "flip",
            "keepCheckpoints", "sampleCount", "sampleSteps");

    /** The first place where the checkpoint's value differs from config.json's, in words, or null. */
    private static String firstDifference(String path, JsonNode want, JsonNode have) {
        if (have == null || have.isMissingNode()) {
            return "config.json has no '" + path + "' but the checkpoint's is " + want;
        }
        if (want.isObject() && have.isObject()) {
            for (var it = want.fieldNames(); it.hasNext(); ) {
                String k = it.next();
                String d = firstDifference(path + "." + k, want.get(k), have.get(k));
                if (d != null) {
                    return d;
                }
            }
            return null;
        }
        return sameJson(want, have) ? null : "the checkpoint's " + path + " is " + want + " but config.json says " + have;
    }

    /** Equal JSON values, numbers compared by value (config.json may spell 8 as an int, the checkpoint as a long). */
    private static boolean sameJson(JsonNode a, JsonNode b) {
        if (a.isNumber() && b.isNumber()) {
            return a.decimalValue().compareTo(b.decimalValue()) == 0;
        }
        if (a.isArray() && b.isArray()) {
            if (a.size() != b.size()) {
                return false;
            }
            for (int i = 0; i < a.size(); i++) {
                if (!sameJson(a.get(i), b.get(i))) {
                    return false;
                }
            }
            return true;
        }
        if (a.isObject() && b.isObject()) {
            if (a.size() != b.size()) {
                return false;
            }
            for (var it = a.fieldNames(); it.hasNext(); ) {
                String k = it.next();
                if (!b.has(k) || !sameJson(a.get(k), b.get(k))) {
                    return false;
                }
            }
            return true;
        }
        return a.equals(b);
    }


    /** The run folder's config.json as a map. */
    @SuppressWarnings("unchecked")
    static Map<String, Object> read(Path home) {
        Path cfg = home.resolve("config.json");
        try {
            return RunFolder.json().readValue(cfg.toFile(), Map.class);
        } catch (java.io.IOException e) {
            throw new RunFailedException("cannot read " + cfg + ": " + DmTraining.oneLine(e), e);
        }
    }
}

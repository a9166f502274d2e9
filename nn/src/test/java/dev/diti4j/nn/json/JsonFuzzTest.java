package dev.diti4j.nn.json;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.diti4j.nn.fuzz.ParserContract;
import dev.diti4j.nn.fuzz.SeededMutationFuzzer;
import dev.diti4j.nn.unet.UNetConfig;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Fuzzes the JSON reader and the typed getters and config reader built on it: any text ends in a
 * {@link Json.ParseException} (parsing) or an {@link IllegalArgumentException} (a missing or
 * mistyped field) with a one-line message; what parses can be written back and parses to the same
 * value.
 */
class JsonFuzzTest {
    private static final ParserContract PARSE = new ParserContract("Json.parse", Json.ParseException.class,
            n -> 256 * n + (32L << 20));
    private static final ParserContract FIELDS = new ParserContract("Json typed access and UNetConfig.fromJson",
            IllegalArgumentException.class, n -> 256 * n + (32L << 20));
    private static final List<String> DICTIONARY = List.of("{", "}", "[", "]", ",", ":", "\"", "\\u", "\\ud800",
            "\\\"", "true", "false", "null", "-0", "1e400", "-1e-400", "9223372036854775808", "0.5", "\"inChannels\"",
            "\"channelMult\"", "\"dropout\"", "\"groups\"", " ", "\u2028", "\u00e9");

    static void check(byte[] bytes) {
        String text = new String(bytes, StandardCharsets.UTF_8);
        Object[] parsed = new Object[1];
        boolean ok = PARSE.check(bytes, bytes.length, () -> parsed[0] = Json.parse(text));
        if (ok) {
            Object back = Json.parse(Json.write(parsed[0]));
            if (!java.util.Objects.equals(back, parsed[0])) {
                throw new AssertionError("Json.write then Json.parse changed " + parsed[0] + " into " + back);
            }
        }
        if (parsed[0] instanceof Map<?, ?> m) {
            @SuppressWarnings("unchecked")
            Map<String, Object> o = (Map<String, Object>) m;
            for (String key : List.copyOf(o.keySet()).subList(0, Math.min(o.size(), 8))) {
                FIELDS.check(bytes, bytes.length, () -> Json.getInt(o, key));
                FIELDS.check(bytes, bytes.length, () -> Json.getLong(o, key));
                FIELDS.check(bytes, bytes.length, () -> Json.getDouble(o, key));
                FIELDS.check(bytes, bytes.length, () -> Json.getString(o, key));
                FIELDS.check(bytes, bytes.length, () -> Json.getIntArray(o, key));
            }
            FIELDS.check(bytes, bytes.length, () -> Json.getInt(o, "missing\n"));
        }
        FIELDS.check(bytes, bytes.length, () -> UNetConfig.fromJson(text));
    }

    @FuzzTest(maxDuration = "5m")
    void fuzz(byte[] bytes) {
        check(bytes);
    }

    @Test
    void seededMutations() {
        new SeededMutationFuzzer(SeededMutationFuzzer.DEFAULT_SEED, SeededMutationFuzzer.inputs(getClass(), "fuzz"),
                DICTIONARY).run("json", 40000, JsonFuzzTest::check);
    }
}

package dev.diti4j.nn.json;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonTest {
    @Test
    void parsesEveryKindOfValue() {
        Object v = Json.parse(" {\"a\": [1, -2.5e3, true, false, null], \"b\": {\"c\": \"x\\\"\\u00e9\\n\"},"
                + " \"big\": 9007199254740993, \"large\": 1e300} ");
        Map<String, Object> expected = new LinkedHashMap<>();
        expected.put("a", java.util.Arrays.asList(1L, -2500.0, true, false, null));
        expected.put("b", Map.of("c", "x\"é\n"));
        expected.put("big", 9007199254740993L); // exact: integers stay longs
        expected.put("large", 1e300);
        assertEquals(expected, v);
        assertEquals(List.of("a", "b", "big", "large"), List.copyOf(((Map<?, ?>) v).keySet()));
    }

    @Test
    void writesAndReadsBack() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("s", "tab\tquote\"slash\\ctl\u0001");
        m.put("i", 3);
        m.put("f", 0.1f);
        m.put("arr", new int[] {1, 2});
        m.put("list", List.of(1L, "two"));
        m.put("nil", null);
        String text = Json.write(m);
        assertEquals("{\"s\":\"tab\\tquote\\\"slash\\\\ctl\\u0001\",\"i\":3,\"f\":0.1,\"arr\":[1,2],\"list\":[1,\"two\"],"
                + "\"nil\":null}", text);
        Map<String, Object> back = Json.parseObject(text);
        assertEquals("tab\tquote\"slash\\ctl\u0001", back.get("s"));
        assertEquals(0.1f, (float) Json.getDouble(back, "f"));
        assertEquals(List.of(1L, 2L), back.get("arr"));
    }

    @Test
    void rejectsMalformedText() {
        assertEquals("unexpected end of input at character 5",
                assertThrows(Json.ParseException.class, () -> Json.parse("{\"a\":")).getMessage());
        assertEquals("duplicate key \"a\" at character 8",
                assertThrows(Json.ParseException.class, () -> Json.parse("{\"a\":1, \"a\":2}")).getMessage());
        assertEquals("unexpected ',' after the JSON value at character 1",
                assertThrows(Json.ParseException.class, () -> Json.parse("1,")).getMessage());
        assertThrows(Json.ParseException.class, () -> Json.parse("[01]"));
        assertThrows(Json.ParseException.class, () -> Json.parse("\"unterminated"));
        assertThrows(Json.ParseException.class, () -> Json.parse("{'a':1}"));
        assertThrows(IllegalArgumentException.class, () -> Json.write(Double.NaN));
    }

    @Test
    void refusesNumbersBeyondADoubleRatherThanReadingInfinity() {
        // Infinity could not be written back (write refuses non-finite numbers), and a setting of 1e400 is a typo.
        assertEquals("number 1e400 is beyond the range of a double at character 5",
                assertThrows(Json.ParseException.class, () -> Json.parse("{\"x\":1e400}")).getMessage());
        assertEquals("number -2e308 is beyond the range of a double at character 0",
                assertThrows(Json.ParseException.class, () -> Json.parse("-2e308")).getMessage());
        assertEquals(0.0, Json.parse("1e-400"), "underflow to zero is still a number");
    }

    @Test
    void unicodeEscapesTakeExactlyFourHexDigits() {
        assertEquals("A\u00e9", Json.parse("\"\\u0041\\u00E9\""));
        // Integer.parseInt(.., 16) accepts a sign, so escapes with "+041" or "-041" used to parse.
        for (String bad : new String[] {"\"\\u+041\"", "\"\\u-041\"", "\"\\u00g1\"", "\"\\u\uff10\uff10\uff10\uff10\""}) {
            Json.ParseException e = assertThrows(Json.ParseException.class, () -> Json.parse(bad), bad);
            assertEquals("bad \\u escape: expected four hex digits at character 3", e.getMessage());
        }
    }

    @Test
    void messagesStayOnOneLine() {
        // Characters and strings from the input are escaped, so an error never spans lines.
        assertEquals("unexpected character U+000B at character 1",
                assertThrows(Json.ParseException.class, () -> Json.parse("[\u000b]")).getMessage());
        assertEquals("unexpected U+2028 after the JSON value at character 1",
                assertThrows(Json.ParseException.class, () -> Json.parse("1\u2028")).getMessage());
        assertEquals("duplicate key \"a\\nb\" at character 11",
                assertThrows(Json.ParseException.class, () -> Json.parse("{\"a\\nb\":1, \"a\\nb\":2}")).getMessage());
        Map<String, Object> o = Json.parseObject("{\"n\": \"line\\nbreak\"}");
        assertEquals("\"n\" must be an integer, got \"line\\nbreak\"",
                assertThrows(IllegalArgumentException.class, () -> Json.getInt(o, "n")).getMessage());
        assertEquals("\"\\u2028\\u0085\"", Json.quote("\u2028\u0085"));
    }
}

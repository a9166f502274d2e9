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
                + " \"big\": 9007199254740993, \"huge\": 1e400} ");
        Map<String, Object> expected = new LinkedHashMap<>();
        expected.put("a", java.util.Arrays.asList(1L, -2500.0, true, false, null));
        expected.put("b", Map.of("c", "x\"é\n"));
        expected.put("big", 9007199254740993L); // exact: integers stay longs
        expected.put("huge", Double.POSITIVE_INFINITY);
        assertEquals(expected, v);
        assertEquals(List.of("a", "b", "big", "huge"), List.copyOf(((Map<?, ?>) v).keySet()));
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
}

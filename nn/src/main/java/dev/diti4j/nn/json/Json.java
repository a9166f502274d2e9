package dev.diti4j.nn.json;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Strict JSON (RFC 8259) to and from plain Java values: objects become {@code LinkedHashMap<String,
 * Object>} (key order kept, duplicate keys rejected), arrays {@code List<Object>}, strings
 * {@code String}, numbers {@code Long} when written without fraction or exponent and in range,
 * else {@code Double}, and {@code true}/{@code false}/{@code null} map to Boolean and null.
 *
 * <p>Numbers beyond the range of a double (such as {@code 1e400}) are refused rather than read as
 * infinity, so that what is read can always be written back. A parse failure is a
 * {@link ParseException} whose message is one line: characters and strings from the input appear
 * escaped and shortened.
 */
public final class Json {
    private final String s;
    private int pos;

    private Json(String s) {
        this.s = s;
    }

    /** A parse failure, with the character offset where it happened. */
    public static final class ParseException extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;
        private final int offset;

        ParseException(String message, int offset) {
            super(message + " at character " + offset);
            this.offset = offset;
        }

        public int offset() {
            return offset;
        }
    }

    /** Parses one JSON value (surrounding whitespace allowed, nothing else). */
    public static Object parse(String text) {
        Json p = new Json(text);
        p.skipWs();
        Object v = p.value(0);
        p.skipWs();
        if (p.pos != text.length()) {
            throw new ParseException("unexpected " + describe(text.charAt(p.pos)) + " after the JSON value", p.pos);
        }
        return v;
    }

    /** Parses text that must be a JSON object. */
    @SuppressWarnings("unchecked")
    public static Map<String, Object> parseObject(String text) {
        Object v = parse(text);
        if (!(v instanceof Map)) {
            throw new ParseException("expected a JSON object", 0);
        }
        return (Map<String, Object>) v;
    }

    private Object value(int depth) {
        if (depth > 512) {
            throw new ParseException("nesting deeper than 512 levels", pos);
        }
        if (pos >= s.length()) {
            throw new ParseException("unexpected end of input", pos);
        }
        char c = s.charAt(pos);
        return switch (c) {
            case '{' -> object(depth);
            case '[' -> array(depth);
            case '"' -> string();
            case 't' -> literal("true", Boolean.TRUE);
            case 'f' -> literal("false", Boolean.FALSE);
            case 'n' -> literal("null", null);
            default -> {
                if (c == '-' || (c >= '0' && c <= '9')) {
                    yield number();
                }
                throw new ParseException("unexpected character " + describe(c), pos);
            }
        };
    }

    private Map<String, Object> object(int depth) {
        Map<String, Object> out = new LinkedHashMap<>();
        pos++; // '{'
        skipWs();
        if (peek() == '}') {
            pos++;
            return out;
        }
        while (true) {
            skipWs();
            if (peek() != '"') {
                throw new ParseException("expected a string key", pos);
            }
            int keyAt = pos;
            String key = string();
            skipWs();
            expect(':');
            skipWs();
            Object v = value(depth + 1);
            if (out.containsKey(key)) {
                throw new ParseException("duplicate key " + excerpt(key), keyAt);
            }
            out.put(key, v);
            skipWs();
            char c = next();
            if (c == '}') {
                return out;
            }
            if (c != ',') {
                throw new ParseException("expected ',' or '}' in an object", pos - 1);
            }
        }
    }

    private List<Object> array(int depth) {
        List<Object> out = new ArrayList<>();
        pos++; // '['
        skipWs();
        if (peek() == ']') {
            pos++;
            return out;
        }
        while (true) {
            skipWs();
            out.add(value(depth + 1));
            skipWs();
            char c = next();
            if (c == ']') {
                return out;
            }
            if (c != ',') {
                throw new ParseException("expected ',' or ']' in an array", pos - 1);
            }
        }
    }

    private String string() {
        pos++; // opening quote
        StringBuilder sb = new StringBuilder();
        while (true) {
            if (pos >= s.length()) {
                throw new ParseException("unterminated string", pos);
            }
            char c = s.charAt(pos++);
            if (c == '"') {
                return sb.toString();
            }
            if (c < 0x20) {
                throw new ParseException("control character in a string", pos - 1);
            }
            if (c != '\\') {
                sb.append(c);
                continue;
            }
            char e = next();
            switch (e) {
                case '"', '\\', '/' -> sb.append(e);
                case 'b' -> sb.append('\b');
                case 'f' -> sb.append('\f');
                case 'n' -> sb.append('\n');
                case 'r' -> sb.append('\r');
                case 't' -> sb.append('\t');
                case 'u' -> {
                    if (pos + 4 > s.length()) {
                        throw new ParseException("truncated \\u escape", pos);
                    }
                    int code = 0;
                    for (int k = 0; k < 4; k++) { // four ASCII hex digits: no sign, no other script's digits
                        char h = s.charAt(pos + k);
                        int digit = h <= 'f' ? Character.digit(h, 16) : -1;
                        if (digit < 0) {
                            throw new ParseException("bad \\u escape: expected four hex digits", pos);
                        }
                        code = code * 16 + digit;
                    }
                    sb.append((char) code);
                    pos += 4;
                }
                default -> throw new ParseException("bad escape \\"
                        + (e >= 0x21 && e < 0x7f ? String.valueOf(e) : describe(e)), pos - 1);
            }
        }
    }

    private Object number() {
        int start = pos;
        if (peek() == '-') {
            pos++;
        }
        if (peek() == '0') {
            pos++;
        } else if (isDigit(peek())) {
            while (isDigit(peek())) {
                pos++;
            }
        } else {
            throw new ParseException("bad number", start);
        }
        boolean integral = true;
        if (peek() == '.') {
            integral = false;
            pos++;
            if (!isDigit(peek())) {
                throw new ParseException("bad number: digits must follow '.'", pos);
            }
            while (isDigit(peek())) {
                pos++;
            }
        }
        if (peek() == 'e' || peek() == 'E') {
            integral = false;
            pos++;
            if (peek() == '+' || peek() == '-') {
                pos++;
            }
            if (!isDigit(peek())) {
                throw new ParseException("bad number: digits must follow the exponent", pos);
            }
            while (isDigit(peek())) {
                pos++;
            }
        }
        String text = s.substring(start, pos);
        if (integral) {
            try {
                return Long.parseLong(text);
            } catch (NumberFormatException tooBig) {
                // falls back to double below
            }
        }
        double d = Double.parseDouble(text);
        if (Double.isInfinite(d)) {
            throw new ParseException("number " + shorten(text) + " is beyond the range of a double", start);
        }
        return d;
    }

    private Object literal(String word, Object value) {
        if (!s.startsWith(word, pos)) {
            throw new ParseException("unexpected token", pos);
        }
        pos += word.length();
        return value;
    }

    /** A character for a message: {@code 'x'} when printable, else its code point, e.g. {@code U+000B}. */
    private static String describe(char c) {
        return needsEscape(c) || Character.isSurrogate(c) || Character.isWhitespace(c)
                ? String.format("U+%04X", (int) c) : "'" + c + "'";
    }

    /** A string from the input for a message: JSON-quoted (so on one line) and at most about 60 characters. */
    private static String excerpt(String str) {
        return quote(shorten(str));
    }

    private static String shorten(String str) {
        return str.length() <= 60 ? str : str.substring(0, 57) + "...";
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    private char peek() {
        return pos < s.length() ? s.charAt(pos) : '\0';
    }

    private char next() {
        if (pos >= s.length()) {
            throw new ParseException("unexpected end of input", pos);
        }
        return s.charAt(pos++);
    }

    private void expect(char c) {
        if (peek() != c) {
            throw new ParseException("expected '" + c + "'", pos);
        }
        pos++;
    }

    private void skipWs() {
        while (pos < s.length()) {
            char c = s.charAt(pos);
            if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
                return;
            }
            pos++;
        }
    }

    // ---- writing --------------------------------------------------------------------------

    /**
     * Writes a value made of maps (string keys), lists, int/long/float/double arrays, strings,
     * numbers, booleans and null. Floats and doubles must be finite.
     */
    public static String write(Object value) {
        StringBuilder sb = new StringBuilder();
        write(value, sb);
        return sb.toString();
    }

    private static void write(Object v, StringBuilder sb) {
        switch (v) {
            case null -> sb.append("null");
            case String str -> quote(str, sb);
            case Boolean b -> sb.append(b);
            case Integer i -> sb.append(i);
            case Long l -> sb.append(l);
            case Float f -> finite(f.doubleValue(), sb, Float.toString(f));
            case Double d -> finite(d, sb, Double.toString(d));
            case Map<?, ?> m -> {
                sb.append('{');
                boolean first = true;
                for (Map.Entry<?, ?> e : m.entrySet()) {
                    if (!(e.getKey() instanceof String k)) {
                        throw new IllegalArgumentException("JSON object keys must be strings, got " + e.getKey());
                    }
                    if (!first) {
                        sb.append(',');
                    }
                    first = false;
                    quote(k, sb);
                    sb.append(':');
                    write(e.getValue(), sb);
                }
                sb.append('}');
            }
            case List<?> list -> {
                sb.append('[');
                for (int i = 0; i < list.size(); i++) {
                    if (i > 0) {
                        sb.append(',');
                    }
                    write(list.get(i), sb);
                }
                sb.append(']');
            }
            case int[] a -> {
                sb.append('[');
                for (int i = 0; i < a.length; i++) {
                    sb.append(i > 0 ? "," : "").append(a[i]);
                }
                sb.append(']');
            }
            case long[] a -> {
                sb.append('[');
                for (int i = 0; i < a.length; i++) {
                    sb.append(i > 0 ? "," : "").append(a[i]);
                }
                sb.append(']');
            }
            default -> throw new IllegalArgumentException("cannot write " + v.getClass().getSimpleName() + " as JSON");
        }
    }

    private static void finite(double d, StringBuilder sb, String text) {
        if (!Double.isFinite(d)) {
            throw new IllegalArgumentException("JSON cannot hold the non-finite number " + d);
        }
        sb.append(text);
    }

    /**
     * {@code str} as a JSON string literal. Besides what JSON requires, DEL, the C1 controls and
     * U+2028/U+2029 are escaped too, so the result is always one printable line.
     */
    public static String quote(String str) {
        StringBuilder sb = new StringBuilder(str.length() + 2);
        quote(str, sb);
        return sb.toString();
    }

    private static boolean needsEscape(char c) {
        return c < 0x20 || (c >= 0x7f && c <= 0x9f) || c == '\u2028' || c == '\u2029';
    }

    private static void quote(String str, StringBuilder sb) {
        sb.append('"');
        for (int i = 0; i < str.length(); i++) {
            char c = str.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                case '\b' -> sb.append("\\b");
                case '\f' -> sb.append("\\f");
                default -> {
                    if (needsEscape(c)) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        sb.append('"');
    }

    // ---- typed access -----------------------------------------------------------------------

    /** {@code obj[key]} as an int; fails with a message naming the key when absent or not an integer. */
    public static int getInt(Map<String, Object> obj, String key) {
        long v = getLong(obj, key);
        if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(excerpt(key) + " = " + v + " does not fit in an int");
        }
        return (int) v;
    }

    public static long getLong(Map<String, Object> obj, String key) {
        if (!(require(obj, key) instanceof Long l)) {
            throw new IllegalArgumentException(excerpt(key) + " must be an integer, got " + shown(obj.get(key)));
        }
        return l;
    }

    public static double getDouble(Map<String, Object> obj, String key) {
        if (!(require(obj, key) instanceof Number n)) {
            throw new IllegalArgumentException(excerpt(key) + " must be a number, got " + shown(obj.get(key)));
        }
        return n.doubleValue();
    }

    public static String getString(Map<String, Object> obj, String key) {
        if (!(require(obj, key) instanceof String str)) {
            throw new IllegalArgumentException(excerpt(key) + " must be a string, got " + shown(obj.get(key)));
        }
        return str;
    }

    public static int[] getIntArray(Map<String, Object> obj, String key) {
        if (!(require(obj, key) instanceof List<?> list)) {
            throw new IllegalArgumentException(excerpt(key) + " must be an array of integers, got "
                    + shown(obj.get(key)));
        }
        int[] out = new int[list.size()];
        for (int i = 0; i < out.length; i++) {
            if (!(list.get(i) instanceof Long l) || l < Integer.MIN_VALUE || l > Integer.MAX_VALUE) {
                throw new IllegalArgumentException(excerpt(key) + " must be an array of integers, got " + shown(list));
            }
            out[i] = (int) (long) l;
        }
        return out;
    }

    private static Object require(Map<String, Object> obj, String key) {
        if (!obj.containsKey(key)) {
            throw new IllegalArgumentException("missing key " + excerpt(key));
        }
        return obj.get(key);
    }

    /** A value read from JSON, for a one-line message: strings quoted, everything escaped and shortened. */
    private static String shown(Object v) {
        if (v instanceof String str) {
            return excerpt(str);
        }
        String text = String.valueOf(v);
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            sb.append(needsEscape(c) ? String.format("\\u%04x", (int) c) : String.valueOf(c));
        }
        return shorten(sb.toString());
    }
}

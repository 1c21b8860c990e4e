package org.fwdlearn.io;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A small strict JSON reader and writer (RFC 8259), for {@code model.json}, safetensors headers and the
 * command line's configuration and report files.
 *
 * <p>Reading gives {@code Map<String, Object>} (insertion-ordered), {@code List<Object>}, {@code String},
 * {@code Double} or {@code Long} (integers without fraction or exponent that fit a long), {@code Boolean} and
 * {@code null}. Duplicate keys, trailing commas, comments and trailing garbage are errors; an error names the
 * line and column. Writing accepts the same types plus any {@code Number}, {@code int[]}, {@code double[]} and
 * {@code float[]}; non-finite numbers are written as {@code null} (JSON has no NaN).
 *
 * <pre>{@code
 * Map<String, Object> m = Json.parseObject("{\"layers\": [784, 1024, 10]}");
 * List<?> layers = (List<?>) m.get("layers");   // [784L, 1024L, 10L]
 * String text = Json.write(m);                    // indented, two spaces
 * }</pre>
 */
public final class Json {
  private Json() {}

  /** A syntax error; the message names the 1-based line and column where it was found. */
  public static final class JsonException extends RuntimeException {
    private final int position;

    /** An error not tied to a position in the text. */
    public JsonException(String message) {
      this(message, -1);
    }

    /** An error found at the 0-based character index {@code position} of the text (-1: none). */
    public JsonException(String message, int position) {
      super(message);
      this.position = position;
    }

    /** The 0-based character index of the text where the error was found, or -1. */
    public int position() {
      return position;
    }
  }

  /** Parses a complete JSON text. */
  public static Object parse(String text) {
    return parse(text, null);
  }

  private static Object parse(String text, Map<String, Integer> keyPositions) {
    Parser p = new Parser(text);
    p.keyPositions = keyPositions;
    p.skipWs();
    Object v = p.value();
    p.skipWs();
    if (p.pos < text.length()) {
      throw p.error("unexpected '" + text.charAt(p.pos) + "' after the end of the JSON value");
    }
    return v;
  }

  /** Parses a JSON text that must be an object. */
  @SuppressWarnings("unchecked")
  public static Map<String, Object> parseObject(String text) {
    Object v = parse(text);
    if (!(v instanceof Map)) {
      throw new JsonException("expected a JSON object {...} at the top level, found " + typeName(v));
    }
    return (Map<String, Object>) v;
  }

  /**
   * As {@link #parseObject(String)}, also recording in {@code keyPositions} the 0-based character index of
   * each top-level key's opening quote.
   */
  @SuppressWarnings("unchecked")
  static Map<String, Object> parseObject(String text, Map<String, Integer> keyPositions) {
    Object v = parse(text, keyPositions);
    if (!(v instanceof Map)) {
      throw new JsonException("expected a JSON object {...} at the top level, found " + typeName(v), 0);
    }
    return (Map<String, Object>) v;
  }

  /** The number of UTF-8 bytes of {@code text.substring(0, chars)}: a {@link JsonException#position()} as a byte offset. */
  static long utf8Offset(String text, int chars) {
    return text.substring(0, Math.max(0, Math.min(chars, text.length()))).getBytes(StandardCharsets.UTF_8).length;
  }

  /** The JSON type name of a parsed value, for messages. */
  public static String typeName(Object v) {
    if (v == null) {
      return "null";
    } else if (v instanceof Map) {
      return "an object";
    } else if (v instanceof List) {
      return "an array";
    } else if (v instanceof String) {
      return "a string";
    } else if (v instanceof Boolean) {
      return "a boolean";
    } else if (v instanceof Number) {
      return "a number";
    }
    return v.getClass().getSimpleName();
  }

  /** How deeply arrays and objects may nest (deeper input is rejected rather than overflowing the stack). */
  static final int MAX_NESTING = 512;

  private static final class Parser {
    final String s;
    int pos;
    int nesting;
    Map<String, Integer> keyPositions;

    Parser(String s) {
      this.s = s;
    }

    JsonException error(String msg) {
      int line = 1;
      int col = 1;
      for (int i = 0; i < Math.min(pos, s.length()); i++) {
        if (s.charAt(i) == '\n') {
          line++;
          col = 1;
        } else {
          col++;
        }
      }
      return new JsonException("invalid JSON at line " + line + ", column " + col + ": " + msg, pos);
    }

    void skipWs() {
      while (pos < s.length()) {
        char c = s.charAt(pos);
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
          pos++;
        } else {
          break;
        }
      }
    }

    Object value() {
      if (pos >= s.length()) {
        throw error("unexpected end of input, expected a value");
      }
      char c = s.charAt(pos);
      switch (c) {
        case '{', '[' -> {
          if (++nesting > MAX_NESTING) {
            throw error("arrays and objects nested deeper than " + MAX_NESTING);
          }
          Object v = c == '{' ? object() : array();
          nesting--;
          return v;
        }
        case '"' -> {
          return string();
        }
        case 't' -> {
          literal("true");
          return Boolean.TRUE;
        }
        case 'f' -> {
          literal("false");
          return Boolean.FALSE;
        }
        case 'n' -> {
          literal("null");
          return null;
        }
        default -> {
          if (c == '-' || (c >= '0' && c <= '9')) {
            return number();
          }
          throw error("unexpected '" + c + "', expected a value");
        }
      }
    }

    void literal(String word) {
      if (!s.startsWith(word, pos)) {
        throw error("unexpected token, expected '" + word + "'");
      }
      pos += word.length();
    }

    Map<String, Object> object() {
      Map<String, Object> m = new LinkedHashMap<>();
      pos++;
      skipWs();
      if (pos < s.length() && s.charAt(pos) == '}') {
        pos++;
        return m;
      }
      while (true) {
        skipWs();
        if (pos >= s.length() || s.charAt(pos) != '"') {
          throw error("expected a \"key\"");
        }
        int keyPos = pos;
        String key = string();
        skipWs();
        expect(':');
        skipWs();
        Object v = value();
        if (m.containsKey(key)) {
          pos = keyPos;
          throw error("duplicate key \"" + key + "\"");
        }
        m.put(key, v);
        if (nesting == 1 && keyPositions != null) {
          keyPositions.put(key, keyPos);
        }
        skipWs();
        if (pos < s.length() && s.charAt(pos) == ',') {
          pos++;
          continue;
        }
        expect('}');
        return m;
      }
    }

    List<Object> array() {
      List<Object> a = new ArrayList<>();
      pos++;
      skipWs();
      if (pos < s.length() && s.charAt(pos) == ']') {
        pos++;
        return a;
      }
      while (true) {
        skipWs();
        a.add(value());
        skipWs();
        if (pos < s.length() && s.charAt(pos) == ',') {
          pos++;
          continue;
        }
        expect(']');
        return a;
      }
    }

    void expect(char c) {
      if (pos >= s.length()) {
        throw error("unexpected end of input, expected '" + c + "'");
      }
      if (s.charAt(pos) != c) {
        throw error("unexpected '" + s.charAt(pos) + "', expected '" + c + "'");
      }
      pos++;
    }

    String string() {
      pos++;
      StringBuilder sb = new StringBuilder();
      while (true) {
        if (pos >= s.length()) {
          throw error("unterminated string");
        }
        char c = s.charAt(pos++);
        if (c == '"') {
          return sb.toString();
        }
        if (c < 0x20) {
          pos--;
          throw error("control character in a string (escape it)");
        }
        if (c != '\\') {
          sb.append(c);
          continue;
        }
        if (pos >= s.length()) {
          throw error("unterminated escape");
        }
        char e = s.charAt(pos++);
        switch (e) {
          case '"', '\\', '/' -> sb.append(e);
          case 'b' -> sb.append('\b');
          case 'f' -> sb.append('\f');
          case 'n' -> sb.append('\n');
          case 'r' -> sb.append('\r');
          case 't' -> sb.append('\t');
          case 'u' -> {
            if (pos + 4 > s.length()) {
              throw error("truncated \\u escape");
            }
            int cp = 0;
            for (int i = 0; i < 4; i++) {
              int d = Character.digit(s.charAt(pos + i), 16);
              if (d < 0) {
                throw error("bad hex digit in \\u escape");
              }
              cp = cp * 16 + d;
            }
            pos += 4;
            sb.append((char) cp);
          }
          default -> {
            pos--;
            throw error("unknown escape '\\" + e + "'");
          }
        }
      }
    }

    Number number() {
      int start = pos;
      if (s.charAt(pos) == '-') {
        pos++;
      }
      if (pos >= s.length() || !Character.isDigit(s.charAt(pos))) {
        throw error("a digit must follow '-'");
      }
      if (s.charAt(pos) == '0') {
        pos++;
        if (pos < s.length() && Character.isDigit(s.charAt(pos))) {
          throw error("leading zeros are not allowed");
        }
      } else {
        while (pos < s.length() && Character.isDigit(s.charAt(pos))) {
          pos++;
        }
      }
      boolean integral = true;
      if (pos < s.length() && s.charAt(pos) == '.') {
        integral = false;
        pos++;
        int d = pos;
        while (pos < s.length() && Character.isDigit(s.charAt(pos))) {
          pos++;
        }
        if (pos == d) {
          throw error("a digit must follow '.'");
        }
      }
      if (pos < s.length() && (s.charAt(pos) == 'e' || s.charAt(pos) == 'E')) {
        integral = false;
        pos++;
        if (pos < s.length() && (s.charAt(pos) == '+' || s.charAt(pos) == '-')) {
          pos++;
        }
        int d = pos;
        while (pos < s.length() && Character.isDigit(s.charAt(pos))) {
          pos++;
        }
        if (pos == d) {
          throw error("a digit must follow the exponent");
        }
      }
      String t = s.substring(start, pos);
      if (integral) {
        try {
          return Long.parseLong(t);
        } catch (NumberFormatException overflow) {
          return Double.parseDouble(t);
        }
      }
      return Double.parseDouble(t);
    }
  }

  // ---------------------------------------------------------------- writing

  /** The value as indented JSON (two spaces), ending without a newline. */
  public static String write(Object v) {
    StringBuilder sb = new StringBuilder();
    write(sb, v, 0, true);
    return sb.toString();
  }

  /** The value as compact JSON on one line. */
  public static String writeCompact(Object v) {
    StringBuilder sb = new StringBuilder();
    write(sb, v, 0, false);
    return sb.toString();
  }

  private static void newline(StringBuilder sb, int indent, boolean pretty) {
    if (pretty) {
      sb.append('\n');
      sb.append("  ".repeat(indent));
    }
  }

  private static void write(StringBuilder sb, Object v, int indent, boolean pretty) {
    if (v == null) {
      sb.append("null");
    } else if (v instanceof String str) {
      quote(sb, str);
    } else if (v instanceof Boolean b) {
      sb.append(b);
    } else if (v instanceof Double || v instanceof Float) {
      double d = ((Number) v).doubleValue();
      if (!Double.isFinite(d)) {
        sb.append("null");
      } else if (v instanceof Float f) {
        // The shortest decimal that reads back as the same float.
        sb.append(trimExponent(Float.toString(f)));
      } else {
        sb.append(trimExponent(Double.toString(d)));
      }
    } else if (v instanceof Number n) {
      sb.append(n.longValue());
    } else if (v instanceof Map<?, ?> m) {
      if (m.isEmpty()) {
        sb.append("{}");
        return;
      }
      sb.append('{');
      boolean first = true;
      for (Map.Entry<?, ?> e : m.entrySet()) {
        if (!first) {
          sb.append(',');
        }
        first = false;
        newline(sb, indent + 1, pretty);
        quote(sb, String.valueOf(e.getKey()));
        sb.append(pretty ? ": " : ":");
        write(sb, e.getValue(), indent + 1, pretty);
      }
      newline(sb, indent, pretty);
      sb.append('}');
    } else if (v instanceof List<?> l) {
      writeArray(sb, l, indent, pretty);
    } else if (v instanceof int[] a) {
      List<Object> l = new ArrayList<>();
      for (int x : a) {
        l.add(x);
      }
      writeArray(sb, l, indent, pretty);
    } else if (v instanceof long[] a) {
      List<Object> l = new ArrayList<>();
      for (long x : a) {
        l.add(x);
      }
      writeArray(sb, l, indent, pretty);
    } else if (v instanceof double[] a) {
      List<Object> l = new ArrayList<>();
      for (double x : a) {
        l.add(x);
      }
      writeArray(sb, l, indent, pretty);
    } else if (v instanceof float[] a) {
      List<Object> l = new ArrayList<>();
      for (float x : a) {
        l.add(x);
      }
      writeArray(sb, l, indent, pretty);
    } else {
      throw new IllegalArgumentException("cannot write a " + v.getClass().getName() + " as JSON");
    }
  }

  private static void writeArray(StringBuilder sb, List<?> l, int indent, boolean pretty) {
    // Arrays of scalars stay on one line; arrays of objects or arrays get one element per line.
    boolean nested = false;
    for (Object o : l) {
      if (o instanceof Map || o instanceof List) {
        nested = true;
        break;
      }
    }
    sb.append('[');
    for (int i = 0; i < l.size(); i++) {
      if (i > 0) {
        sb.append(',');
        if (pretty && !nested) {
          sb.append(' ');
        }
      }
      if (nested) {
        newline(sb, indent + 1, pretty);
      }
      write(sb, l.get(i), indent + 1, pretty);
    }
    if (nested && !l.isEmpty()) {
      newline(sb, indent, pretty);
    }
    sb.append(']');
  }

  private static String trimExponent(String t) {
    // Java prints 1.0E-4; JSON accepts it, but lower-case e reads better and parsers everywhere accept it.
    return t.replace('E', 'e');
  }

  private static void quote(StringBuilder sb, String s) {
    sb.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> sb.append("\\\"");
        case '\\' -> sb.append("\\\\");
        case '\n' -> sb.append("\\n");
        case '\r' -> sb.append("\\r");
        case '\t' -> sb.append("\\t");
        case '\b' -> sb.append("\\b");
        case '\f' -> sb.append("\\f");
        default -> {
          if (c < 0x20) {
            sb.append(String.format("\\u%04x", (int) c));
          } else {
            sb.append(c);
          }
        }
      }
    }
    sb.append('"');
  }
}

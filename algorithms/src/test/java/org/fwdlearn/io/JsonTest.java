package org.fwdlearn.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonTest {
  @Test
  void parsesEveryType() {
    Map<String, Object> m =
        Json.parseObject("{\"a\": 1, \"b\": -2.5e-3, \"c\": \"x\\n\\u00e9\", \"d\": [true, false, null], \"e\": {}}");
    assertEquals(1L, m.get("a"));
    assertEquals(-2.5e-3, m.get("b"));
    assertEquals("x\né", m.get("c"));
    assertEquals(java.util.Arrays.asList(true, false, null), m.get("d"));
    assertEquals(Map.of(), m.get("e"));
    assertEquals(List.of("a", "b", "c", "d", "e"), List.copyOf(m.keySet()));
  }

  @Test
  void rejectsWhatRfc8259Rejects() {
    for (String bad :
        List.of("{\"a\": 1,}", "[1, 2,]", "{\"a\": 1} x", "{'a': 1}", "{\"a\": 01}", "{\"a\": NaN}", "{\"a\": 1.}",
            "// c\n{}", "{\"a\" 1}", "", "{\"a\": \"unterminated}", "{\"a\": tru}", "{\"a\": 1, \"a\": 2}")) {
      assertThrows(Json.JsonException.class, () -> Json.parse(bad), bad);
    }
  }

  @Test
  void errorsNameLineAndColumn() {
    Json.JsonException e = assertThrows(Json.JsonException.class, () -> Json.parse("{\n  \"a\": 1,\n  \"b\": ]\n}"));
    assertTrue(e.getMessage().contains("line 3, column 8"), e.getMessage());
    e = assertThrows(Json.JsonException.class, () -> Json.parse("{\"k\": 1, \"k\": 2}"));
    assertTrue(e.getMessage().contains("duplicate key \"k\""), e.getMessage());
  }

  @Test
  void writesWhatItReads() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("s", "q\"uote\\ \t\u0001");
    m.put("i", 42L);
    m.put("d", 0.1);
    m.put("tiny", 1e-300);
    m.put("list", List.of(1L, 2L));
    m.put("nested", List.of(Map.of("x", true)));
    m.put("null", null);
    for (String text : List.of(Json.write(m), Json.writeCompact(m))) {
      assertEquals(m, Json.parseObject(text), text);
    }
  }

  @Test
  void nonFiniteNumbersBecomeNullAndFloatsKeepTheirShortestForm() {
    assertEquals("[null, null, 1.5]", Json.write(new double[] {Double.NaN, Double.POSITIVE_INFINITY, 1.5}));
    assertEquals("0.1", Json.write(0.1f));
    assertEquals(0.1f, ((Double) Json.parse(Json.write(0.1f))).floatValue());
    assertNull(Json.parse("null"));
  }

  @Test
  void errorsCarryTheirPosition() {
    Json.JsonException e = assertThrows(Json.JsonException.class, () -> Json.parse("{\n  \"a\": 1,\n  \"b\": ]\n}"));
    assertEquals("{\n  \"a\": 1,\n  \"b\": ".length(), e.position());
    assertEquals(-1, new Json.JsonException("x").position());
  }

  @Test
  void recordsWhereTopLevelKeysStart() {
    Map<String, Integer> at = new LinkedHashMap<>();
    String text = "{\"a\": {\"inner\": 1}, \"b\": [{\"c\": 2}]}";
    Json.parseObject(text, at);
    assertEquals(Map.of("a", text.indexOf("\"a\""), "b", text.indexOf("\"b\"")), at);
    assertEquals(3, Json.utf8Offset("\u00e9x", 2)); // é is two bytes
  }

  @Test
  void deepNestingIsAnErrorNotAStackOverflow() {
    String ok = "[".repeat(Json.MAX_NESTING) + "]".repeat(Json.MAX_NESTING);
    assertTrue(Json.parse(ok) instanceof List, "nesting of exactly " + Json.MAX_NESTING + " is allowed");
    String deep = "[".repeat(Json.MAX_NESTING + 1) + "]".repeat(Json.MAX_NESTING + 1);
    Json.JsonException e = assertThrows(Json.JsonException.class, () -> Json.parse(deep));
    assertTrue(e.getMessage().contains("nested deeper than " + Json.MAX_NESTING), e.getMessage());
    assertEquals(Json.MAX_NESTING, e.position());
  }
}

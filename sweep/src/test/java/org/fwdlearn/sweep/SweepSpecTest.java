package org.fwdlearn.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Sweep files: parsing, expansion of axes, ranges and seeds, run names, and the messages of bad files. */
class SweepSpecTest {
  private static SweepSpec parse(String json) {
    return SweepSpec.parse(json, "s.json", "s");
  }

  @Test
  void expandsTheProductOfTheAxesTimesTheSeedsFirstAxisSlowestSeedsInnermost() {
    SweepSpec s = parse("""
        {"name": "grid", "base": {"rule": "pepita", "epochs": 3},
         "axes": {"lr": [0.01, 0.1], "hidden": [[8], [8, 8], []]}, "seeds": 2}""");
    assertEquals("grid", s.name());
    assertEquals(6, s.configurations());
    assertEquals(12, s.size());
    List<SweepRun> runs = s.expand();
    assertEquals(12, runs.size());
    String[] expected = {
      "lr=0.01_hidden=8_seed=1", "lr=0.01_hidden=8_seed=2", "lr=0.01_hidden=8-8_seed=1", "lr=0.01_hidden=8-8_seed=2",
      "lr=0.01_hidden=none_seed=1", "lr=0.01_hidden=none_seed=2", "lr=0.1_hidden=8_seed=1", "lr=0.1_hidden=8_seed=2",
      "lr=0.1_hidden=8-8_seed=1", "lr=0.1_hidden=8-8_seed=2", "lr=0.1_hidden=none_seed=1", "lr=0.1_hidden=none_seed=2"};
    for (int i = 0; i < runs.size(); i++) {
      SweepRun r = runs.get(i);
      assertEquals(i, r.index());
      assertEquals(expected[i], r.name());
      assertEquals(r.name().substring(0, r.name().lastIndexOf("_seed=")), r.group());
      assertEquals(i % 2 + 1, r.seed());
      // Base, then the axes (in file order), then the seed.
      assertEquals(List.of("rule", "epochs", "lr", "hidden", "seed"), List.copyOf(r.settings().keySet()));
      assertEquals("pepita", r.settings().get("rule"));
      assertEquals(3L, r.settings().get("epochs"));
      assertEquals(r.seed(), r.settings().get("seed"));
      assertEquals(r.axisValues().get("lr"), r.settings().get("lr"));
    }
    assertEquals(List.of(8L, 8L), runs.get(2).settings().get("hidden"));
    assertEquals(List.of(), runs.get(4).settings().get("hidden"));
  }

  @Test
  void anAxisOverridesTheBaseAndSeedsMayBeAList() {
    SweepSpec s = parse("{\"base\": {\"lr\": 0.5}, \"axes\": {\"lr\": [0.1]}, \"seeds\": [7, 42]}");
    List<SweepRun> runs = s.expand();
    assertEquals(List.of("lr=0.1_seed=7", "lr=0.1_seed=42"), runs.stream().map(SweepRun::name).toList());
    assertEquals(0.1, runs.get(0).settings().get("lr"));
  }

  @Test
  void withoutSeedsEachConfigurationRunsOnceWithTheBaseSeedOrTheDefault() {
    assertEquals(List.of(42L), parse("{\"axes\": {\"lr\": [0.1]}}").seeds());
    SweepSpec s = parse("{\"base\": {\"seed\": 5}}");
    List<SweepRun> runs = s.expand();
    assertEquals(1, runs.size());
    assertEquals("seed=5", runs.get(0).name());
    assertEquals("base", runs.get(0).group());
    assertEquals(Map.of("seed", 5L), runs.get(0).settings());
  }

  @Test
  void linearAndLogRangesIncludeBothEnds() {
    SweepSpec s = parse("""
        {"axes": {"lr": {"from": 0.1, "to": 0.3, "steps": 3},
                  "f-scale": {"from": 0.001, "to": 0.1, "steps": 3, "log": true},
                  "batch": {"from": 16, "to": 256, "steps": 5, "log": true},
                  "epochs": {"from": 1, "to": 7, "steps": 4},
                  "momentum": {"from": 0, "to": 1, "steps": 3}}}""");
    // Rounded to 12 significant digits: 0.1 + 0.5 * 0.2 is 0.2, not 0.20000000000000001.
    assertEquals(List.of(0.1, 0.2, 0.3), s.axes().get("lr"));
    assertEquals(List.of(0.001, 0.01, 0.1), s.axes().get("f-scale"));
    // Integer ends with whole values give integers, also on a log scale.
    assertEquals(List.of(16L, 32L, 64L, 128L, 256L), s.axes().get("batch"));
    assertEquals(List.of(1L, 3L, 5L, 7L), s.axes().get("epochs"));
    // Not every value is whole: numbers.
    assertEquals(List.of(0.0, 0.5, 1.0), s.axes().get("momentum"));
    assertTrue(s.isLogAxis("f-scale") && !s.isLogAxis("lr"));
    assertEquals(3L * 3 * 5 * 4 * 3, s.size());
  }

  @Test
  void aLogRangeIsGeometric() {
    List<Object> v = parse("{\"axes\": {\"lr\": {\"from\": 1e-4, \"to\": 1, \"steps\": 9, \"log\": true}}}").axes().get("lr");
    assertEquals(9, v.size());
    for (int i = 1; i < v.size(); i++) {
      double ratio = (Double) v.get(i) / (Double) v.get(i - 1);
      // Each value is rounded to 12 significant digits, a relative error of at most 0.5e-11 (a mantissa >= 1), so
      // the ratio of two is off by at most 1e-11 relative, plus the few ulps of exp and log.
      assertEquals(Math.sqrt(10), ratio, Math.sqrt(10) * (1e-11 + 1e-14), "step " + i + " of " + v);
    }
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
    "0.001|0.001", "1.0E-7|1e-7", "2.5|2.5", "100.0|100", "1.5E20|1.5e20", "-0.25|-0.25"})
  void numbersAreShortInNames(double v, String text) {
    assertEquals(text, SweepSpec.valueText(v));
  }

  @Test
  void namesAreFileSafe() {
    assertEquals("a-b-c", SweepSpec.valueText("a/b c"));
    assertEquals("-..", SweepSpec.valueText(".."));
    assertEquals("none", SweepSpec.valueText(null));
    assertEquals("true", SweepSpec.valueText(true));
    assertEquals("1024-512", SweepSpec.valueText(List.of(1024L, 512L)));
  }

  @Test
  void namesThatWouldCollideGetAHashOfTheirValues() {
    // "a b" and "a/b" both read "a-b"; "X" and "x" differ only in case (one directory on some file systems).
    SweepSpec s = parse("{\"axes\": {\"dataset\": [\"a b\", \"a/b\", \"X\", \"x\", \"plain\"]}}");
    List<SweepRun> runs = s.expand();
    Set<String> lower = new HashSet<>();
    for (SweepRun r : runs) {
      assertTrue(lower.add(r.name().toLowerCase(Locale.ROOT)), "duplicate name " + r.name());
    }
    assertTrue(runs.get(0).name().matches("dataset=a-b~[0-9a-f]{8}_seed=42"), runs.get(0).name());
    assertEquals("dataset=plain_seed=42", runs.get(4).name());
    // The names depend only on the values: the same file gives the same names.
    assertEquals(runs.stream().map(SweepRun::name).toList(), s.expand().stream().map(SweepRun::name).toList());
  }

  @Test
  void longNamesAreCutAndHashed() {
    String longValue = "x".repeat(300);
    List<SweepRun> runs = parse("{\"axes\": {\"dataset\": [\"" + longValue + "\", \"" + longValue + "y\"]}}").expand();
    for (SweepRun r : runs) {
      assertTrue(r.group().length() <= SweepSpec.MAX_NAME + 9, r.group());
    }
    assertTrue(!runs.get(0).name().equals(runs.get(1).name()));
  }

  @Test
  void runsAreSerializableWithTheirSettings() throws Exception {
    SweepRun r = parse("{\"axes\": {\"hidden\": [[4, 4]]}, \"base\": {\"rule\": \"bp\"}}").expand().get(0);
    java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
    try (java.io.ObjectOutputStream o = new java.io.ObjectOutputStream(bytes)) {
      o.writeObject(r);
    }
    try (java.io.ObjectInputStream in = new java.io.ObjectInputStream(new java.io.ByteArrayInputStream(bytes.toByteArray()))) {
      assertEquals(r, in.readObject());
    }
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
    "{\"axis\": {}}|s.json: unknown key 'axis'",
    "{\"base\": [1]}|s.json: \"base\" is an array ([1]), expected an object",
    "{\"base\": {\"threads\": 2}}|s.json: \"base\": \"threads\" is set by the engine",
    "{\"axes\": {\"lr\": 0.1}}|s.json: \"axes\": \"lr\" is a number (0.1); an axis is a list",
    "{\"axes\": {\"lr\": []}}|s.json: \"axes\": \"lr\" is an empty list",
    "{\"axes\": {\"lr\": [0.1, 0.1]}}|s.json: \"axes\": \"lr\" lists the same value twice (0.1)",
    "{\"axes\": {\"epochs\": [1, 1.0]}}|s.json: \"axes\": \"epochs\" lists the same value twice (1 and 1.0)",
    "{\"axes\": {\"seed\": [1, 2]}}|s.json: \"axes\": \"seed\": seeds are not an axis",
    "{\"axes\": {\"lr\": {\"from\": 0.1, \"to\": 1}}}|s.json: \"axes\": \"lr\": the range lacks \"steps\"",
    "{\"axes\": {\"lr\": {\"from\": 0.1, \"to\": 1, \"steps\": 1}}}|s.json: \"axes\": \"lr\": \"steps\" is a number (1), expected an integer from 2",
    "{\"axes\": {\"lr\": {\"from\": 0, \"to\": 1, \"steps\": 3, \"log\": true}}}|s.json: \"axes\": \"lr\": a log range needs positive ends, not from 0 to 1",
    "{\"axes\": {\"lr\": {\"from\": \"a\", \"to\": 1, \"steps\": 3}}}|s.json: \"axes\": \"lr\": \"from\" is a string (\"a\"), expected a number",
    "{\"axes\": {\"lr\": {\"from\": 1, \"to\": 2, \"steps\": 3, \"base\": 10}}}|s.json: \"axes\": \"lr\": unknown range key 'base'",
    "{\"seeds\": 0}|s.json: \"seeds\" is 0; a seed count is 1 to 100000",
    "{\"seeds\": [1, 1]}|s.json: \"seeds\" lists seed 1 twice",
    "{\"seeds\": [1, \"2\"]}|s.json: \"seeds\"[1] is a string (\"2\"), expected an integer seed",
    "{\"seeds\": 2, \"base\": {\"seed\": 3}}|s.json: \"base\" has a \"seed\" and the file has \"seeds\"",
    "{\"axes\": {\"lr\": [0.1],}}|s.json: "
  })
  void badFilesAreRefusedNamingTheFileKeyAndValue(String json, String start) {
    SweepFormatException e = assertThrows(SweepFormatException.class, () -> parse(json));
    assertTrue(e.getMessage().startsWith(start), e.getMessage());
  }

  @Test
  void aMissingFileIsNamed() {
    SweepFormatException e = assertThrows(SweepFormatException.class,
        () -> SweepSpec.read(java.nio.file.Path.of("no-such-sweep.json")));
    assertEquals("no-such-sweep.json: no such file", e.getMessage());
  }

  @Test
  void tooManyRunsAreRefusedBeforeExpansion() {
    SweepSpec s = parse("{\"axes\": {\"lr\": {\"from\": 1, \"to\": 2, \"steps\": 1000}, \"momentum\": {\"from\": 0,"
        + " \"to\": 0.9, \"steps\": 1000}}}");
    assertEquals(1_000_000, s.size());
    SweepFormatException e = assertThrows(SweepFormatException.class, s::expand);
    assertTrue(e.getMessage().contains("1000000 runs"), e.getMessage());
  }
}

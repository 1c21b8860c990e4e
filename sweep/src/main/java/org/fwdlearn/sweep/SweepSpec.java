package org.fwdlearn.sweep;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.fwdlearn.io.Json;

/**
 * A sweep file: base settings, axes and seeds, and their expansion into runs.
 *
 * <pre>{@code
 * {
 *   "name": "pepita-lr-fscale",                       optional: a title for the report
 *   "base": {"rule": "pepita", "epochs": 10},         settings every run shares (the keys of train --config)
 *   "axes": {
 *     "lr": [0.01, 0.1],                              a list of values (any JSON value a setting takes)
 *     "f-scale": {"from": 0.01, "to": 0.1, "steps": 3, "log": true},   a range: steps values, ends included
 *     "hidden": [[1024], [1024, 1024]]
 *   },
 *   "seeds": 5                                        seeds 1..5; or a list, e.g. [1, 7, 42]
 * }
 * }</pre>
 *
 * <p>The runs are the Cartesian product of the axes (the first axis varies slowest) times the seeds (innermost),
 * each with the base settings, its axis values (which override the base) and its seed. Without {@code "seeds"},
 * every configuration runs once with the base's {@code "seed"} (or the default seed). A range's values are evenly
 * spaced ({@code "log": true}: evenly on a log scale), rounded to 12 significant digits; when both ends are
 * integers and every value is whole, the values are integers (e.g. batch sizes 16 to 256, log, 5 steps).
 *
 * <p>Each run has a directory name made of its axis values and seed ({@link SweepRun#name()}): short numbers,
 * lists joined with '-', characters other than letters, digits, '.', '+' and '-' replaced by '-'. Where two
 * configurations would get the same name (ignoring case) or a name would be too long, a short hash of the axis
 * values is appended, so names stay unique and depend only on the values.
 */
public final class SweepSpec {
  /** The keys a sweep file may have. */
  public static final List<String> KEYS = List.of("name", "base", "axes", "seeds");

  /** The keys of a range. */
  public static final List<String> RANGE_KEYS = List.of("from", "to", "steps", "log");

  /** The settings a sweep sets itself: the seed (through "seeds") and the thread count (the engine). */
  public static final List<String> RESERVED = List.of("seed", "threads");

  /** The seed of a run whose sweep names none (the train command's default). */
  public static final long DEFAULT_SEED = 42;

  /** The longest configuration name kept as it is; longer ones are cut and get a hash. */
  static final int MAX_NAME = 100;

  private final String where;
  private final String name;
  private final Map<String, Object> base;
  private final Map<String, List<Object>> axes;
  private final Set<String> logAxes;
  private final List<Long> seeds;

  private SweepSpec(String where, String name, Map<String, Object> base, Map<String, List<Object>> axes,
      Set<String> logAxes, List<Long> seeds) {
    this.where = where;
    this.name = name;
    this.base = base;
    this.axes = axes;
    this.logAxes = logAxes;
    this.seeds = seeds;
  }

  /** Reads a sweep file; errors name the file. */
  public static SweepSpec read(Path file) {
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      throw new SweepFormatException(file + ": no such file");
    } catch (IOException e) {
      throw new SweepFormatException(file + ": cannot read it (" + e.getMessage() + ")");
    }
    String fallback = file.getFileName().toString().replaceFirst("\\.json$", "");
    return parse(text, file.toString(), fallback);
  }

  /**
   * Parses the text of a sweep file.
   *
   * @param where the file's name, for messages
   * @param defaultName the sweep's name when the file has no "name"
   * @throws SweepFormatException naming {@code where}, the key and the value at fault
   */
  @SuppressWarnings("unchecked")
  public static SweepSpec parse(String text, String where, String defaultName) {
    Map<String, Object> m;
    try {
      m = Json.parseObject(text);
    } catch (Json.JsonException e) {
      throw new SweepFormatException(where + ": " + e.getMessage());
    }
    for (String k : m.keySet()) {
      if (!KEYS.contains(k)) {
        throw new SweepFormatException(where + ": unknown key '" + k + "'; allowed keys: " + String.join(", ", KEYS)
            + (k.equals("axis") || k.equals("grid") ? " (the swept settings go under \"axes\")" : ""));
      }
    }
    String name = defaultName;
    if (m.containsKey("name")) {
      if (!(m.get("name") instanceof String s) || s.isBlank()) {
        throw new SweepFormatException(where + ": \"name\" is " + describe(m.get("name")) + ", expected a non-empty string");
      }
      name = s;
    }
    Map<String, Object> base = new LinkedHashMap<>();
    if (m.containsKey("base")) {
      if (!(m.get("base") instanceof Map<?, ?> b)) {
        throw new SweepFormatException(where + ": \"base\" is " + describe(m.get("base"))
            + ", expected an object of settings, e.g. {\"rule\": \"pepita\", \"epochs\": 10}");
      }
      base.putAll((Map<String, Object>) b);
    }
    if (base.containsKey("threads")) {
      throw new SweepFormatException(where + ": \"base\": \"threads\" is set by the engine (--parallel for the local"
          + " engine, spark.task.cpus for Spark); remove it");
    }

    Map<String, List<Object>> axes = new LinkedHashMap<>();
    Set<String> logAxes = new HashSet<>();
    if (m.containsKey("axes")) {
      if (!(m.get("axes") instanceof Map<?, ?> a)) {
        throw new SweepFormatException(where + ": \"axes\" is " + describe(m.get("axes"))
            + ", expected an object whose keys are settings and whose values are lists or ranges,"
            + " e.g. {\"lr\": [0.01, 0.1]}");
      }
      for (Map.Entry<String, Object> e : ((Map<String, Object>) a).entrySet()) {
        String key = e.getKey();
        String at = where + ": \"axes\": \"" + key + "\"";
        if (key.equals("seed")) {
          throw new SweepFormatException(at + ": seeds are not an axis; use the top-level \"seeds\": N or [s1, s2, ...]");
        }
        if (key.equals("threads")) {
          throw new SweepFormatException(at + ": the thread count is set by the engine, not swept");
        }
        List<Object> values;
        if (e.getValue() instanceof List<?> l) {
          values = new ArrayList<>(l);
          if (values.isEmpty()) {
            throw new SweepFormatException(at + " is an empty list; give at least one value");
          }
          for (Object v : values) {
            if (v instanceof Map) {
              throw new SweepFormatException(at + " lists an object (" + Json.writeCompact(v) + "); an axis lists"
                  + " setting values (numbers, strings, booleans, arrays), or is one range {\"from\", \"to\", \"steps\"}");
            }
          }
        } else if (e.getValue() instanceof Map<?, ?> r) {
          values = range((Map<String, Object>) r, at);
          if (Boolean.TRUE.equals(r.get("log"))) {
            logAxes.add(key);
          }
        } else {
          throw new SweepFormatException(at + " is " + describe(e.getValue()) + "; an axis is a list of values,"
              + " e.g. [0.01, 0.1], or a range, e.g. {\"from\": 0.01, \"to\": 0.1, \"steps\": 3, \"log\": true}");
        }
        Map<String, Object> seen = new HashMap<>();
        for (Object v : values) {
          Object before = seen.put(v instanceof Number num ? "number " + num.doubleValue() : Json.writeCompact(v), v);
          if (before != null) {
            throw new SweepFormatException(at + " lists the same value twice (" + Json.writeCompact(before)
                + (Json.writeCompact(before).equals(Json.writeCompact(v)) ? "" : " and " + Json.writeCompact(v))
                + ")");
          }
        }
        axes.put(key, Collections.unmodifiableList(values));
      }
    }

    List<Long> seeds;
    if (m.containsKey("seeds")) {
      if (base.containsKey("seed")) {
        throw new SweepFormatException(where + ": \"base\" has a \"seed\" and the file has \"seeds\"; keep one"
            + " (\"seeds\": N runs seeds 1..N)");
      }
      seeds = seeds(m.get("seeds"), where);
    } else if (base.containsKey("seed")) {
      if (!(base.get("seed") instanceof Long s)) {
        throw new SweepFormatException(where + ": \"base\": \"seed\" is " + describe(base.get("seed"))
            + ", expected an integer");
      }
      seeds = List.of(s);
    } else {
      seeds = List.of(DEFAULT_SEED);
    }
    base.remove("seed");
    return new SweepSpec(where, name, Collections.unmodifiableMap(base), Collections.unmodifiableMap(axes),
        Collections.unmodifiableSet(logAxes), seeds);
  }

  private static List<Long> seeds(Object v, String where) {
    String at = where + ": \"seeds\"";
    if (v instanceof Long n) {
      if (n < 1 || n > 100_000) {
        throw new SweepFormatException(at + " is " + n + "; a seed count is 1 to 100000 (or give a list of seeds)");
      }
      List<Long> l = new ArrayList<>();
      for (long s = 1; s <= n; s++) {
        l.add(s);
      }
      return List.copyOf(l);
    }
    if (v instanceof List<?> list) {
      if (list.isEmpty()) {
        throw new SweepFormatException(at + " is an empty list; give at least one seed");
      }
      List<Long> l = new ArrayList<>();
      for (int i = 0; i < list.size(); i++) {
        if (!(list.get(i) instanceof Long s)) {
          throw new SweepFormatException(at + "[" + i + "] is " + describe(list.get(i)) + ", expected an integer seed");
        }
        if (l.contains(s)) {
          throw new SweepFormatException(at + " lists seed " + s + " twice");
        }
        l.add(s);
      }
      return List.copyOf(l);
    }
    throw new SweepFormatException(at + " is " + describe(v) + ", expected a seed count N (seeds 1..N) or a list of"
        + " integer seeds");
  }

  /** The values of a range {"from", "to", "steps", "log"}. */
  static List<Object> range(Map<String, Object> r, String at) {
    for (String k : r.keySet()) {
      if (!RANGE_KEYS.contains(k)) {
        throw new SweepFormatException(at + ": unknown range key '" + k + "'; a range has " + String.join(", ", RANGE_KEYS));
      }
    }
    for (String k : List.of("from", "to", "steps")) {
      if (!r.containsKey(k)) {
        throw new SweepFormatException(at + ": the range lacks \"" + k + "\"; a range is {\"from\": a, \"to\": b,"
            + " \"steps\": n} with an optional \"log\": true");
      }
    }
    if (!(r.get("from") instanceof Number fromN) || !Double.isFinite(fromN.doubleValue())) {
      throw new SweepFormatException(at + ": \"from\" is " + describe(r.get("from")) + ", expected a number");
    }
    if (!(r.get("to") instanceof Number toN) || !Double.isFinite(toN.doubleValue())) {
      throw new SweepFormatException(at + ": \"to\" is " + describe(r.get("to")) + ", expected a number");
    }
    if (!(r.get("steps") instanceof Long steps) || steps < 2 || steps > 10_000) {
      throw new SweepFormatException(at + ": \"steps\" is " + describe(r.get("steps"))
          + ", expected an integer from 2 to 10000 (the number of values, both ends included)");
    }
    boolean log = false;
    if (r.containsKey("log")) {
      if (!(r.get("log") instanceof Boolean b)) {
        throw new SweepFormatException(at + ": \"log\" is " + describe(r.get("log")) + ", expected true or false");
      }
      log = b;
    }
    double from = fromN.doubleValue();
    double to = toN.doubleValue();
    if (from == to) {
      throw new SweepFormatException(at + ": \"from\" and \"to\" are both " + valueText(fromN) + "; a range needs two"
          + " different ends (a single value is the list [" + valueText(fromN) + "])");
    }
    if (log && (from <= 0 || to <= 0)) {
      throw new SweepFormatException(at + ": a log range needs positive ends, not from " + valueText(fromN) + " to "
          + valueText(toN));
    }
    int n = (int) (long) steps;
    double[] v = new double[n];
    for (int i = 0; i < n; i++) {
      double t = (double) i / (n - 1);
      double x = log ? Math.exp(Math.log(from) + t * (Math.log(to) - Math.log(from))) : from + t * (to - from);
      v[i] = i == 0 ? from : i == n - 1 ? to : round12(x);
    }
    boolean integers = fromN instanceof Long && toN instanceof Long;
    for (double x : v) {
      integers &= x == Math.rint(x) && Math.abs(x) < 1e15;
    }
    List<Object> values = new ArrayList<>(n);
    for (double x : v) {
      values.add(integers ? (Object) (long) x : (Object) x);
    }
    return values;
  }

  /** Rounds to 12 significant digits (0.30000000000000004 to 0.3, 15.999999999999996 to 16). */
  static double round12(double x) {
    return x == 0 ? 0 : new BigDecimal(x).round(new java.math.MathContext(12)).doubleValue();
  }

  private static String describe(Object v) {
    return v == null ? "null" : Json.typeName(v) + " (" + Json.writeCompact(v) + ")";
  }

  // ---------------------------------------------------------------- accessors

  /** The file the sweep came from (for messages). */
  public String where() {
    return where;
  }

  /** The sweep's name: the file's "name", else the file name without ".json". */
  public String name() {
    return name;
  }

  /** The settings every run shares (without "seed"). */
  public Map<String, Object> base() {
    return base;
  }

  /** The axes in file order, each with its values. */
  public Map<String, List<Object>> axes() {
    return axes;
  }

  /** Whether an axis is a log range (for plots). */
  public boolean isLogAxis(String key) {
    return logAxes.contains(key);
  }

  /** The seeds of every configuration. */
  public List<Long> seeds() {
    return seeds;
  }

  /** The number of configurations (the product of the axis sizes). */
  public long configurations() {
    long n = 1;
    for (List<Object> v : axes.values()) {
      n *= v.size();
    }
    return n;
  }

  /** The number of runs: configurations times seeds. */
  public long size() {
    return configurations() * seeds.size();
  }

  /** The largest sweep {@link #expand()} builds. */
  public static final int MAX_RUNS = 100_000;

  // ---------------------------------------------------------------- expansion

  /** The runs: every configuration (first axis slowest) times every seed (innermost). */
  public List<SweepRun> expand() {
    if (size() > MAX_RUNS) {
      throw new SweepFormatException(where + ": the sweep has " + size() + " runs (" + configurations()
          + " configurations x " + seeds.size() + " seeds); at most " + MAX_RUNS + " are allowed");
    }
    List<String> keys = List.copyOf(axes.keySet());
    List<Map<String, Object>> configs = new ArrayList<>();
    product(keys, 0, new LinkedHashMap<>(), configs);
    List<String> groups = groupNames(configs);
    List<SweepRun> runs = new ArrayList<>();
    for (int c = 0; c < configs.size(); c++) {
      for (long seed : seeds) {
        Map<String, Object> settings = new LinkedHashMap<>(base);
        settings.putAll(configs.get(c));
        settings.put("seed", seed);
        String group = groups.get(c);
        String runName = (group.isEmpty() ? "" : group + "_") + "seed=" + seed;
        runs.add(new SweepRun(runs.size(), runName, group.isEmpty() ? "base" : group, configs.get(c), seed, settings));
      }
    }
    return List.copyOf(runs);
  }

  private void product(List<String> keys, int k, Map<String, Object> current, List<Map<String, Object>> out) {
    if (k == keys.size()) {
      out.add(new LinkedHashMap<>(current));
      return;
    }
    for (Object v : axes.get(keys.get(k))) {
      current.put(keys.get(k), v);
      product(keys, k + 1, current, out);
    }
    current.remove(keys.get(k));
  }

  /** The readable name of each configuration, made unique (ignoring case) and short with a hash where needed. */
  static List<String> groupNames(List<Map<String, Object>> configs) {
    List<String> names = new ArrayList<>();
    Map<String, Integer> count = new HashMap<>();
    for (Map<String, Object> c : configs) {
      StringBuilder sb = new StringBuilder();
      for (Map.Entry<String, Object> e : c.entrySet()) {
        sb.append(sb.isEmpty() ? "" : "_").append(clean(e.getKey())).append('=').append(valueText(e.getValue()));
      }
      String n = sb.toString();
      names.add(n);
      count.merge(n.toLowerCase(Locale.ROOT), 1, Integer::sum);
    }
    for (int i = 0; i < names.size(); i++) {
      String n = names.get(i);
      if (count.get(n.toLowerCase(Locale.ROOT)) > 1 || n.length() > MAX_NAME) {
        String cut = n.length() > MAX_NAME ? n.substring(0, MAX_NAME) : n;
        names.set(i, cut + "~" + hash(Json.writeCompact(configs.get(i))));
      }
    }
    return names;
  }

  private static String hash(String text) {
    try {
      byte[] d = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(d, 0, 4);
    } catch (NoSuchAlgorithmException e) {
      throw new AssertionError(e);
    }
  }

  /**
   * A value as it appears in a run name: integers as they are, other numbers short (0.001, 1e-07), lists joined
   * with '-', null and [] as "none", text with unsafe characters replaced by '-'.
   */
  public static String valueText(Object v) {
    if (v == null) {
      return "none";
    } else if (v instanceof Long || v instanceof Integer) {
      return v.toString();
    } else if (v instanceof Number n) {
      double d = n.doubleValue();
      if (d == Math.rint(d) && Math.abs(d) < 1e15) {
        return Long.toString((long) d);
      }
      return BigDecimal.valueOf(d).stripTrailingZeros().toString().replace("E+", "e").replace('E', 'e');
    } else if (v instanceof List<?> l) {
      if (l.isEmpty()) {
        return "none";
      }
      StringBuilder sb = new StringBuilder();
      for (Object x : l) {
        sb.append(sb.isEmpty() ? "" : "-").append(valueText(x));
      }
      return sb.toString();
    }
    return clean(String.valueOf(v));
  }

  private static String clean(String s) {
    String c = s.replaceAll("[^A-Za-z0-9.+-]", "-");
    return c.isEmpty() || c.chars().allMatch(ch -> ch == '.') ? "-" + c : c;
  }
}

package org.fwdlearn.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import org.fwdlearn.io.Json;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code fwdlearn bench}: runs the JMH benchmarks of the {@code bench} module as a subprocess
 * ({@code java --add-modules=jdk.incubator.vector -jar bench/target/benchmarks.jar ... -rf json}), then prints a
 * table of the scores with the speed-up over EJML (and OpenBLAS where a benchmark has it). The cli does not
 * depend on JMH: it reads JMH's JSON result file.
 */
@Command(
    name = "bench",
    mixinStandardHelpOptions = true,
    description = {
      "Run the JMH benchmarks (bench/target/benchmarks.jar, built by: mvn -pl bench -am package -DskipTests)",
      "and print a table of the results with the speed-up over EJML (and OpenBLAS where present)."
    },
    footer = {
      "",
      "Examples:",
      "  fwdlearn bench gemm --quick              GEMM benchmarks, short runs",
      "  fwdlearn bench elementwise -p rows=64    one parameter value",
      "  fwdlearn bench --results old.json        only print the table of an earlier JMH JSON file",
      "  fwdlearn bench gemm -- -prof gc          pass arguments to JMH after --"
    })
public final class BenchCommand implements Callable<Integer> {
  /** Shorthands for JMH include patterns. */
  static final Map<String, String> SHORTHANDS = shorthands();

  private static Map<String, String> shorthands() {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("gemm", "GemmBench");
    m.put("elementwise", "ElementwiseBench");
    m.put("train", "Train.*Bench");
    m.put("all", ".*");
    return m;
  }

  @Spec CommandSpec spec;

  @Parameters(
      paramLabel = "<target>",
      arity = "0..*",
      description = {
        "What to run: gemm, elementwise, train, all, or a JMH include pattern (a regular expression).",
        "Default: all. Arguments after -- go to JMH unchanged."
      })
  List<String> targets = new ArrayList<>();

  @Option(names = "--quick", description = "Short runs: 1 fork, 2 x 1 s warm-up, 3 x 1 s measurement.")
  boolean quick;

  @Option(names = {"-p", "--param"}, paramLabel = "<name=v1,v2>", description = "A benchmark parameter's values (JMH -p).")
  List<String> params = new ArrayList<>();

  @Option(names = "--jar", paramLabel = "<file>", description = "The JMH jar. Default: bench/target/benchmarks.jar of the fwdlearn checkout.")
  Path jar;

  @Option(names = "--results", paramLabel = "<file.json>", description = "Do not run: print the table of this JMH JSON result file.")
  Path results;

  @Option(names = "--save", paramLabel = "<file.json>", description = "Keep JMH's JSON result file here.")
  Path save;

  @Override
  public Integer call() throws IOException, InterruptedException {
    PrintWriter out = spec.commandLine().getOut();
    // Picocli consumes "--"; what follows it in the original arguments goes to JMH unchanged.
    List<String> original = spec.commandLine().getParseResult().originalArgs();
    int dashes = original.indexOf("--");
    List<String> passThrough = dashes < 0 ? List.of() : original.subList(dashes + 1, original.size());
    List<String> patterns = new ArrayList<>();
    for (String t : targets.subList(0, targets.size() - Math.min(passThrough.size(), targets.size()))) {
      patterns.add(pattern(t));
    }
    for (String p : params) {
      if (!p.matches("[A-Za-z_][A-Za-z0-9_]*=.+")) {
        throw new UsageException("Invalid value for --param: '" + p + "' (expected name=value1,value2)");
      }
    }
    if (results != null) {
      if (!Files.isRegularFile(results)) {
        throw new UsageException("--results: no such file " + results);
      }
      out.print(table(Files.readString(results)));
      out.flush();
      return 0;
    }
    Path j = jar != null ? jar : home().resolve("bench/target/benchmarks.jar");
    if (!Files.isRegularFile(j)) {
      throw new Main.Failure(
          "the benchmark jar " + j + " does not exist; build it with: " + BUILD);
    }
    PrintWriter err = spec.commandLine().getErr();
    if (jar == null && newerSource(home().resolve("bench/src"), Files.getLastModifiedTime(j).toMillis())) {
      err.println("fwdlearn bench: warning: " + j + " is older than bench/src; rebuild it with: " + BUILD);
    }
    boolean informational = passThrough.stream().anyMatch(a -> List.of("-l", "-lp", "-lprof", "-h").contains(a));
    if (informational) {
      // JMH lists or explains; there is no result to tabulate.
      List<String> cmd = new ArrayList<>(javaJar(j));
      cmd.addAll(passThrough);
      return new ProcessBuilder(cmd).inheritIO().start().waitFor();
    }
    Path json = save != null ? save.toAbsolutePath() : Files.createTempFile("fwdlearn-jmh-", ".json");
    List<String> cmd = new ArrayList<>(javaJar(j));
    cmd.addAll(patterns.isEmpty() ? List.of(".*") : patterns);
    if (quick) {
      cmd.addAll(List.of("-f", "1", "-wi", "2", "-w", "1s", "-i", "3", "-r", "1s"));
    }
    for (String p : params) {
      cmd.add("-p");
      cmd.add(p);
    }
    cmd.addAll(passThrough);
    cmd.addAll(List.of("-rf", "json", "-rff", json.toString()));
    err.println("running: " + String.join(" ", cmd));
    err.flush();
    Process proc = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    // JMH's own report goes to stderr, so that stdout holds only the table.
    try (BufferedReader r = new BufferedReader(new InputStreamReader(proc.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = r.readLine()) != null) {
        err.println(line);
        err.flush();
      }
    }
    int rc = proc.waitFor();
    try {
      if (rc != 0) {
        throw new Main.Failure("JMH exited with code " + rc + " (if it found no benchmark list, rebuild the jar: " + BUILD + ")");
      }
      if (!Files.isRegularFile(json) || Files.size(json) == 0) {
        throw new Main.Failure("JMH wrote no results (did the pattern match no benchmark? list them with: -- -l)");
      }
      out.print(table(Files.readString(json)));
      out.flush();
    } finally {
      if (save == null) {
        Files.deleteIfExists(json);
      }
    }
    return 0;
  }

  static final String BUILD = "mvn -B -pl bench -am package -DskipTests";

  private static List<String> javaJar(Path jar) {
    return List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "--add-modules=jdk.incubator.vector",
        "-jar", jar.toString());
  }

  /** True if a file under {@code dir} was modified after {@code millis}. */
  private static boolean newerSource(Path dir, long millis) throws IOException {
    if (!Files.isDirectory(dir)) {
      return false;
    }
    try (var files = Files.walk(dir)) {
      return files.anyMatch(p -> {
        try {
          return Files.isRegularFile(p) && Files.getLastModifiedTime(p).toMillis() > millis;
        } catch (IOException e) {
          return false;
        }
      });
    }
  }

  static String pattern(String target) {
    String t = target.toLowerCase(Locale.ROOT);
    return SHORTHANDS.getOrDefault(t, target);
  }

  /** The fwdlearn checkout: the launcher passes it as -Dfwdlearn.home; else the working directory. */
  static Path home() {
    String h = System.getProperty("fwdlearn.home");
    return h != null && !h.isBlank() ? Path.of(h) : Path.of("").toAbsolutePath();
  }

  private static final Pattern EJML = Pattern.compile("(?i).*ejml.*");
  private static final Pattern OPENBLAS = Pattern.compile("(?i).*(openblas|netlib|blas).*");
  private static final Pattern SCALAR = Pattern.compile("(?i)scalar");

  /**
   * The table of a JMH JSON result: one row per benchmark and parameter set, with the speed-up over each
   * reference implementation present (EJML, OpenBLAS, the scalar reference) on the same benchmark and other
   * parameters. The implementation is a parameter (one with an "ejml" value, or one named like "impl") or, when
   * no parameter is, the benchmark method (e.g. {@code GemmBench.fwdlearn} vs {@code GemmBench.ejml}). Speed-up =
   * reference time / time (or throughput / reference throughput): above 1 means faster than the reference. A
   * secondary score named "gflops" gets its own column.
   */
  @SuppressWarnings("unchecked")
  static String table(String jmhJson) {
    Object parsed = Json.parse(jmhJson);
    if (!(parsed instanceof List<?> list)) {
      throw new Main.Failure("not a JMH JSON result (expected an array)");
    }
    record Raw(String cls, String method, String mode, Map<String, String> params, double score, double error,
        String unit, double gflops) {}
    List<Raw> raws = new ArrayList<>();
    for (Object o : list) {
      Map<String, Object> e = (Map<String, Object>) o;
      String[] parts = String.valueOf(e.get("benchmark")).split("\\.");
      String method = parts[parts.length - 1];
      String cls = parts.length >= 2 ? parts[parts.length - 2] : "";
      Map<String, String> p = new TreeMap<>();
      if (e.get("params") instanceof Map<?, ?> pm) {
        pm.forEach((k, v) -> p.put(String.valueOf(k), String.valueOf(v)));
      }
      Map<String, Object> metric = (Map<String, Object>) e.get("primaryMetric");
      double gflops = Double.NaN;
      if (e.get("secondaryMetrics") instanceof Map<?, ?> sm && sm.get("gflops") instanceof Map<?, ?> g) {
        gflops = num(g.get("score"));
      }
      raws.add(new Raw(cls, method, String.valueOf(e.get("mode")), p, num(metric.get("score")),
          num(metric.get("scoreError")), String.valueOf(metric.get("scoreUnit")), gflops));
    }
    // The implementation: a parameter with an EJML value, else one named like "impl", else the method name.
    String implKey = null;
    for (Raw r : raws) {
      for (Map.Entry<String, String> e : r.params().entrySet()) {
        if (EJML.matcher(e.getValue()).matches()) {
          implKey = e.getKey();
        }
      }
    }
    if (implKey == null) {
      for (Raw r : raws) {
        for (String k : r.params().keySet()) {
          if (k.matches("(?i)impl|implementation|backend|provider|kernel")) {
            implKey = k;
          }
        }
      }
    }
    boolean byMethod = implKey == null && raws.stream().anyMatch(r -> refIndex(r.method()) >= 0);
    record Row(String group, String impl, String mode, Map<String, String> others, double score, double error,
        String unit, double gflops) {}
    List<Row> rows = new ArrayList<>();
    for (Raw r : raws) {
      Map<String, String> others = new TreeMap<>(r.params());
      String impl = "";
      String group = r.cls() + "." + r.method();
      if (implKey != null && others.containsKey(implKey)) {
        impl = others.remove(implKey);
      } else if (byMethod) {
        impl = r.method();
        group = r.cls();
      }
      rows.add(new Row(group, impl, r.mode(), others, r.score(), r.error(), r.unit(), r.gflops()));
    }
    List<String> refNames = List.of("EJML", "OpenBLAS", "scalar");
    boolean[] present = new boolean[refNames.size()];
    boolean anyGflops = rows.stream().anyMatch(r -> Double.isFinite(r.gflops()));
    List<String[]> cells = new ArrayList<>();
    for (Row r : rows) {
      String[] vs = new String[refNames.size()];
      java.util.Arrays.fill(vs, "");
      for (Row o : rows) {
        int k = refIndex(o.impl());
        if (k >= 0 && o.group().equals(r.group()) && o.mode().equals(r.mode()) && o.others().equals(r.others())) {
          double speedup = r.mode().equals("thrpt") ? r.score() / o.score() : o.score() / r.score();
          vs[k] = String.format(Locale.ROOT, "%.2fx", speedup);
          present[k] = true;
        }
      }
      String ps = r.others().entrySet().stream().map(e -> e.getKey() + "=" + e.getValue())
          .reduce((x, y) -> x + " " + y).orElse("");
      List<String> row = new ArrayList<>(List.of(r.group(), ps, r.impl(), fmt(r.score()),
          Double.isFinite(r.error()) ? "± " + fmt(r.error()) : "", r.unit(),
          Double.isFinite(r.gflops()) ? fmt(r.gflops()) : ""));
      row.addAll(List.of(vs));
      cells.add(row.toArray(String[]::new));
    }
    List<String> header = new ArrayList<>(List.of("benchmark", "params",
        implKey != null ? implKey : byMethod ? "impl" : "", "score", "error", "unit", "GFLOP/s"));
    refNames.forEach(n -> header.add("vs " + n));
    cells.add(0, header.toArray(String[]::new));
    int[] w = new int[header.size()];
    for (String[] c : cells) {
      for (int i = 0; i < c.length; i++) {
        w[i] = Math.max(w[i], c[i].length());
      }
    }
    StringBuilder sb = new StringBuilder();
    for (String[] c : cells) {
      StringBuilder line = new StringBuilder();
      for (int i = 0; i < c.length; i++) {
        if (w[i] == 0 || (i == 6 && !anyGflops) || (i >= 7 && !present[i - 7])) {
          continue;
        }
        boolean right = i >= 3 && i != 5;
        line.append(right ? String.format("%" + w[i] + "s", c[i]) : String.format("%-" + w[i] + "s", c[i]));
        line.append("  ");
      }
      sb.append(line.toString().stripTrailing()).append('\n');
    }
    List<String> shown = new ArrayList<>();
    for (int k = 0; k < refNames.size(); k++) {
      if (present[k]) {
        shown.add("vs " + refNames.get(k));
      }
    }
    if (!shown.isEmpty()) {
      sb.append(String.join(", ", shown)).append(": speed-up over that implementation on the same benchmark and"
          + " parameters (above 1 = faster).\n");
    }
    return sb.toString();
  }

  /** Which reference an implementation name is: 0 EJML, 1 OpenBLAS, 2 scalar, -1 none. */
  private static int refIndex(String impl) {
    if (EJML.matcher(impl).matches()) {
      return 0;
    } else if (OPENBLAS.matcher(impl).matches()) {
      return 1;
    } else if (SCALAR.matcher(impl).matches()) {
      return 2;
    }
    return -1;
  }

  private static double num(Object o) {
    return o instanceof Number n ? n.doubleValue() : Double.NaN;
  }

  private static String fmt(double v) {
    if (!Double.isFinite(v)) {
      return "NaN";
    }
    double a = Math.abs(v);
    if (a >= 1000) {
      return String.format(Locale.ROOT, "%,.0f", v);
    } else if (a >= 10) {
      return String.format(Locale.ROOT, "%.1f", v);
    }
    return String.format(Locale.ROOT, "%.3g", v);
  }
}

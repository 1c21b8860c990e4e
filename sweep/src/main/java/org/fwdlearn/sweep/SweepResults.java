package org.fwdlearn.sweep;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.fwdlearn.io.Json;

/**
 * The reports of a sweep, rewritten at the end of every session from the outcome of every run (finished now,
 * finished before, or failed), so each run has exactly one row:
 *
 * <ul>
 *   <li>{@code sweep.csv}: one row per run: index, name, configuration, each axis value, seed, status, final and
 *       best test accuracy, best epoch, epochs, training seconds (summed over the epochs), wall seconds (over its
 *       attempts, data loading included), attempts, host, error;
 *   <li>{@code summary.csv}: one row per configuration: its axis values, runs, finished, failed, mean and sample
 *       standard deviation (n - 1) over its seeds of the final and of the best test accuracy, mean training and
 *       wall seconds;
 *   <li>{@code sweep.json}: the sweep (name, file, engine, axes, seeds, this session's wall time) with both tables
 *       as arrays of objects.
 * </ul>
 *
 * In the CSV files numbers are plain ({@code 0.9731}), text is quoted where it holds a comma or a quote, axis
 * values that are lists are written as in the run names ({@code 1024-1024}), and a missing number is empty.
 */
public final class SweepResults {
  private SweepResults() {}

  /** One configuration's summary over its seeds. */
  public record Summary(String group, Map<String, Object> axisValues, int runs, int finished, int failed,
      double meanTestAccuracy, double stdTestAccuracy, double meanBestTestAccuracy, double stdBestTestAccuracy,
      double meanTrainSeconds, double meanWallSeconds) {}

  /** The summary of every configuration, in expansion order. */
  public static List<Summary> summarize(Sweep.Report report) {
    Map<String, List<Integer>> groups = new LinkedHashMap<>();
    for (SweepRun r : report.runs()) {
      groups.computeIfAbsent(r.group(), k -> new ArrayList<>()).add(r.index());
    }
    List<Summary> out = new ArrayList<>();
    for (Map.Entry<String, List<Integer>> g : groups.entrySet()) {
      List<RunOutcome> ok = new ArrayList<>();
      for (int i : g.getValue()) {
        if (report.outcomes().get(i).succeeded()) {
          ok.add(report.outcomes().get(i));
        }
      }
      double[] acc = ok.stream().mapToDouble(o -> o.result().testAccuracy()).toArray();
      double[] best = ok.stream().mapToDouble(o -> o.result().bestTestAccuracy()).toArray();
      double[] a = Sweep.meanStd(acc);
      double[] b = Sweep.meanStd(best);
      double train = Sweep.meanStd(ok.stream().mapToDouble(o -> o.result().trainSeconds()).toArray())[0];
      double wall = Sweep.meanStd(ok.stream().mapToDouble(RunOutcome::wallSeconds).toArray())[0];
      SweepRun first = report.runs().get(g.getValue().get(0));
      out.add(new Summary(g.getKey(), first.axisValues(), g.getValue().size(), ok.size(), g.getValue().size() - ok.size(),
          a[0], a[1], b[0], b[1], train, wall));
    }
    return out;
  }

  /** Writes sweep.csv, summary.csv and sweep.json into the sweep directory. */
  public static void write(SweepDirectory dir, Sweep.Report report) throws IOException {
    List<String> axes = List.copyOf(report.spec().axes().keySet());
    List<Map<String, Object>> rows = rows(report);
    List<Summary> summary = summarize(report);

    List<String> cols = new ArrayList<>(List.of("index", "name", "configuration"));
    cols.addAll(axes);
    cols.addAll(List.of("seed", "status", "test_accuracy", "best_test_accuracy", "best_epoch", "epochs",
        "train_seconds", "wall_seconds", "attempts", "host", "error"));
    StringBuilder csv = new StringBuilder(csvLine(cols));
    for (Map<String, Object> row : rows) {
      List<String> v = new ArrayList<>();
      for (String c : cols) {
        v.add(cell(c.equals("index") || c.equals("name") || c.equals("configuration") || !axes.contains(c)
            ? row.get(c) : ((Map<?, ?>) row.get("axes")).get(c)));
      }
      csv.append(csvLine(v));
    }
    dir.writeString("sweep.csv", csv.toString());

    List<String> scols = new ArrayList<>(List.of("configuration"));
    scols.addAll(axes);
    scols.addAll(List.of("runs", "finished", "failed", "mean_test_accuracy", "std_test_accuracy",
        "mean_best_test_accuracy", "std_best_test_accuracy", "mean_train_seconds", "mean_wall_seconds"));
    StringBuilder scsv = new StringBuilder(csvLine(scols));
    List<Object> sjson = new ArrayList<>();
    for (Summary s : summary) {
      List<String> v = new ArrayList<>();
      v.add(cell(s.group()));
      for (String a : axes) {
        v.add(cell(s.axisValues().get(a)));
      }
      for (double x : new double[] {s.runs(), s.finished(), s.failed()}) {
        v.add(Long.toString((long) x));
      }
      for (double x : new double[] {s.meanTestAccuracy(), s.stdTestAccuracy(), s.meanBestTestAccuracy(),
          s.stdBestTestAccuracy(), s.meanTrainSeconds(), s.meanWallSeconds()}) {
        v.add(cell(x));
      }
      scsv.append(csvLine(v));
      sjson.add(summaryJson(s));
    }
    dir.writeString("summary.csv", scsv.toString());

    Map<String, Object> m = new LinkedHashMap<>();
    Map<String, Object> sweep = new LinkedHashMap<>(Sweep.fileJson(report.spec()));
    sweep.put("engine", report.engine());
    sweep.put("engine_description", report.engineDescription());
    sweep.put("session_wall_seconds", report.wallSeconds());
    sweep.put("finished", report.count(RunOutcome.Status.FINISHED) + report.count(RunOutcome.Status.SKIPPED));
    sweep.put("failed", report.count(RunOutcome.Status.FAILED));
    m.put("sweep", sweep);
    m.put("runs", rows);
    m.put("summary", sjson);
    dir.writeString("sweep.json", Json.write(m) + "\n");
  }

  private static List<Map<String, Object>> rows(Sweep.Report report) {
    List<Map<String, Object>> rows = new ArrayList<>();
    for (SweepRun run : report.runs()) {
      RunOutcome o = report.outcomes().get(run.index());
      RunResult r = o.result();
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("index", run.index());
      m.put("name", run.name());
      m.put("configuration", run.group());
      m.put("axes", run.axisValues());
      m.put("seed", run.seed());
      m.put("status", o.status().word());
      m.put("test_accuracy", r == null ? null : r.testAccuracy());
      m.put("best_test_accuracy", r == null ? null : r.bestTestAccuracy());
      m.put("best_epoch", r == null ? null : r.bestEpoch());
      m.put("epochs", r == null ? null : r.epochs());
      m.put("train_seconds", r == null ? null : r.trainSeconds());
      m.put("wall_seconds", o.wallSeconds());
      m.put("attempts", o.attempts());
      m.put("host", o.host());
      m.put("error", o.error());
      rows.add(m);
    }
    return rows;
  }

  private static Map<String, Object> summaryJson(Summary s) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("configuration", s.group());
    m.put("axes", s.axisValues());
    m.put("runs", s.runs());
    m.put("finished", s.finished());
    m.put("failed", s.failed());
    m.put("mean_test_accuracy", s.meanTestAccuracy());
    m.put("std_test_accuracy", s.stdTestAccuracy());
    m.put("mean_best_test_accuracy", s.meanBestTestAccuracy());
    m.put("std_best_test_accuracy", s.stdBestTestAccuracy());
    m.put("mean_train_seconds", s.meanTrainSeconds());
    m.put("mean_wall_seconds", s.meanWallSeconds());
    return m;
  }

  private static String cell(Object v) {
    if (v == null) {
      return "";
    } else if (v instanceof Double d) {
      return Double.isFinite(d) ? Double.toString(d).replace('E', 'e') : "";
    } else if (v instanceof List<?>) {
      return SweepSpec.valueText(v);
    }
    return v.toString();
  }

  private static String csvLine(List<String> cells) {
    StringBuilder sb = new StringBuilder();
    for (String c : cells) {
      sb.append(sb.isEmpty() ? "" : ",");
      if (c.contains(",") || c.contains("\"") || c.contains("\n") || c.contains("\r")) {
        sb.append('"').append(c.replace("\"", "\"\"")).append('"');
      } else {
        sb.append(c);
      }
    }
    return sb.append('\n').toString();
  }
}

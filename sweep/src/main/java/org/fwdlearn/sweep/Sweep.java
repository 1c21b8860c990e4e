package org.fwdlearn.sweep;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.fwdlearn.io.Json;

/**
 * Runs a sweep: checks every run's settings, takes the output directory's lock, skips the runs an earlier session
 * finished, has the engine train the others (resuming those with a checkpoint), and writes the reports
 * ({@link SweepResults}). Restarting an interrupted sweep with the same file and directory therefore trains only
 * what is missing, and the reports always have exactly one row per run.
 */
public final class Sweep {
  private Sweep() {}

  /**
   * The end of a sweep session.
   *
   * @param spec the sweep file
   * @param runs every run, in expansion order
   * @param outcomes the outcome of each run, in the same order
   * @param engine the engine's word (local, spark)
   * @param engineDescription the engine's line
   * @param wallSeconds the wall time of this session (without the checks before the engine started)
   */
  public record Report(SweepSpec spec, List<SweepRun> runs, List<RunOutcome> outcomes, String engine,
      String engineDescription, double wallSeconds) {
    /** The runs that failed. */
    public List<RunOutcome> failures() {
      return outcomes.stream().filter(o -> o.status() == RunOutcome.Status.FAILED).toList();
    }

    /** The number of runs with the given status. */
    public long count(RunOutcome.Status s) {
      return outcomes.stream().filter(o -> o.status() == s).count();
    }
  }

  /**
   * Checks every run's settings with the task, before anything is written.
   *
   * @throws SweepFormatException naming the file, the run and the task's message (each distinct message once)
   */
  public static void check(SweepSpec spec, List<SweepRun> runs, RunTask task) {
    Map<String, List<String>> problems = new LinkedHashMap<>();
    for (SweepRun run : runs) {
      try {
        task.check(run);
      } catch (IllegalArgumentException e) {
        problems.computeIfAbsent(e.getMessage(), k -> new ArrayList<>()).add(run.name());
      }
    }
    if (problems.isEmpty()) {
      return;
    }
    StringBuilder sb = new StringBuilder(spec.where()).append(": ");
    int shown = 0;
    for (Map.Entry<String, List<String>> e : problems.entrySet()) {
      if (shown++ == 3) {
        sb.append("; and ").append(problems.size() - 3).append(" more problem").append(problems.size() == 4 ? "" : "s");
        break;
      }
      List<String> names = e.getValue();
      sb.append(shown > 1 ? "; " : "")
          .append(names.size() == runs.size() ? "every run"
              : "run " + names.get(0) + (names.size() > 1 ? " (and " + (names.size() - 1) + " more)" : ""))
          .append(": ").append(e.getKey());
    }
    throw new SweepFormatException(sb.toString());
  }

  /**
   * Runs the sweep into {@code out}.
   *
   * @throws SweepFormatException if a run's settings are invalid, or differ from those its directory was started
   *     with
   * @throws IllegalStateException if another sweep is running in {@code out}
   * @throws Exception if the engine fails
   */
  public static Report run(SweepSpec spec, Path out, SweepEngine engine, RunTask task, SweepListener listener)
      throws Exception {
    List<SweepRun> runs = spec.expand();
    check(spec, runs, task);
    try (SweepDirectory dir = SweepDirectory.open(out)) {
      checkUnchanged(spec, runs, dir);
      dir.writeString("sweep-file.json", Json.write(fileJson(spec)) + "\n");
      int n = runs.size();
      RunOutcome[] outcomes = new RunOutcome[n];
      List<SweepRun> pending = new ArrayList<>();
      int[] done = {0};
      for (SweepRun run : runs) {
        RunOutcome o = RunAttempt.ifFinished(run, dir, task);
        if (o != null) {
          outcomes[run.index()] = o;
          done[0]++;
          listener.runSkipped(o, n);
        } else {
          pending.add(run);
        }
      }
      SweepEngine.Events events = new SweepEngine.Events() {
        @Override
        public synchronized void started(SweepRun run, int attempt, String where) {
          listener.runStarted(run, n, attempt, where);
        }

        @Override
        public synchronized void attemptFailed(SweepRun run, int attempt, String error, boolean retry) {
          listener.attemptFailed(run, n, attempt, error, retry);
        }

        @Override
        public synchronized void ended(RunOutcome outcome) {
          listener.runEnded(outcome, ++done[0], n);
        }
      };
      long start = System.nanoTime();
      List<RunOutcome> trained = pending.isEmpty() ? List.of() : engine.run(pending, dir, task, events);
      double wall = (System.nanoTime() - start) / 1e9;
      for (RunOutcome o : trained) {
        // Every run given to the engine was unfinished: one it reports finished before was finished in this session.
        outcomes[o.index()] = o.status() != RunOutcome.Status.SKIPPED ? o
            : new RunOutcome(o.index(), o.name(), RunOutcome.Status.FINISHED, o.result(), null, o.wallSeconds(),
                o.attempts(), o.resumedAfterEpoch(), o.host());
      }
      for (SweepRun run : runs) {
        if (outcomes[run.index()] == null) {
          throw new IllegalStateException("the " + engine.name() + " engine returned no outcome for run " + run.name());
        }
      }
      Report report = new Report(spec, runs, List.of(outcomes), engine.name(), engine.describe(), wall);
      SweepResults.write(dir, report);
      return report;
    }
  }

  /**
   * Refuses a restart whose runs would continue with other settings than those their directories were started
   * with (a changed base or range under the same output directory).
   */
  static void checkUnchanged(SweepSpec spec, List<SweepRun> runs, SweepDirectory dir) {
    for (SweepRun run : runs) {
      Map<String, Object> state = dir.readState(run);
      if (state == null || !(state.get("settings") instanceof Map<?, ?> before)) {
        continue;
      }
      Object now = Json.parse(Json.writeCompact(run.settings())); // the same number types as a parsed file
      if (!now.equals(before)) {
        Map<?, ?> n = (Map<?, ?>) now;
        TreeSet<String> keys = new TreeSet<>();
        for (Object k : n.keySet()) {
          keys.add((String) k);
        }
        for (Object k : before.keySet()) {
          keys.add((String) k);
        }
        List<String> diffs = new ArrayList<>();
        for (String k : keys) {
          Object a = before.get(k);
          Object b = n.get(k);
          if (a == null ? b != null : !a.equals(b)) {
            diffs.add("\"" + k + "\" " + text(before, k) + " then, " + text(n, k) + " now");
          }
        }
        throw new SweepFormatException(spec.where() + ": run " + run.name() + " in " + dir.root()
            + " was started with other settings (" + String.join(", ", diffs) + "); restore the sweep file or choose"
            + " another --out");
      }
    }
  }

  private static String text(Map<?, ?> m, String k) {
    return m.containsKey(k) ? Json.writeCompact(m.get(k)) : "unset";
  }

  /** The sweep as sweep-file.json records it: name, base, axes with their values, seeds. */
  static Map<String, Object> fileJson(SweepSpec spec) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("name", spec.name());
    m.put("file", spec.where());
    m.put("base", spec.base());
    m.put("axes", spec.axes());
    m.put("seeds", spec.seeds());
    m.put("runs", spec.size());
    return m;
  }

  /** Mean and sample standard deviation (n - 1; NaN below two values). */
  static double[] meanStd(double[] v) {
    if (v.length == 0) {
      return new double[] {Double.NaN, Double.NaN};
    }
    double mean = Arrays.stream(v).sum() / v.length;
    if (v.length < 2) {
      return new double[] {mean, Double.NaN};
    }
    double ss = 0;
    for (double x : v) {
      ss += (x - mean) * (x - mean);
    }
    return new double[] {mean, Math.sqrt(ss / (v.length - 1))};
  }
}

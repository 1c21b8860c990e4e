package org.fwdlearn.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.fwdlearn.sweep.LocalEngine;
import org.fwdlearn.sweep.RunOutcome;
import org.fwdlearn.sweep.SparkEngine;
import org.fwdlearn.sweep.Sweep;
import org.fwdlearn.sweep.SweepEngine;
import org.fwdlearn.sweep.SweepFormatException;
import org.fwdlearn.sweep.SweepListener;
import org.fwdlearn.sweep.SweepResults;
import org.fwdlearn.sweep.SweepRun;
import org.fwdlearn.sweep.SweepSpec;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code fwdlearn sweep FILE}: expands a sweep file into runs and trains them, each a normal {@code train} run with
 * its own directory, on this machine ({@code --engine local}) or on Apache Spark ({@code --engine spark}); writes
 * sweep.csv, summary.csv, sweep.json and sweep.png. Running the same command again continues an interrupted sweep:
 * finished runs are skipped, unfinished ones continue from their checkpoints.
 */
@Command(
    name = "sweep",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Train every run of a sweep file (base settings, axes of values or ranges, seeds), each a normal train run",
      "with its own directory under OUT/runs, and report per run and per configuration (mean +- std over seeds).",
      "Run the same command again to continue an interrupted sweep: finished runs are skipped, the others",
      "continue from their last checkpoint."
    },
    footer = {
      "",
      "Sweep file (JSON; the settings are the keys of 'fwdlearn train --config'):",
      "  {\"base\": {\"rule\": \"pepita\", \"epochs\": 10},",
      "   \"axes\": {\"lr\": [0.01, 0.1], \"f-scale\": {\"from\": 0.01, \"to\": 0.1, \"steps\": 3, \"log\": true}},",
      "   \"seeds\": 5}",
      "Output: OUT/runs/NAME/ (run directories), OUT/logs/NAME.log, sweep.csv, summary.csv, sweep.json, sweep.png.",
      "Exit codes: 0 every run finished, 1 a run (or the engine) failed, 2 bad input.",
      "Examples:",
      "  fwdlearn sweep lr.json --parallel 2",
      "  fwdlearn sweep lr.json --engine spark --master local[2]",
      "  fwdlearn sweep lr.json --dry-run"
    })
public final class SweepCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Parameters(index = "0", paramLabel = "FILE", description = "The sweep file (JSON).")
  Path file;

  @Option(names = "--engine", paramLabel = "<local|spark>", defaultValue = "local",
      description = "Where the runs train: local (this machine) or spark (Apache Spark). Default: ${DEFAULT-VALUE}.")
  String engine;

  @Option(names = "--parallel", paramLabel = "<n>",
      description = "local: runs at once, each with cores/n kernel threads (n at most the cores). Default: the cores.")
  Integer parallel;

  @Option(names = "--master", paramLabel = "<url>",
      description = "spark: the master URL, e.g. local[2], local[*] or spark://host:7077. Default: spark-submit's"
          + " --master, else local[*].")
  String master;

  @Option(names = "--conf", paramLabel = "<key=value>",
      description = "spark: a Spark setting, e.g. spark.task.cpus=2 (the kernel threads of each run); repeatable.")
  Map<String, String> conf = new LinkedHashMap<>();

  @Option(names = "--retries", paramLabel = "<n>", defaultValue = "1",
      description = "Further attempts of a failed run, each continuing from its last checkpoint (spark: unless"
          + " spark.task.maxFailures is set). Default: ${DEFAULT-VALUE}.")
  int retries;

  @Option(names = "--out", paramLabel = "<dir>",
      description = "Output directory, shared by the driver and every executor. Default: runs/sweep-NAME, NAME the"
          + " sweep's name (the file name without .json).")
  Path out;

  @Option(names = "--dry-run", description = "List the runs and check their settings; train nothing.")
  boolean dryRun;

  @Override
  public Integer call() throws Exception {
    PrintWriter outW = spec.commandLine().getOut();
    String e = engine.toLowerCase(Locale.ROOT);
    if (!List.of("local", "spark").contains(e)) {
      throw new UsageException("Invalid value for --engine: '" + engine + "' (allowed: local, spark)");
    }
    if (e.equals("local") && (master != null || !conf.isEmpty())) {
      throw new UsageException((master != null ? "--master" : "--conf") + " is a setting of the spark engine; add"
          + " --engine spark");
    }
    if (e.equals("spark") && parallel != null) {
      throw new UsageException("--parallel is a setting of the local engine; with --engine spark the master decides"
          + " how many runs train at once (e.g. --master local[2])");
    }
    SweepSpec s;
    List<SweepRun> runs;
    try {
      s = SweepSpec.read(file);
      runs = s.expand();
    } catch (SweepFormatException ex) {
      throw new UsageException(ex.getMessage());
    }
    Path dir = out != null ? out : Path.of("runs", "sweep-" + s.name().replaceAll("[^A-Za-z0-9._+-]", "-"));
    SweepTrainTask task = new SweepTrainTask();
    if (dryRun) {
      return dryRun(outW, s, runs, dir, task);
    }
    SweepEngine eng;
    try {
      eng = e.equals("local")
          ? new LocalEngine(parallel != null ? parallel : LocalEngine.machineCores(), retries, LocalEngine.machineCores())
          : new SparkEngine(master, retries, conf);
    } catch (IllegalArgumentException ex) {
      throw new UsageException(ex.getMessage());
    }
    outW.printf(Locale.ROOT, "fwdlearn %s sweep %s: %d run%s (%d configuration%s x %d seed%s) from %s%n",
        Environment.version(), s.name(), runs.size(), runs.size() == 1 ? "" : "s", s.configurations(),
        s.configurations() == 1 ? "" : "s", s.seeds().size(), s.seeds().size() == 1 ? "" : "s", file);
    outW.printf(Locale.ROOT, "engine %s; output %s%n", eng.describe(), dir);
    outW.flush();
    Sweep.Report report;
    try {
      report = Sweep.run(s, dir, eng, task, new ConsoleProgress(outW, dir));
    } catch (SweepFormatException ex) {
      throw new UsageException(ex.getMessage());
    } catch (IllegalStateException ex) {
      throw new Main.Failure(ex.getMessage(), ex);
    }
    Plots.sweep(dir.resolve("sweep.png"), report);
    printSummary(outW, report, dir);
    return report.failures().isEmpty() ? 0 : Main.FAILURE;
  }

  private static int dryRun(PrintWriter out, SweepSpec s, List<SweepRun> runs, Path dir, SweepTrainTask task) {
    try {
      Sweep.check(s, runs, task);
    } catch (SweepFormatException ex) {
      throw new UsageException(ex.getMessage());
    }
    out.printf(Locale.ROOT, "sweep %s: %d run%s (%d configuration%s x %d seed%s), settings checked; output %s%n",
        s.name(), runs.size(), runs.size() == 1 ? "" : "s", s.configurations(), s.configurations() == 1 ? "" : "s",
        s.seeds().size(), s.seeds().size() == 1 ? "" : "s", dir);
    for (SweepRun r : runs) {
      out.printf(Locale.ROOT, "  %d %s%n", r.index() + 1, r.name());
    }
    out.flush();
    return 0;
  }

  private static void printSummary(PrintWriter out, Sweep.Report report, Path dir) throws IOException {
    out.println();
    out.println("configuration: final test accuracy, mean +- std over seeds (runs finished)");
    for (SweepResults.Summary s : SweepResults.summarize(report)) {
      out.printf(Locale.ROOT, "  %s: %s%n", s.group(), s.finished() == 0 ? "no run finished"
          : String.format(Locale.ROOT, "%.4f +- %s (%d of %d)", s.meanTestAccuracy(),
              Double.isNaN(s.stdTestAccuracy()) ? "-" : String.format(Locale.ROOT, "%.4f", s.stdTestAccuracy()),
              s.finished(), s.runs()));
    }
    long finished = report.count(RunOutcome.Status.FINISHED);
    long skipped = report.count(RunOutcome.Status.SKIPPED);
    long failed = report.count(RunOutcome.Status.FAILED);
    out.printf(Locale.ROOT, "%d run%s trained in this session, %d finished before, %d failed; wall time %s%n", finished,
        finished == 1 ? "" : "s", skipped, failed, Progress.duration(report.wallSeconds()));
    if (failed > 0) {
      out.println("failed: " + String.join(", ", report.failures().stream().map(RunOutcome::name).toList())
          + " (logs in " + dir.resolve("logs") + "); run the same command again to retry them");
    }
    out.println("reports: " + dir.resolve("sweep.csv") + " (also summary.csv, sweep.json, sweep.png)");
    out.flush();
  }

  /** One line per event: run i of n started, failed, finished (with its accuracy). */
  static final class ConsoleProgress implements SweepListener {
    private final PrintWriter out;
    private final Path dir;

    ConsoleProgress(PrintWriter out, Path dir) {
      this.out = out;
      this.dir = dir;
    }

    private void line(String text) {
      synchronized (out) {
        out.println(text);
        out.flush();
      }
    }

    private static String run(SweepRun r, int total) {
      return "run " + (r.index() + 1) + "/" + total + " " + r.name();
    }

    @Override
    public void runSkipped(RunOutcome o, int total) {
      line(String.format(Locale.ROOT, "run %d/%d %s: finished earlier, test accuracy %.4f", o.index() + 1, total,
          o.name(), o.result().testAccuracy()));
    }

    @Override
    public void runStarted(SweepRun r, int total, int attempt, String where) {
      line(run(r, total) + ": started" + (attempt > 1 ? " (attempt " + attempt + ")" : "") + " on " + where);
    }

    @Override
    public void attemptFailed(SweepRun r, int total, int attempt, String error, boolean retry) {
      line(run(r, total) + ": attempt " + attempt + " failed: " + error
          + (retry ? "; trying again from its last checkpoint" : ""));
    }

    @Override
    public void runEnded(RunOutcome o, int done, int total) {
      String head = String.format(Locale.ROOT, "[%d/%d done] run %d/%d %s: ", done, total, o.index() + 1, total,
          o.name());
      if (o.status() == RunOutcome.Status.FAILED) {
        line(head + "FAILED: " + o.error() + " (log: " + dir.resolve("logs").resolve(o.name() + ".log") + ")");
      } else {
        line(head + String.format(Locale.ROOT, "finished, test accuracy %.4f (best %.4f at epoch %d), %s",
            o.result().testAccuracy(), o.result().bestTestAccuracy(), o.result().bestEpoch(),
            Progress.duration(o.wallSeconds())));
      }
    }
  }
}

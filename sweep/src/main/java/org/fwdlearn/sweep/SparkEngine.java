package org.fwdlearn.sweep;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.spark.ExceptionFailure;
import org.apache.spark.SparkConf;
import org.apache.spark.TaskContext;
import org.apache.spark.TaskFailedReason;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.Function;
import org.apache.spark.launcher.JavaModuleOptions;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.scheduler.SparkListenerTaskStart;

/**
 * Runs a sweep on Apache Spark: one task per run (an RDD of the runs with one partition each), so Spark's
 * scheduler places the runs on its executors and retries failed tasks. A task trains its run into the shared
 * sweep directory; a retried task (another attempt, perhaps on another executor) continues from the run's last
 * checkpoint there, and a task whose run is already finished returns its result without training.
 *
 * <p>Attempts: {@code spark.task.maxFailures} (set to {@code retries + 1} unless the Spark configuration sets it,
 * e.g. {@code spark-submit --conf}). A local master runs a task once unless it names a count, so {@code local[N]}
 * becomes {@code local[N,retries+1]}. On its last attempt a failing task returns the failure instead of throwing,
 * so the job, and the other runs, go on. Speculative execution is turned off: two attempts of a run must never
 * train into its directory at once.
 *
 * <p>Each run gets {@code spark.task.cpus} kernel threads (default 1). Without a master in the configuration or
 * given here, the master is {@code local[*]}. On a local master the web UI is off unless configured. Spark's log
 * goes to stderr at level WARN unless a log4j2 configuration is given.
 */
public final class SparkEngine implements SweepEngine {
  private static final Pattern LOCAL_N = Pattern.compile("local\\[\\s*([0-9]+|\\*)\\s*]");
  private static final Pattern LOCAL_N_F = Pattern.compile("local\\[\\s*([0-9]+|\\*)\\s*,\\s*([0-9]+)\\s*]");

  private final SparkConf conf;
  private final int maxAttempts;

  /**
   * @param master the Spark master URL, or null for the configuration's ({@code spark-submit --master}) or
   *     {@code local[*]}
   * @param retries further attempts of a failed run when the configuration does not say
   * @param extra further Spark settings (applied last)
   */
  public SparkEngine(String master, int retries, Map<String, String> extra) {
    if (retries < 0) {
      throw new IllegalArgumentException("--retries: " + retries + ", expected 0 or more");
    }
    quietLogging(); // before Spark logs anything (SparkConf does): log4j2 reads its configuration once
    conf = new SparkConf(true); // spark.* system properties: what spark-submit passes
    conf.setIfMissing("spark.app.name", "fwdlearn sweep");
    String m = master != null ? master.trim() : conf.get("spark.master", "local[*]");
    if (m.isEmpty()) {
      throw new IllegalArgumentException("--master is empty; e.g. local[*], local[2] or spark://host:7077");
    }
    extra.forEach(conf::set);
    conf.setIfMissing("spark.task.maxFailures", Integer.toString(retries + 1));
    int attempts = Integer.parseInt(conf.get("spark.task.maxFailures"));
    Matcher nf = LOCAL_N_F.matcher(m);
    Matcher n = LOCAL_N.matcher(m);
    if (nf.matches()) {
      attempts = Integer.parseInt(nf.group(2));
    } else if (n.matches()) {
      m = "local[" + n.group(1) + "," + attempts + "]";
    } else if (m.equals("local")) {
      m = "local[1," + attempts + "]";
    }
    conf.setMaster(m);
    if (m.startsWith("local")) {
      conf.setIfMissing("spark.ui.enabled", "false");
    }
    conf.set("spark.speculation", "false");
    conf.setIfMissing("spark.ui.showConsoleProgress", "false");
    this.maxAttempts = Math.max(1, attempts);
  }

  @Override
  public String name() {
    return "spark";
  }

  /** The master URL in force (a local master with its attempt count). */
  public String master() {
    return conf.get("spark.master");
  }

  /** The attempts of a task: the first and the retries. */
  public int maxAttempts() {
    return maxAttempts;
  }

  /** The kernel threads of each run: {@code spark.task.cpus}. */
  public int threadsPerRun() {
    return conf.getInt("spark.task.cpus", 1);
  }

  @Override
  public String describe() {
    int t = threadsPerRun();
    return "spark: master " + master() + ", one task per run, " + t + " thread" + (t == 1 ? "" : "s")
        + " each (spark.task.cpus), up to " + maxAttempts + " attempt" + (maxAttempts == 1 ? "" : "s") + " per run";
  }

  /**
   * The JVM options of Spark's launcher that this JVM lacks (the {@code --add-opens} of
   * {@link JavaModuleOptions}); empty when Spark can run here.
   */
  public static List<String> missingJvmOptions() {
    List<String> missing = new ArrayList<>();
    Module self = SparkEngine.class.getModule();
    for (String opt : JavaModuleOptions.defaultModuleOptionArray()) {
      if (!opt.startsWith("--add-opens=")) {
        continue;
      }
      String[] target = opt.substring("--add-opens=".length()).split("=", 2)[0].split("/", 2);
      Optional<Module> m = ModuleLayer.boot().findModule(target[0]);
      // A package this JDK no longer has (sun.security.action in JDK 25) cannot be opened and need not be.
      if (m.isPresent() && m.get().getPackages().contains(target[1]) && !m.get().isOpen(target[1], self)) {
        missing.add(opt);
      }
    }
    return missing;
  }

  /** Spark's log at WARN on stderr, unless a log4j2 configuration file is given. */
  static void quietLogging() {
    if (System.getProperty("log4j2.configurationFile") == null && System.getProperty("log4j.configurationFile") == null) {
      System.setProperty("log4j2.configurationFile", "org/fwdlearn/sweep/log4j2-spark.properties");
    }
  }

  @Override
  public List<RunOutcome> run(List<SweepRun> runs, SweepDirectory dir, RunTask task, Events events) {
    List<String> missing = missingJvmOptions();
    if (!missing.isEmpty()) {
      throw new IllegalStateException("Spark needs JVM options that this JVM was not started with: "
          + String.join(" ", missing) + " (the ./fwdlearn launcher and spark-submit add them)");
    }
    if (runs.isEmpty()) {
      return List.of();
    }
    try (JavaSparkContext sc = new JavaSparkContext(conf)) {
      // No sc.setLogLevel: it would set every logger, undoing the quiet ones of the configuration.
      sc.sc().addSparkListener(new Progress(runs, dir, task, events, maxAttempts));
      RunFunction f = new RunFunction(dir.root().toAbsolutePath().toString(), task, threadsPerRun(), maxAttempts);
      // One partition per run (parallelize slices a list of n into n single elements); collect keeps their order.
      return new ArrayList<>(sc.parallelize(runs, runs.size()).map(f).collect());
    }
  }

  /** A failed attempt that Spark should retry. */
  static final class RunFailedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    RunFailedException(String message) {
      super(message);
    }
  }

  /** The task of one run, executed on an executor. */
  static final class RunFunction implements Function<SweepRun, RunOutcome> {
    private static final long serialVersionUID = 1L;
    private final String dir;
    private final RunTask task;
    private final int threads;
    private final int maxAttempts;

    RunFunction(String dir, RunTask task, int threads, int maxAttempts) {
      this.dir = dir;
      this.task = task;
      this.threads = threads;
      this.maxAttempts = maxAttempts;
    }

    @Override
    public RunOutcome call(SweepRun run) {
      TaskContext ctx = TaskContext.get();
      int attempt = ctx == null ? 0 : ctx.attemptNumber();
      RunOutcome o = RunAttempt.run(run, SweepDirectory.at(Path.of(dir)), task, threads, "spark");
      if (o.status() == RunOutcome.Status.FAILED && attempt + 1 < maxAttempts) {
        throw new RunFailedException(run.name() + ": " + o.error());
      }
      return o;
    }
  }

  /** Reports task starts and ends as run events (on the driver's listener thread). */
  static final class Progress extends SparkListener {
    private final List<SweepRun> runs;
    private final SweepDirectory dir;
    private final RunTask task;
    private final Events events;
    private final int maxAttempts;

    Progress(List<SweepRun> runs, SweepDirectory dir, RunTask task, Events events, int maxAttempts) {
      this.runs = runs;
      this.dir = dir;
      this.task = task;
      this.events = events;
      this.maxAttempts = maxAttempts;
    }

    @Override
    public void onTaskStart(SparkListenerTaskStart e) {
      int i = e.taskInfo().index();
      if (i >= 0 && i < runs.size()) {
        events.started(runs.get(i), e.taskInfo().attemptNumber() + 1,
            "executor " + e.taskInfo().executorId() + " on " + e.taskInfo().host());
      }
    }

    @Override
    public void onTaskEnd(SparkListenerTaskEnd e) {
      int i = e.taskInfo().index();
      if (i < 0 || i >= runs.size()) {
        return;
      }
      SweepRun run = runs.get(i);
      int attempt = e.taskInfo().attemptNumber() + 1;
      if (e.reason() instanceof TaskFailedReason r) {
        String why = r instanceof ExceptionFailure ef ? ef.description() : r.toErrorString();
        events.attemptFailed(run, attempt, why, attempt < maxAttempts);
        return;
      }
      events.ended(fromState(run));
    }

    /** The outcome the task recorded, read back from the run's state file. */
    private RunOutcome fromState(SweepRun run) {
      try {
        RunOutcome done = RunAttempt.ifFinished(run, dir, task);
        if (done != null) {
          return new RunOutcome(done.index(), done.name(), RunOutcome.Status.FINISHED, done.result(), null,
              done.wallSeconds(), done.attempts(), done.resumedAfterEpoch(), done.host());
        }
        Map<String, Object> s = dir.readState(run);
        double[] rec = SweepDirectory.recorded(s);
        String error = s != null && s.get("error") instanceof String m ? m : "no result";
        return new RunOutcome(run.index(), run.name(), RunOutcome.Status.FAILED, null, error, rec[1], (int) rec[0], 0,
            s != null && s.get("host") instanceof String h ? h : null);
      } catch (java.io.IOException | RuntimeException ex) {
        return new RunOutcome(run.index(), run.name(), RunOutcome.Status.FAILED, null,
            "cannot read the run's state: " + ex.getMessage(), 0, 0, 0, null);
      }
    }
  }
}

package org.fwdlearn.sweep;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.util.Map;

/**
 * One attempt at one run, the same for every engine: a run found finished is not trained again; a run with a
 * checkpoint continues from it; any other starts from scratch. A failure is caught, logged and recorded, never
 * thrown: the engine decides whether to try again.
 */
final class RunAttempt {
  private RunAttempt() {}

  private static final String HOST = hostName();

  private static String hostName() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (IOException | RuntimeException e) {
      String h = System.getenv("HOSTNAME");
      return h == null || h.isBlank() ? "localhost" : h;
    }
  }

  /** This machine's name, as the reports give it. */
  static String host() {
    return HOST;
  }

  /**
   * The outcome of a run found finished, from its state file and run directory, or null if the run is not
   * finished.
   */
  static RunOutcome ifFinished(SweepRun run, SweepDirectory dir, RunTask task) throws IOException {
    Path runDir = dir.runDir(run);
    RunState st = task.state(runDir);
    if (st.kind() != RunState.Kind.FINISHED) {
      return null;
    }
    Map<String, Object> state = dir.readState(run);
    double[] rec = SweepDirectory.recorded(state);
    String host = state != null && state.get("host") instanceof String h ? h : null;
    int resumed = state != null && state.get("resumed_after_epoch") instanceof Number n ? n.intValue() : 0;
    return new RunOutcome(run.index(), run.name(), RunOutcome.Status.SKIPPED, task.result(runDir), null, rec[1],
        (int) rec[0], resumed, host);
  }

  /**
   * Runs one attempt. Returns {@link RunOutcome.Status#SKIPPED} if the run is found finished (e.g. by a retried
   * task whose previous attempt finished), {@link RunOutcome.Status#FINISHED} or {@link RunOutcome.Status#FAILED}.
   *
   * @param threads the kernel threads of the run
   * @param engine a word for the log (local, spark)
   */
  static RunOutcome run(SweepRun run, SweepDirectory dir, RunTask task, int threads, String engine) {
    long start = System.nanoTime();
    Map<String, Object> before;
    RunState st;
    try {
      RunOutcome done = ifFinished(run, dir, task);
      if (done != null) {
        return done;
      }
      before = dir.readState(run);
      st = task.state(dir.runDir(run));
    } catch (IOException | RuntimeException e) {
      return failed(run, dir, 0, 0, 0, "cannot read the run's directory or state: " + message(e), null, start);
    }
    double[] rec = SweepDirectory.recorded(before);
    int attempts = (int) rec[0] + 1;
    int resumed = st.kind() == RunState.Kind.PARTIAL ? st.epochsDone() : 0;
    try {
      dir.writeState(run, "running", new RunOutcome(run.index(), run.name(), RunOutcome.Status.FAILED, null, null,
          rec[1], attempts, resumed, HOST));
    } catch (IOException | RuntimeException e) {
      return failed(run, dir, attempts, rec[1], resumed, "cannot write " + dir.stateFile(run) + ": " + message(e), null,
          start);
    }
    PrintWriter log;
    try {
      log = dir.openLog(run);
    } catch (IOException e) {
      return failed(run, dir, attempts, rec[1], resumed, "cannot open " + dir.log(run) + ": " + message(e), null, start);
    }
    try (log) {
      log.printf("=== %s: attempt %d on %s (%s engine, %d thread%s): %s%n",
          LocalDateTime.now().withNano(0),
          attempts, HOST, engine, threads, threads == 1 ? "" : "s",
          resumed > 0 ? "resuming after epoch " + resumed : "new run");
      try {
        task.train(run, dir.runDir(run), threads, st.kind() == RunState.Kind.PARTIAL, log);
        RunResult r = task.result(dir.runDir(run));
        RunOutcome o = new RunOutcome(run.index(), run.name(), RunOutcome.Status.FINISHED, r, null,
            rec[1] + seconds(start), attempts, resumed, HOST);
        dir.writeState(run, "finished", o);
        return o;
      } catch (Exception | StackOverflowError | OutOfMemoryError e) {
        String msg = message(e);
        log.println("=== failed: " + msg);
        e.printStackTrace(log);
        return failed(run, dir, attempts, rec[1], resumed, msg, log, start);
      }
    }
  }

  private static RunOutcome failed(SweepRun run, SweepDirectory dir, int attempts, double wallBefore, int resumed,
      String msg, PrintWriter log, long start) {
    RunOutcome o = new RunOutcome(run.index(), run.name(), RunOutcome.Status.FAILED, null, msg,
        wallBefore + seconds(start), attempts, resumed, HOST);
    try {
      dir.writeState(run, "failed", o);
    } catch (IOException | RuntimeException e) {
      if (log != null) {
        log.println("=== cannot record the failure in " + dir.stateFile(run) + ": " + message(e));
      }
    }
    return o;
  }

  private static double seconds(long start) {
    return (System.nanoTime() - start) / 1e9;
  }

  /** A failure's message: fwdlearn's own messages as they are, others with their exception type. */
  static String message(Throwable e) {
    String m = e.getMessage();
    if (m == null || m.isBlank()) {
      return e.getClass().getName();
    }
    return e.getClass().getName().startsWith("org.fwdlearn.") ? m : e.getClass().getSimpleName() + ": " + m;
  }
}

package org.fwdlearn.sweep;

import java.util.List;

/** Where and how the runs of a sweep are trained: {@link LocalEngine} or {@link SparkEngine}. */
public interface SweepEngine {
  /** The engine's word in reports: local or spark. */
  String name();

  /** One line for the console, e.g. {@code local: 2 runs at once, 1 thread each (2 cores)}. */
  String describe();

  /**
   * Trains the runs (none of them finished) into the sweep directory and returns their outcomes in the order of
   * {@code runs}. A run that fails is retried from its checkpoint as the engine allows, then recorded as failed;
   * it never stops the other runs.
   *
   * @throws Exception if the engine itself fails (e.g. Spark cannot start)
   */
  List<RunOutcome> run(List<SweepRun> runs, SweepDirectory dir, RunTask task, Events events) throws Exception;

  /** What an engine reports while it works (called from several threads). */
  interface Events {
    /** An attempt at a run started; {@code attempt} is 1-based. */
    void started(SweepRun run, int attempt, String where);

    /** An attempt failed; {@code retry}: another follows. */
    void attemptFailed(SweepRun run, int attempt, String error, boolean retry);

    /** A run ended for good (finished or failed). */
    void ended(RunOutcome outcome);
  }
}

package org.fwdlearn.sweep;

/**
 * Progress of a sweep, for the console. The engines call it from several threads; implementations synchronise.
 * Every method does nothing by default.
 */
public interface SweepListener {
  /** A run found finished by an earlier session. */
  default void runSkipped(RunOutcome outcome, int total) {}

  /**
   * An attempt at a run started.
   *
   * @param attempt the 1-based attempt of this session
   * @param where the host or executor
   */
  default void runStarted(SweepRun run, int total, int attempt, String where) {}

  /** An attempt failed; {@code retry}: another attempt follows (from the run's checkpoint). */
  default void attemptFailed(SweepRun run, int total, int attempt, String error, boolean retry) {}

  /** A run ended (finished or failed for good); {@code done} runs of {@code total} have ended so far. */
  default void runEnded(RunOutcome outcome, int done, int total) {}
}

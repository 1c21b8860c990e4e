package org.fwdlearn.sweep;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.Serializable;
import java.nio.file.Path;

/**
 * What a run of a sweep is: how to check its settings, train it into its run directory (new or resumed from its
 * checkpoint) and read the directory's state and result. The {@code fwdlearn} command's implementation makes each
 * run a normal {@code train} run; the engines only decide where and when runs happen.
 *
 * <p>Serializable: the Spark engine ships it to the executors with each task. Implementations keep no state
 * besides configuration, and must be safe to call from several threads at once (the local engine runs several runs
 * in one process).
 */
public interface RunTask extends Serializable {
  /**
   * Checks a run's settings before the sweep starts (unknown keys, values out of range, settings that do not fit
   * together).
   *
   * @throws IllegalArgumentException naming the setting and the value at fault
   */
  void check(SweepRun run);

  /** What the run directory holds: nothing usable, a resumable checkpoint, or a finished run. */
  RunState state(Path dir) throws IOException;

  /**
   * The result of a finished run directory.
   *
   * @throws IOException if the directory holds no finished run or its files cannot be read
   */
  RunResult result(Path dir) throws IOException;

  /**
   * Trains the run into {@code dir}: from scratch (replacing whatever the directory holds), or with {@code resume}
   * from the directory's checkpoint, to the end. Writes progress to {@code log}.
   *
   * @param threads the kernel threads this run may use (the results do not depend on it)
   * @throws Exception if the run fails (the sweep records the message and goes on)
   */
  void train(SweepRun run, Path dir, int threads, boolean resume, PrintWriter log) throws Exception;
}

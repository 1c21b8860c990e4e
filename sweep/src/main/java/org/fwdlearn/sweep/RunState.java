package org.fwdlearn.sweep;

/**
 * What a run directory holds.
 *
 * @param kind nothing usable, a resumable checkpoint, or a finished run
 * @param epochsDone the epochs trained so far (0 for {@link Kind#NEW})
 */
public record RunState(Kind kind, int epochsDone) {
  /** The three states of a run directory. */
  public enum Kind {
    /** No run yet, or none that can be continued: the run starts from scratch. */
    NEW,
    /** A checkpoint after {@code epochsDone} epochs: the run continues from it. */
    PARTIAL,
    /** A finished run with its final report: a restarted sweep skips it. */
    FINISHED
  }

  /** A directory with nothing to continue. */
  public static final RunState NEW = new RunState(Kind.NEW, 0);

  /** A checkpoint after {@code epochs} epochs. */
  public static RunState partial(int epochs) {
    return new RunState(Kind.PARTIAL, epochs);
  }

  /** A finished run of {@code epochs} epochs. */
  public static RunState finished(int epochs) {
    return new RunState(Kind.FINISHED, epochs);
  }
}

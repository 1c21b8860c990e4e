package org.fwdlearn.sweep;

import java.io.Serializable;

/**
 * How a run of a sweep ended.
 *
 * @param index the run's index in the expansion
 * @param name the run's directory name
 * @param status finished in this session, finished before (skipped), or failed
 * @param result the run's result (null when it failed)
 * @param error the failure's message (null unless it failed)
 * @param wallSeconds the wall time of the run's attempts that ended, data loading included, over every session (an
 *     attempt killed with its process is not counted)
 * @param attempts the attempts made so far, over every session
 * @param resumedAfterEpoch the epochs the run's last attempt started from (0: from scratch)
 * @param host where the run's last attempt ran
 */
public record RunOutcome(
    int index,
    String name,
    Status status,
    RunResult result,
    String error,
    double wallSeconds,
    int attempts,
    int resumedAfterEpoch,
    String host)
    implements Serializable {
  /** How a run ended. */
  public enum Status {
    /** Trained to the end in this session (possibly resumed from a checkpoint). */
    FINISHED,
    /** Found finished by an earlier session, not trained again. */
    SKIPPED,
    /** Failed on its last allowed attempt. */
    FAILED;

    /** The lower-case word of the reports. */
    public String word() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  /** Whether the run has a result (finished now or before). */
  public boolean succeeded() {
    return status != Status.FAILED;
  }
}

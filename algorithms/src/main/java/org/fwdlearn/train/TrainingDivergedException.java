package org.fwdlearn.train;

/**
 * Training produced a NaN or an infinity. The network keeps the last good weights: the update that failed
 * was not applied, or (if an update overflowed although its gradient was finite) the weights, momentum and
 * feedback matrices were restored to the start of the epoch, as the message says.
 */
public final class TrainingDivergedException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final int epoch;
  private final int step;

  public TrainingDivergedException(int epoch, int step, int steps, String detail, Throwable cause) {
    super("training diverged at epoch " + epoch + ", step " + step + " of " + steps + " (both 0-based): " + detail, cause);
    this.epoch = epoch;
    this.step = step;
  }

  /** The 0-based epoch. */
  public int epoch() {
    return epoch;
  }

  /** The 0-based batch index within the epoch. */
  public int step() {
    return step;
  }
}

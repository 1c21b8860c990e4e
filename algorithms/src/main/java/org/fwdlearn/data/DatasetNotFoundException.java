package org.fwdlearn.data;

/**
 * A dataset whose files are not where they were looked for. The message says where the files were looked
 * for and exactly what to run or install to get them (for example {@code ./fwdlearn data fetch mnist} or
 * {@code apt-get install dataset-fashion-mnist}); {@link #remedy()} gives that advice alone.
 */
public final class DatasetNotFoundException extends IllegalStateException {
  private static final long serialVersionUID = 1L;

  private final String remedy;

  /**
   * @param problem what is missing and where it was looked for
   * @param remedy what to run or install to get it
   * @param cause the underlying exception (e.g. a failed fetch), or null
   */
  public DatasetNotFoundException(String problem, String remedy, Throwable cause) {
    super(problem + ". " + remedy, cause);
    this.remedy = remedy;
  }

  /** What to run or install to get the dataset. */
  public String remedy() {
    return remedy;
  }
}

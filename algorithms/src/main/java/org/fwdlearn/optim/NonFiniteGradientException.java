package org.fwdlearn.optim;

/** A gradient (or an update derived from it) held a NaN or an infinity; it was not applied. */
public final class NonFiniteGradientException extends ArithmeticException {
  private static final long serialVersionUID = 1L;
  private final int parameter;
  private final boolean modified;

  /**
   * A non-finite gradient detected before anything was modified.
   *
   * @param parameter 0-based index of the offending parameter (layer {@code parameter + 1})
   * @param what a short description, e.g. "gradient of W2"
   */
  public NonFiniteGradientException(int parameter, String what) {
    this(parameter, what, false);
  }

  /**
   * @param modified true if the parameters were already changed (an update overflowed although its
   *     gradient was finite)
   */
  public NonFiniteGradientException(int parameter, String what, boolean modified) {
    super(what + " holds a NaN or an infinity");
    this.parameter = parameter;
    this.modified = modified;
  }

  /** True if the parameters were modified before the problem was seen (they are then not the last good ones). */
  public boolean parametersModified() {
    return modified;
  }

  /** 0-based index of the parameter whose gradient or update was not finite. */
  public int parameter() {
    return parameter;
  }
}

package org.fwdlearn.sweep;

/**
 * A sweep file that cannot be used: malformed JSON, an unknown key, a bad axis or range, a setting a run cannot
 * have. The message names the file and the offending key and value.
 */
public final class SweepFormatException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  public SweepFormatException(String message) {
    super(message);
  }
}

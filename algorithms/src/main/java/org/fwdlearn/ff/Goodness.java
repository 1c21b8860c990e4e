package org.fwdlearn.ff;

import java.util.Locale;

/**
 * The goodness of a Forward-Forward layer's activity h (d units) for one example (ALGORITHMS.md section 7):
 * the sum of the squared activities (Hinton 2022; the loeweX reimplementation) or their mean (the mpezeshki
 * reimplementation). Its derivative is {@code dg/dh_j = factor(d) * h_j}.
 */
public enum Goodness {
  /** {@code g = sum_j h_j^2}. */
  SUM,
  /** {@code g = (1/d) sum_j h_j^2}. */
  MEAN;

  /** The goodness of {@code d} activities starting at {@code h[off]}, accumulated in double. */
  public double of(float[] h, int off, int d) {
    double s = 0;
    for (int j = 0; j < d; j++) {
      double v = h[off + j];
      s += v * v;
    }
    return this == SUM ? s : s / d;
  }

  /** {@code dg/dh_j / h_j}: 2 for SUM, 2/d for MEAN. */
  public float factor(int d) {
    return this == SUM ? 2f : 2f / d;
  }

  /**
   * The threshold theta used when none is given: the layer width d for SUM, 1 for MEAN (both: a mean squared
   * activity of 1 per unit; the loeweX choice for SUM).
   */
  public float defaultThreshold(int d) {
    return this == SUM ? d : 1f;
  }

  /** Parses {@code sum} or {@code mean}. */
  public static Goodness parse(String s) {
    return switch (s.toLowerCase(Locale.ROOT)) {
      case "sum" -> SUM;
      case "mean" -> MEAN;
      default -> throw new IllegalArgumentException("ff-goodness: '" + s + "' is not one of sum, mean");
    };
  }
}

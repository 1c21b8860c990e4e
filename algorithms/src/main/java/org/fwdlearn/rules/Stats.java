package org.fwdlearn.rules;

import org.fwdlearn.core.Matrix;

/** Summary statistics and angles of matrices, accumulated in double (diagnostics, once per epoch). */
public final class Stats {
  private Stats() {}

  /** Mean of the entries (NaN for an empty matrix). */
  public static double mean(Matrix m) {
    float[] d = m.data();
    double s = 0;
    for (int i = m.offset(), end = m.offset() + m.size(); i < end; i++) {
      s += d[i];
    }
    return s / m.size();
  }

  /** Unbiased sample standard deviation of the entries (two-pass; NaN for fewer than two entries). */
  public static double std(Matrix m) {
    if (m.size() < 2) {
      return Double.NaN;
    }
    double mu = mean(m);
    float[] d = m.data();
    double s = 0;
    for (int i = m.offset(), end = m.offset() + m.size(); i < end; i++) {
      double v = d[i] - mu;
      s += v * v;
    }
    return Math.sqrt(s / (m.size() - 1));
  }

  /**
   * The angle in degrees between vec(A^T) and vec(B), where A is r x c and B is c x r (e.g. A = W_l and B =
   * B_l, or A = W_L ... W_1 and B = F): arccos(&lt;A^T, B&gt; / (|A| |B|)). NaN if either is zero.
   */
  public static double angleTransposedDeg(Matrix a, Matrix b) {
    if (a.rows() != b.cols() || a.cols() != b.rows()) {
      throw new IllegalArgumentException("angle of A^T and B needs B shaped as A^T: A " + a.shape() + ", B " + b.shape());
    }
    double dot = 0;
    double na = 0;
    double nb = 0;
    for (int i = 0; i < a.rows(); i++) {
      for (int j = 0; j < a.cols(); j++) {
        double x = a.data()[a.offset() + i * a.cols() + j];
        double y = b.data()[b.offset() + j * b.cols() + i];
        dot += x * y;
        na += x * x;
        nb += y * y;
      }
    }
    double cos = dot / Math.sqrt(na * nb);
    return Math.toDegrees(Math.acos(Math.max(-1.0, Math.min(1.0, cos))));
  }
}

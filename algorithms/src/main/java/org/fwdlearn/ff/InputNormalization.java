package org.fwdlearn.ff;

import java.util.Locale;
import org.fwdlearn.core.Matrix;

/**
 * The length normalisation of each Forward-Forward layer's input, row by row (ALGORITHMS.md section 7), so
 * that a layer sees only the direction of the previous layer's activity, not its goodness:
 *
 * <ul>
 *   <li>{@link #L2}: {@code z = x / (||x|| + 1e-4)} (Hinton's length normalisation; the mpezeshki code's
 *       epsilon);
 *   <li>{@link #RMS}: {@code z = x / (sqrt(mean_j x_j^2) + 1e-8)} (the loeweX code's, = L2 times sqrt(d)).
 * </ul>
 */
public enum InputNormalization {
  L2(1e-4f),
  RMS(1e-8f);

  private final float epsilon;

  InputNormalization(float epsilon) {
    this.epsilon = epsilon;
  }

  /** The epsilon added to the row's norm. */
  public float epsilon() {
    return epsilon;
  }

  /**
   * {@code z_i = x_i * scale_i} with {@code scale_i = 1 / (norm_i + epsilon)} for every row i; the scales are
   * written to {@code scales[0..rows)}. The squares are summed in double in index order (not by a SIMD
   * reduction, whose lane order may change when the JIT compiles it), so the result is reproducible bit for
   * bit.
   *
   * @param x Not modified.
   * @param z Modified (may be x).
   * @param scales Modified.
   */
  public void apply(Matrix x, Matrix z, float[] scales) {
    if (!x.sameShape(z) || scales.length < x.rows()) {
      throw new IllegalArgumentException(
          "normalize " + x.shape() + " into " + z.shape() + " with " + scales.length + " scales");
    }
    int d = x.cols();
    float[] xd = x.data();
    float[] zd = z.data();
    for (int i = 0; i < x.rows(); i++) {
      int xo = x.offset() + i * d;
      float s = scale(sumOfSquares(xd, xo, d), d);
      scales[i] = s;
      int zo = z.offset() + i * d;
      for (int j = 0; j < d; j++) {
        zd[zo + j] = xd[xo + j] * s;
      }
    }
  }

  /** {@code 1 / (norm + epsilon)} of a row of d features whose squares sum to {@code sumOfSquares}. */
  float scale(double sumOfSquares, int d) {
    float norm = (float) Math.sqrt(this == L2 ? sumOfSquares : sumOfSquares / d);
    return 1f / (norm + epsilon);
  }

  /** The sum of squares of {@code a[off..off+len)} in double, in index order. */
  static double sumOfSquares(float[] a, int off, int len) {
    double s = 0;
    for (int j = 0; j < len; j++) {
      double v = a[off + j];
      s += v * v;
    }
    return s;
  }

  /** Parses {@code l2} or {@code rms}. */
  public static InputNormalization parse(String s) {
    return switch (s.toLowerCase(Locale.ROOT)) {
      case "l2" -> L2;
      case "rms" -> RMS;
      default -> throw new IllegalArgumentException("ff-norm: '" + s + "' is not one of l2, rms");
    };
  }
}

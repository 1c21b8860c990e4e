package org.fwdlearn.analysis;

/**
 * Closed-form Gaussian averages for the activation {@code g(z) = erf(z / sqrt 2)}, whose derivative is
 * {@code g'(z) = sqrt(2/pi) exp(-z^2/2)} (Biehl and Schwarze, J. Phys. A 28, 643 (1995); Saad and Solla,
 * Phys. Rev. E 52, 4225 (1995)). The arguments are jointly Gaussian, zero-mean local fields; {@code c} is their
 * covariance matrix and the integers pick which fields play the roles of {@code a, b, c, d}:
 * <pre>
 *   I2(a,b)     = E[g(a) g(b)]          = (2/pi) asin(C_ab / sqrt((1+C_aa)(1+C_bb)))
 *   I3(a,b,c)   = E[g'(a) b g(c)]       = (2/pi) (C_bc (1+C_aa) - C_ab C_ac) / ((1+C_aa) sqrt(L3)),
 *                 L3 = (1+C_aa)(1+C_cc) - C_ac^2
 *   I4(a,b,c,d) = E[g'(a) g'(b) g(c) g(d)] = (4/pi^2) asin(L0 / sqrt(L1 L2)) / sqrt(L4),
 *                 L4 = (1+C_aa)(1+C_bb) - C_ab^2,
 *                 L0 = L4 C_cd - C_bc C_bd (1+C_aa) - C_ac C_ad (1+C_bb) + C_ab C_ac C_bd + C_ab C_ad C_bc,
 *                 L1 = L4 (1+C_cc) - C_bc^2 (1+C_aa) - C_ac^2 (1+C_bb) + 2 C_ab C_ac C_bc,
 *                 L2 = L4 (1+C_dd) - C_bd^2 (1+C_aa) - C_ad^2 (1+C_bb) + 2 C_ab C_ad C_bd
 *   J2(a,b)     = E[g'(a) g'(b)]        = (2/pi) / sqrt((1+C_aa)(1+C_bb) - C_ab^2)
 * </pre>
 * In {@code I3} the middle field {@code b} enters linearly (it may be any linear field, e.g. the projection of the
 * input on F). The derivations are in {@code docs/theory.md}; {@code ErfIntegralsTest} checks each one against a
 * Monte-Carlo average.
 */
public final class ErfIntegrals {
  private ErfIntegrals() {}

  private static final double TWO_OVER_PI = 2.0 / Math.PI;
  private static final double FOUR_OVER_PI2 = 4.0 / (Math.PI * Math.PI);

  /** {@code g(z) = erf(z / sqrt 2)}. */
  public static double g(double z) {
    return org.fwdlearn.data.TeacherStudent.Activation.ERF.apply(z);
  }

  /** {@code g'(z) = sqrt(2/pi) exp(-z^2/2)}. */
  public static double gPrime(double z) {
    return Math.sqrt(TWO_OVER_PI) * Math.exp(-0.5 * z * z);
  }

  /** {@code E[g(a) g(b)]}. */
  public static double i2(double[][] c, int a, int b) {
    return TWO_OVER_PI * Math.asin(clamp(c[a][b] / Math.sqrt((1 + c[a][a]) * (1 + c[b][b]))));
  }

  /** {@code E[g'(a) g'(b)]}. */
  public static double j2(double[][] c, int a, int b) {
    return TWO_OVER_PI / Math.sqrt((1 + c[a][a]) * (1 + c[b][b]) - c[a][b] * c[a][b]);
  }

  /** {@code E[g'(a) b g(c)]}, {@code b} a linear field. */
  public static double i3(double[][] cov, int a, int b, int c) {
    double caa1 = 1 + cov[a][a];
    double l3 = caa1 * (1 + cov[c][c]) - cov[a][c] * cov[a][c];
    return TWO_OVER_PI * (cov[b][c] * caa1 - cov[a][b] * cov[a][c]) / (caa1 * Math.sqrt(l3));
  }

  /** {@code E[g'(a) g'(b) g(c) g(d)]}. */
  public static double i4(double[][] cov, int a, int b, int c, int d) {
    double caa1 = 1 + cov[a][a];
    double cbb1 = 1 + cov[b][b];
    double cab = cov[a][b];
    double cac = cov[a][c];
    double cad = cov[a][d];
    double cbc = cov[b][c];
    double cbd = cov[b][d];
    double l4 = caa1 * cbb1 - cab * cab;
    double l0 = l4 * cov[c][d] - cbc * cbd * caa1 - cac * cad * cbb1 + cab * cac * cbd + cab * cad * cbc;
    double l1 = l4 * (1 + cov[c][c]) - cbc * cbc * caa1 - cac * cac * cbb1 + 2 * cab * cac * cbc;
    double l2 = l4 * (1 + cov[d][d]) - cbd * cbd * caa1 - cad * cad * cbb1 + 2 * cab * cad * cbd;
    return FOUR_OVER_PI2 * Math.asin(clamp(l0 / Math.sqrt(l1 * l2))) / Math.sqrt(l4);
  }

  private static double clamp(double s) {
    // both arguments are correlations, |.| <= 1 exactly; rounding can push them past 1 by an ulp (e.g. a = b).
    return Math.max(-1.0, Math.min(1.0, s));
  }
}

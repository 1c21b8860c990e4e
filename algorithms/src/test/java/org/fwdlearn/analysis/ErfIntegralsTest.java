package org.fwdlearn.analysis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.fwdlearn.core.Rng;
import org.junit.jupiter.api.Test;

/** The closed-form averages and eps_g against Monte-Carlo estimates, within Z standard errors. */
class ErfIntegralsTest {
  /**
   * Monte-Carlo comparisons pass within Z standard errors: two-sided p = 7e-6 per comparison for a Gaussian
   * mean, so the ~100 comparisons here would all pass by chance with probability > 0.999 if the formulas are
   * right, while a formula off by more than ~5 standard errors fails.
   */
  static final double Z = 4.5;

  private static final int SAMPLES = 200_000;

  /** A random covariance of {@code d} fields: Gram matrix of random vectors, scaled to entries O(1). */
  static double[][] randomCovariance(Rng rng, int d) {
    int dim = d + 3;
    double[][] u = new double[d][dim];
    for (int i = 0; i < d; i++) {
      double scale = 0.3 + rng.nextDouble();
      for (int j = 0; j < dim; j++) {
        u[i][j] = scale * rng.nextGaussian() / Math.sqrt(dim);
      }
    }
    double[][] c = new double[d][d];
    for (int i = 0; i < d; i++) {
      for (int j = 0; j < d; j++) {
        c[i][j] = OrderParameters.dot(u[i], 0, u[j], 0, dim);
      }
    }
    return c;
  }

  /** Lower Cholesky factor of a positive-definite matrix. */
  static double[][] cholesky(double[][] c) {
    int d = c.length;
    double[][] l = new double[d][d];
    for (int i = 0; i < d; i++) {
      for (int j = 0; j <= i; j++) {
        double s = c[i][j];
        for (int p = 0; p < j; p++) {
          s -= l[i][p] * l[j][p];
        }
        l[i][j] = i == j ? Math.sqrt(s) : s / l[j][j];
      }
    }
    return l;
  }

  private static void sample(Rng rng, double[][] l, double[] xi, double[] z) {
    for (int i = 0; i < xi.length; i++) {
      xi[i] = rng.nextGaussian();
    }
    for (int i = 0; i < z.length; i++) {
      double s = 0;
      for (int j = 0; j <= i; j++) {
        s += l[i][j] * xi[j];
      }
      z[i] = s;
    }
  }

  /** Running mean and standard error. */
  static final class Mean {
    private double sum;
    private double sumSq;
    private long n;

    void add(double x) {
      sum += x;
      sumSq += x * x;
      n++;
    }

    double mean() {
      return sum / n;
    }

    double se() {
      double m = mean();
      return Math.sqrt(Math.max(0, sumSq / n - m * m) / (n - 1));
    }

    void assertClose(double expected, String what) {
      double dev = Math.abs(mean() - expected);
      assertTrue(dev <= Z * se(), what + ": closed form " + expected + ", Monte-Carlo " + mean() + " +- " + se());
    }
  }

  @Test
  void averagesMatchMonteCarlo() {
    Rng rng = new Rng(2024);
    int d = 4;
    for (int trial = 0; trial < 4; trial++) {
      double[][] c = randomCovariance(rng, d);
      double[][] l = cholesky(c);
      Mean i2 = new Mean();
      Mean j2 = new Mean();
      Mean i3 = new Mean();
      Mean i3same = new Mean();
      Mean i4 = new Mean();
      Mean i4repeat = new Mean();
      double[] xi = new double[d];
      double[] z = new double[d];
      for (int s = 0; s < SAMPLES; s++) {
        sample(rng, l, xi, z);
        double g0 = ErfIntegrals.g(z[0]);
        double g2 = ErfIntegrals.g(z[2]);
        double g3 = ErfIntegrals.g(z[3]);
        double d0 = ErfIntegrals.gPrime(z[0]);
        double d1 = ErfIntegrals.gPrime(z[1]);
        i2.add(g0 * g3);
        j2.add(d0 * d1);
        i3.add(d0 * z[1] * g2);
        i3same.add(d0 * z[0] * g0);
        i4.add(d0 * d1 * g2 * g3);
        i4repeat.add(d0 * d0 * g0 * g0);
      }
      String at = "trial " + trial;
      i2.assertClose(ErfIntegrals.i2(c, 0, 3), "I2 " + at);
      j2.assertClose(ErfIntegrals.j2(c, 0, 1), "J2 " + at);
      i3.assertClose(ErfIntegrals.i3(c, 0, 1, 2), "I3 " + at);
      i3same.assertClose(ErfIntegrals.i3(c, 0, 0, 0), "I3(a,a,a) " + at);
      i4.assertClose(ErfIntegrals.i4(c, 0, 1, 2, 3), "I4 " + at);
      i4repeat.assertClose(ErfIntegrals.i4(c, 0, 0, 0, 0), "I4(a,a,a,a) " + at);
    }
  }

  @Test
  void gAndItsDerivative() {
    // erf(1/sqrt 2) = P(|Z| < 1) = 0.682689492137086 (16 digits); g' integrates g
    assertEquals(0.682689492137086, ErfIntegrals.g(1.0), 1e-15);
    double h = 1e-5;
    for (double z = -3; z <= 3; z += 0.25) {
      double fd = (ErfIntegrals.g(z + h) - ErfIntegrals.g(z - h)) / (2 * h);
      // central difference: truncation h^2 |g'''| / 6 < 2e-11, rounding 2 ulp(1) / (2h) ~ 2e-11
      assertEquals(fd, ErfIntegrals.gPrime(z), 1e-10, "z = " + z);
    }
  }

  /** A network of random weights; eps_g from its order parameters equals the held-out average of (y^ - y)^2/2. */
  @Test
  void generalisationErrorMatchesMonteCarloForErfAndRelu() {
    Rng rng = new Rng(7);
    int n = 60;
    int k = 3;
    int m = 2;
    double[] w = new double[k * n];
    double[] wStar = new double[m * n];
    for (int i = 0; i < w.length; i++) {
      w[i] = 0.8 * rng.nextGaussian();
    }
    for (int i = 0; i < wStar.length; i++) {
      wStar[i] = rng.nextGaussian();
    }
    double[] v = {0.7, -0.4, 1.1};
    double[] vStar = {1, 0.5};
    OrderParameters op = OrderParameters.measure(n, w, v, wStar, vStar, null, null);
    Mean erf = new Mean();
    Mean relu = new Mean();
    double[] x = new double[n];
    double inv = 1 / Math.sqrt(n);
    for (int s = 0; s < SAMPLES; s++) {
      for (int i = 0; i < n; i++) {
        x[i] = rng.nextGaussian();
      }
      double de = 0;
      double dr = 0;
      for (int a = 0; a < k; a++) {
        double lam = OrderParameters.dot(w, a * n, x, 0, n) * inv;
        de += v[a] * ErfIntegrals.g(lam);
        dr += v[a] * Math.max(0, lam);
      }
      for (int a = 0; a < m; a++) {
        double nu = OrderParameters.dot(wStar, a * n, x, 0, n) * inv;
        de -= vStar[a] * ErfIntegrals.g(nu);
        dr -= vStar[a] * Math.max(0, nu);
      }
      erf.add(0.5 * de * de);
      relu.add(0.5 * dr * dr);
    }
    erf.assertClose(op.generalisationErrorErf(), "eps_g erf");
    relu.assertClose(op.generalisationErrorRelu(), "eps_g relu");
  }

  @Test
  void generalisationErrorVanishesForAPerfectStudent() {
    double[][] t = {{1.0, 0.2}, {0.2, 0.9}};
    double[] one = {1, 1};
    OrderParameters op = new OrderParameters(t, t, t, one, one, new double[2], new double[2], new double[2]);
    // nine asin terms of size <= pi/2 cancel: rounding of a few ulps of 1
    assertEquals(0, op.generalisationErrorErf(), 16 * Math.ulp(1.0));
    assertEquals(0, op.generalisationErrorRelu(), 16 * Math.ulp(1.0));
  }
}

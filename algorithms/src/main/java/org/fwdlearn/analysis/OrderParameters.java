package org.fwdlearn.analysis;

import java.util.Arrays;

/**
 * The order parameters of a two-layer student (K hidden units) learning from a two-layer teacher (M hidden units)
 * on Gaussian inputs {@code x} in R^N:
 * <pre>
 *   Q_kl = w_k . w_l / N,   R_km = w_k . w*_m / N,   T_mn = w*_m . w*_n / N,   v, v*,
 *   S_k  = w_k . F^ / sqrt N,   P_m = w*_m . F^ / sqrt N,
 * </pre>
 * and the fixed feedback {@code b} of FA. {@code F^} is the unit vector along AFA's/PEPITA's F, so
 * {@code zeta = x . F^} is a third kind of local field, of variance 1, next to {@code lambda_k = w_k . x / sqrt N} and
 * {@code nu_m = w*_m . x / sqrt N}: {@link #covariance()} is the joint covariance of
 * {@code (lambda_1..K, nu_1..M, zeta)}. All of these are O(1) when F^ has an O(1) overlap with the weights; for a
 * random F^, {@code S} and {@code P} are O(1/sqrt N).
 *
 * <p>Instances are immutable; the accessors return copies.
 */
public final class OrderParameters {
  final int k;
  final int m;
  final double[][] q;
  final double[][] r;
  final double[][] t;
  final double[] v;
  final double[] vStar;
  final double[] s;
  final double[] p;
  final double[] b;

  /**
   * Order parameters from their values (copied).
   *
   * @param q K x K, symmetric
   * @param r K x M
   * @param t M x M, symmetric
   * @param v length K
   * @param vStar length M
   * @param s length K (zeros if there is no F)
   * @param p length M (zeros if there is no F)
   * @param b length K, FA's feedback (zeros if unused)
   */
  public OrderParameters(
      double[][] q, double[][] r, double[][] t, double[] v, double[] vStar, double[] s, double[] p, double[] b) {
    this.k = v.length;
    this.m = vStar.length;
    check("Q", q, k, k);
    check("R", r, k, m);
    check("T", t, m, m);
    check("S", s, k);
    check("P", p, m);
    check("b", b, k);
    this.q = copy(q);
    this.r = copy(r);
    this.t = copy(t);
    this.v = v.clone();
    this.vStar = vStar.clone();
    this.s = s.clone();
    this.p = p.clone();
    this.b = b.clone();
  }

  /**
   * Measures the order parameters of actual weights.
   *
   * @param n N
   * @param w the student's first layer, K rows of N (row-major). Not modified.
   * @param v the student's second layer, length K. Not modified.
   * @param wStar the teacher's first layer, M rows of N. Not modified.
   * @param vStar the teacher's second layer, length M. Not modified.
   * @param fDir the direction F^ of F (any norm; it is normalised here), or null for none. Not modified.
   * @param b FA's feedback, length K, or null. Not modified.
   */
  public static OrderParameters measure(
      int n, double[] w, double[] v, double[] wStar, double[] vStar, double[] fDir, double[] b) {
    int kk = v.length;
    int mm = vStar.length;
    if (w.length != kk * n || wStar.length != mm * n || (fDir != null && fDir.length != n)) {
      throw new IllegalArgumentException("weights of length " + w.length + " and " + wStar.length
          + " do not match K=" + kk + ", M=" + mm + ", N=" + n);
    }
    double[][] q = new double[kk][kk];
    double[][] r = new double[kk][mm];
    double[][] t = new double[mm][mm];
    for (int a = 0; a < kk; a++) {
      for (int c = a; c < kk; c++) {
        q[a][c] = q[c][a] = dot(w, a * n, w, c * n, n) / n;
      }
      for (int c = 0; c < mm; c++) {
        r[a][c] = dot(w, a * n, wStar, c * n, n) / n;
      }
    }
    for (int a = 0; a < mm; a++) {
      for (int c = a; c < mm; c++) {
        t[a][c] = t[c][a] = dot(wStar, a * n, wStar, c * n, n) / n;
      }
    }
    double[] s = new double[kk];
    double[] p = new double[mm];
    if (fDir != null) {
      double norm = Math.sqrt(dot(fDir, 0, fDir, 0, n));
      double scale = 1.0 / (norm * Math.sqrt(n));
      for (int a = 0; a < kk; a++) {
        s[a] = dot(w, a * n, fDir, 0, n) * scale;
      }
      for (int a = 0; a < mm; a++) {
        p[a] = dot(wStar, a * n, fDir, 0, n) * scale;
      }
    }
    return new OrderParameters(q, r, t, v, vStar, s, p, b == null ? new double[kk] : b);
  }

  /** {@code sum_i x[xo+i] y[yo+i]}, four partial sums (independent chains, for speed). */
  static double dot(double[] x, int xo, double[] y, int yo, int n) {
    double a0 = 0;
    double a1 = 0;
    double a2 = 0;
    double a3 = 0;
    int i = 0;
    for (; i + 3 < n; i += 4) {
      a0 += x[xo + i] * y[yo + i];
      a1 += x[xo + i + 1] * y[yo + i + 1];
      a2 += x[xo + i + 2] * y[yo + i + 2];
      a3 += x[xo + i + 3] * y[yo + i + 3];
    }
    for (; i < n; i++) {
      a0 += x[xo + i] * y[yo + i];
    }
    return (a0 + a1) + (a2 + a3);
  }

  /** K, the student's hidden units. */
  public int studentUnits() {
    return k;
  }

  /** M, the teacher's hidden units. */
  public int teacherUnits() {
    return m;
  }

  /** Q (a copy). */
  public double[][] q() {
    return copy(q);
  }

  /** R (a copy). */
  public double[][] r() {
    return copy(r);
  }

  /** T (a copy). */
  public double[][] t() {
    return copy(t);
  }

  /** v (a copy). */
  public double[] v() {
    return v.clone();
  }

  /** v* (a copy). */
  public double[] vStar() {
    return vStar.clone();
  }

  /** S (a copy). */
  public double[] s() {
    return s.clone();
  }

  /** P (a copy). */
  public double[] p() {
    return p.clone();
  }

  /** FA's feedback b (a copy). */
  public double[] b() {
    return b.clone();
  }

  /**
   * The (K + M + 1) x (K + M + 1) covariance of the local fields {@code (lambda_1..K, nu_1..M, zeta)}: blocks
   * Q, R, T, with S and P against zeta, whose variance is 1.
   */
  public double[][] covariance() {
    int d = k + m + 1;
    double[][] c = new double[d][d];
    int z = k + m;
    for (int a = 0; a < k; a++) {
      for (int bb = 0; bb < k; bb++) {
        c[a][bb] = q[a][bb];
      }
      for (int bb = 0; bb < m; bb++) {
        c[a][k + bb] = c[k + bb][a] = r[a][bb];
      }
      c[a][z] = c[z][a] = s[a];
    }
    for (int a = 0; a < m; a++) {
      for (int bb = 0; bb < m; bb++) {
        c[k + a][k + bb] = t[a][bb];
      }
      c[k + a][z] = c[z][k + a] = p[a];
    }
    c[z][z] = 1;
    return c;
  }

  /**
   * The generalisation error {@code eps_g = E_x[(y^ - y)^2] / 2} of erf units, exact for Gaussian inputs:
   * {@code (1/pi) [sum_kl v_k v_l asin(Q_kl / sqrt((1+Q_kk)(1+Q_ll))) + sum_mn v*_m v*_n asin(T_mn / ...)
   * - 2 sum_km v_k v*_m asin(R_km / sqrt((1+Q_kk)(1+T_mm)))]}.
   */
  public double generalisationErrorErf() {
    double[][] c = covariance();
    double e = 0;
    for (int a = 0; a < k + m; a++) {
      double wa = a < k ? v[a] : -vStar[a - k];
      for (int bb = 0; bb < k + m; bb++) {
        double wb = bb < k ? v[bb] : -vStar[bb - k];
        e += wa * wb * ErfIntegrals.i2(c, a, bb);
      }
    }
    return 0.5 * e;
  }

  /**
   * The generalisation error of ReLU units, exact for Gaussian inputs, from the arc-cosine kernel
   * {@code E[relu(a) relu(b)] = sqrt(C_aa C_bb) (sin th + (pi - th) cos th) / (2 pi)}, {@code cos th = C_ab /
   * sqrt(C_aa C_bb)} (Cho and Saul 2009).
   */
  public double generalisationErrorRelu() {
    double[][] c = covariance();
    double e = 0;
    for (int a = 0; a < k + m; a++) {
      double wa = a < k ? v[a] : -vStar[a - k];
      for (int bb = 0; bb < k + m; bb++) {
        double wb = bb < k ? v[bb] : -vStar[bb - k];
        double sd = Math.sqrt(c[a][a] * c[bb][bb]);
        if (sd == 0) {
          continue;
        }
        double cos = Math.max(-1, Math.min(1, c[a][bb] / sd));
        double th = Math.acos(cos);
        e += wa * wb * sd * (Math.sin(th) + (Math.PI - th) * cos) / (2 * Math.PI);
      }
    }
    return 0.5 * e;
  }

  /**
   * The feedback {@code c} that a rule sends to the first layer: v for BP, b for FA, S for AFA and PEPITA (up to
   * the positive factor |F|, which the cosine of {@link #alignment(Rule)} ignores).
   */
  public double[] feedback(Rule rule) {
    return switch (rule) {
      case BP -> v.clone();
      case FA -> b.clone();
      case AFA, PEPITA -> s.clone();
    };
  }

  /**
   * The cosine between the rule's effective feedback ({@link #feedback(Rule)}) and the second-layer weights v: 1
   * for BP; for FA and AFA it measures how well the feedback has aligned with the weights it stands in for. NaN
   * if either vector is zero.
   */
  public double alignment(Rule rule) {
    double[] c = feedback(rule);
    double cv = 0;
    double cc = 0;
    double vv = 0;
    for (int a = 0; a < k; a++) {
      cv += c[a] * v[a];
      cc += c[a] * c[a];
      vv += v[a] * v[a];
    }
    return cc == 0 || vv == 0 ? Double.NaN : cv / Math.sqrt(cc * vv);
  }

  /** The named scalar values, in the order of {@link #names(int, int)}: Q (upper triangle), R, v, S, then b. */
  public double[] values() {
    double[] out = new double[k * (k + 1) / 2 + k * m + 3 * k];
    int i = 0;
    for (int a = 0; a < k; a++) {
      for (int c = a; c < k; c++) {
        out[i++] = q[a][c];
      }
    }
    for (int a = 0; a < k; a++) {
      for (int c = 0; c < m; c++) {
        out[i++] = r[a][c];
      }
    }
    for (int a = 0; a < k; a++) {
      out[i++] = v[a];
    }
    for (int a = 0; a < k; a++) {
      out[i++] = s[a];
    }
    for (int a = 0; a < k; a++) {
      out[i++] = b[a];
    }
    return out;
  }

  /** Column names matching {@link #values()}: {@code Q11, Q12, .., R11, .., v1, .., S1, .., b1, ..} (1-based). */
  public static String[] names(int k, int m) {
    String[] out = new String[k * (k + 1) / 2 + k * m + 3 * k];
    int i = 0;
    for (int a = 0; a < k; a++) {
      for (int c = a; c < k; c++) {
        out[i++] = "Q" + (a + 1) + "_" + (c + 1);
      }
    }
    for (int a = 0; a < k; a++) {
      for (int c = 0; c < m; c++) {
        out[i++] = "R" + (a + 1) + "_" + (c + 1);
      }
    }
    for (String pre : new String[] {"v", "S", "b"}) {
      for (int a = 0; a < k; a++) {
        out[i++] = pre + (a + 1);
      }
    }
    return out;
  }

  /** Whether every order parameter is finite. */
  public boolean isFinite() {
    for (double x : values()) {
      if (!Double.isFinite(x)) {
        return false;
      }
    }
    return true;
  }

  @Override
  public String toString() {
    return "OrderParameters{Q=" + Arrays.deepToString(q) + ", R=" + Arrays.deepToString(r) + ", T="
        + Arrays.deepToString(t) + ", v=" + Arrays.toString(v) + ", v*=" + Arrays.toString(vStar) + ", S="
        + Arrays.toString(s) + ", P=" + Arrays.toString(p) + ", b=" + Arrays.toString(b) + "}";
  }

  private static double[][] copy(double[][] a) {
    double[][] c = new double[a.length][];
    for (int i = 0; i < a.length; i++) {
      c[i] = a[i].clone();
    }
    return c;
  }

  private static void check(String name, double[][] a, int rows, int cols) {
    if (a == null || a.length != rows) {
      throw new IllegalArgumentException(name + " must be " + rows + " x " + cols + ", got "
          + (a == null ? "null" : a.length + " rows"));
    }
    for (double[] row : a) {
      if (row == null || row.length != cols) {
        throw new IllegalArgumentException(name + " must be " + rows + " x " + cols + ", got a row of length "
            + (row == null ? "null" : row.length));
      }
    }
  }

  private static void check(String name, double[] a, int len) {
    if (a == null || a.length != len) {
      throw new IllegalArgumentException(name + " must have length " + len + ", got "
          + (a == null ? "null" : a.length));
    }
  }
}

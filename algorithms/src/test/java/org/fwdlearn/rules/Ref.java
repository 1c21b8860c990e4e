package org.fwdlearn.rules;

import static org.junit.jupiter.api.Assertions.fail;

import org.fwdlearn.core.Matrix;

/**
 * A double-precision reference for the rules' equations, written from ALGORITHMS.md independently of the
 * library (plain loops, no Ops). Every value carries a first-order bound of the float32 rounding error the
 * library may make when computing it: a value V with magnitude M may differ from the float result by at most
 * about K * u * M, where u = 2^-24 and K bounds the inner dimensions plus the length of the chain (the
 * classical bound gamma_K |A||B| of a dot product, propagated through each operation by its Lipschitz
 * constant).
 */
final class Ref {
  private Ref() {}

  /** Unit roundoff of float32. */
  static final double U = 0x1p-24;

  /** A value and its rounding-error magnitude. */
  record V(double[][] v, double[][] m) {
    int rows() {
      return v.length;
    }

    int cols() {
      return v.length == 0 ? 0 : v[0].length;
    }
  }

  static double[][] zeros(int r, int c) {
    return new double[r][c];
  }

  /** An exactly known input (m = 0). */
  static V of(Matrix a) {
    double[][] v = new double[a.rows()][a.cols()];
    for (int i = 0; i < a.rows(); i++) {
      for (int j = 0; j < a.cols(); j++) {
        v[i][j] = a.get(i, j);
      }
    }
    return new V(v, zeros(a.rows(), a.cols()));
  }

  static V of(double[][] v) {
    return new V(v, zeros(v.length, v.length == 0 ? 0 : v[0].length));
  }

  static double[][] transpose(double[][] a) {
    int r = a.length;
    int c = r == 0 ? 0 : a[0].length;
    double[][] t = new double[c][r];
    for (int i = 0; i < r; i++) {
      for (int j = 0; j < c; j++) {
        t[j][i] = a[i][j];
      }
    }
    return t;
  }

  static V t(V a) {
    return new V(transpose(a.v), transpose(a.m));
  }

  /** alpha * a b (a r x k, b k x c); magnitude |a||b| + M_a|b| + |a|M_b, times |alpha|. */
  static V mul(double alpha, V a, V b) {
    int r = a.rows();
    int k = a.cols();
    int c = b.cols();
    if (b.rows() != k) {
      throw new IllegalArgumentException("inner dimensions " + k + " vs " + b.rows());
    }
    double[][] v = new double[r][c];
    double[][] m = new double[r][c];
    for (int i = 0; i < r; i++) {
      for (int j = 0; j < c; j++) {
        double s = 0;
        double mm = 0;
        for (int q = 0; q < k; q++) {
          s += a.v[i][q] * b.v[q][j];
          mm += Math.abs(a.v[i][q]) * Math.abs(b.v[q][j]) + a.m[i][q] * Math.abs(b.v[q][j])
              + Math.abs(a.v[i][q]) * b.m[q][j];
        }
        v[i][j] = alpha * s;
        m[i][j] = Math.abs(alpha) * mm;
      }
    }
    return new V(v, m);
  }

  static V add(double alpha, V a, double beta, V b) {
    double[][] v = new double[a.rows()][a.cols()];
    double[][] m = new double[a.rows()][a.cols()];
    for (int i = 0; i < a.rows(); i++) {
      for (int j = 0; j < a.cols(); j++) {
        v[i][j] = alpha * a.v[i][j] + beta * b.v[i][j];
        m[i][j] = Math.abs(alpha) * a.m[i][j] + Math.abs(beta) * b.m[i][j] + Math.abs(v[i][j])
            + Math.abs(alpha * a.v[i][j]) + Math.abs(beta * b.v[i][j]);
      }
    }
    return new V(v, m);
  }

  /** relu is 1-Lipschitz: the error bound passes through. */
  static V relu(V a) {
    double[][] v = new double[a.rows()][a.cols()];
    for (int i = 0; i < a.rows(); i++) {
      for (int j = 0; j < a.cols(); j++) {
        v[i][j] = Math.max(0, a.v[i][j]);
      }
    }
    return new V(v, copy(a.m));
  }

  static double[][] copy(double[][] a) {
    double[][] c = new double[a.length][];
    for (int i = 0; i < a.length; i++) {
      c[i] = a[i].clone();
    }
    return c;
  }

  /** Elementwise product with an exact mask. */
  static V mask(V a, double[][] mask) {
    if (mask == null) {
      return a;
    }
    double[][] v = new double[a.rows()][a.cols()];
    double[][] m = new double[a.rows()][a.cols()];
    for (int i = 0; i < a.rows(); i++) {
      for (int j = 0; j < a.cols(); j++) {
        v[i][j] = a.v[i][j] * mask[i][j];
        m[i][j] = a.m[i][j] * Math.abs(mask[i][j]) + Math.abs(v[i][j]);
      }
    }
    return new V(v, m);
  }

  /** X / ||X||_F; returns the result, the norm in {@code norm[0]}. */
  static V normalize(V a, double[] norm) {
    double s = 0;
    for (double[] row : a.v) {
      for (double x : row) {
        s += x * x;
      }
    }
    s = Math.sqrt(s);
    norm[0] = s;
    double[][] v = new double[a.rows()][a.cols()];
    double ym = 0;
    for (int i = 0; i < a.rows(); i++) {
      for (int j = 0; j < a.cols(); j++) {
        v[i][j] = a.v[i][j] / s;
        ym += Math.abs(v[i][j]) * a.m[i][j];
      }
    }
    double[][] m = new double[a.rows()][a.cols()];
    for (int i = 0; i < a.rows(); i++) {
      for (int j = 0; j < a.cols(); j++) {
        m[i][j] = (a.m[i][j] + Math.abs(v[i][j]) * ym) / s + 4 * Math.abs(v[i][j]) * (a.rows() * a.cols());
      }
    }
    return new V(v, m);
  }

  /** Multiplies g by the normalization Jacobian (I - y y^T)/s, y = the normalized output. */
  static V normJacobian(V g, V y, double s) {
    double dot = 0;
    double dm = 0;
    for (int i = 0; i < g.rows(); i++) {
      for (int j = 0; j < g.cols(); j++) {
        dot += y.v[i][j] * g.v[i][j];
        dm += Math.abs(y.v[i][j] * g.v[i][j]) + Math.abs(y.v[i][j]) * g.m[i][j] + y.m[i][j] * Math.abs(g.v[i][j]);
      }
    }
    double[][] v = new double[g.rows()][g.cols()];
    double[][] m = new double[g.rows()][g.cols()];
    for (int i = 0; i < g.rows(); i++) {
      for (int j = 0; j < g.cols(); j++) {
        v[i][j] = (g.v[i][j] - y.v[i][j] * dot) / s;
        m[i][j] = (g.m[i][j] + Math.abs(y.v[i][j]) * dm + y.m[i][j] * Math.abs(dot) + Math.abs(g.v[i][j])
            + Math.abs(y.v[i][j] * dot)) / s;
      }
    }
    return new V(v, m);
  }

  /** d where pre > 0, else 0; where pre is within its own error bound of 0 the derivative is ambiguous. */
  static V reluBackward(V pre, V d, double k) {
    double[][] v = new double[d.rows()][d.cols()];
    double[][] m = new double[d.rows()][d.cols()];
    for (int i = 0; i < d.rows(); i++) {
      for (int j = 0; j < d.cols(); j++) {
        boolean on = pre.v[i][j] > 0;
        v[i][j] = on ? d.v[i][j] : 0;
        m[i][j] = on ? d.m[i][j] : 0;
        if (Math.abs(pre.v[i][j]) <= 4 * k * U * pre.m[i][j]) {
          m[i][j] += Math.abs(d.v[i][j]) / (k * U);
        }
      }
    }
    return new V(v, m);
  }

  /** Row softmax; |dP| <= 2 max_j |dA_j| per row, plus rounding of exp and the division. */
  static V softmax(V a) {
    double[][] v = new double[a.rows()][a.cols()];
    double[][] m = new double[a.rows()][a.cols()];
    for (int i = 0; i < a.rows(); i++) {
      double max = Double.NEGATIVE_INFINITY;
      double maxErr = 0;
      for (int j = 0; j < a.cols(); j++) {
        max = Math.max(max, a.v[i][j]);
        maxErr = Math.max(maxErr, a.m[i][j]);
      }
      double sum = 0;
      for (int j = 0; j < a.cols(); j++) {
        v[i][j] = Math.exp(a.v[i][j] - max);
        sum += v[i][j];
      }
      for (int j = 0; j < a.cols(); j++) {
        v[i][j] /= sum;
        m[i][j] = 2 * maxErr + 8;
      }
    }
    return new V(v, m);
  }

  static double[][] oneHot(int[] labels, int n, int c) {
    double[][] t = new double[n][c];
    for (int i = 0; i < n; i++) {
      t[i][labels[i]] = 1;
    }
    return t;
  }

  static double[][] maskOf(Matrix m) {
    return m == null ? null : of(m).v;
  }

  /** One forward pass: h[0] = x, a[l], h[l] (l < L), p, norms. */
  static final class Pass {
    final V[] a;
    final V[] h;
    final V p;
    final double[] norms;

    Pass(V[] w, V x, double[][][] masks, boolean normalize) {
      this(w, x, null, masks, normalize);
    }

    /** The pass with A_1 given ({@code a1}, with its own error magnitude) instead of computed from x. */
    Pass(V[] w, V x, V a1, double[][][] masks, boolean normalize) {
      int layers = w.length - 1;
      a = new V[layers + 1];
      h = new V[layers];
      norms = new double[layers];
      h[0] = x;
      for (int l = 1; l <= layers; l++) {
        a[l] = l == 1 && a1 != null ? a1 : mul(1, h[l - 1], t(w[l]));
        if (l < layers) {
          V r = mask(relu(a[l]), masks == null ? null : masks[l]);
          if (normalize) {
            double[] s = new double[1];
            r = normalize(r, s);
            norms[l] = s[0];
          }
          h[l] = r;
        }
      }
      p = softmax(a[layers]);
    }
  }

  /** Weights W_1..W_L of a network as exact values, index l. */
  static V[] weights(org.fwdlearn.nn.Network net) {
    V[] w = new V[net.layers() + 1];
    for (int l = 1; l <= net.layers(); l++) {
      w[l] = of(net.weight(l));
    }
    return w;
  }

  static double[][][] masks(org.fwdlearn.nn.DropoutMasks masks, int layers) {
    double[][][] m = new double[layers][][];
    if (masks.active()) {
      for (int l = 1; l < layers; l++) {
        m[l] = maskOf(masks.mask(l));
      }
    }
    return m;
  }

  /**
   * Asserts |actual - expected| <= k u M + abs elementwise, with k the error-growth factor (inner dimension
   * plus chain length, times a safety factor).
   */
  static void assertClose(Matrix actual, V expected, double k, String what) {
    if (actual.rows() != expected.rows() || actual.cols() != expected.cols()) {
      fail(what + ": shape " + actual.shape() + " vs " + expected.rows() + "x" + expected.cols());
    }
    for (int i = 0; i < actual.rows(); i++) {
      for (int j = 0; j < actual.cols(); j++) {
        double e = expected.v[i][j];
        double tol = k * U * expected.m[i][j];
        double got = actual.get(i, j);
        if (!(Math.abs(got - e) <= tol)) {
          fail(what + "(" + i + "," + j + "): got " + got + ", expected " + e + " +- " + tol);
        }
      }
    }
  }

  /**
   * The backpropagation-family update in double, from the spec's equations: D_L = P - T; D_l = J_l^T (D_{l+1}
   * back[l+1]) (.) M_l (.) relu'(A_l) (J_l the normalization Jacobian); G_l = D_l^T H_{l-1} / n. With back[l]
   * = W_l this is BP, with back[l] = B_l^T feedback alignment.
   */
  static V[] backprop(V[] back, Pass pass, double[][][] masks, boolean norm, int[] y, double k) {
    int layers = pass.a.length - 1;
    int n = pass.p.rows();
    V t = of(oneHot(y, n, pass.p.cols()));
    V d = add(1, pass.p, -1, t);
    V[] g = new V[layers + 1];
    g[layers] = mul(1.0 / n, t(d), pass.h[layers - 1]);
    for (int l = layers - 1; l >= 1; l--) {
      V up = mul(1, d, back[l + 1]);
      if (norm) {
        up = normJacobian(up, pass.h[l], pass.norms[l]);
      }
      up = mask(up, masks[l]);
      d = reluBackward(pass.a[l], up, k);
      g[l] = mul(1.0 / n, t(d), pass.h[l - 1]);
    }
    return g;
  }
}

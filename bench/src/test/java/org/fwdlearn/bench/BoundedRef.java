package org.fwdlearn.bench;

import java.util.List;
import org.fwdlearn.core.Matrix;

/**
 * A double-precision reference of the training steps of {@link EjmlTrainStep}, written from ALGORITHMS.md
 * (sections 2, 3, 3.4, 4) with plain loops, in which every value carries a first-order bound of the float32
 * rounding error an implementation may make when computing it (as algorithms' test {@code Ref}): a value v with
 * magnitude m may differ from a float computation of it by at most about k u m, u = 2^-24, where k bounds the
 * number of roundings along a chain (inner dimension of the products plus chain length). A product {@code a b}
 * has magnitude {@code |a||b| + m_a|b| + |a| m_b} (the classical gamma_K |A||B| bound, propagated); a sum
 * {@code alpha a + beta b} has {@code |alpha| m_a + |beta| m_b + |v| + |alpha a| + |beta b|}; ReLU passes the
 * magnitude through (1-Lipschitz); softmax has {@code 2 max_j m_j + 8} per row; a ReLU derivative whose argument
 * lies within its own error bound of 0 may go either way, and adds the whole value to the magnitude.
 */
final class BoundedRef {
  private BoundedRef() {}

  /** Unit roundoff of float32. */
  static final double U = 0x1p-24;

  /** A row-major r x c value and its rounding-error magnitude. */
  record T(int r, int c, double[] v, double[] m) {
    static T zeros(int r, int c) {
      return new T(r, c, new double[r * c], new double[r * c]);
    }

    /** An exactly known input (magnitude 0). */
    static T exact(Matrix a) {
      double[] v = new double[a.size()];
      for (int i = 0; i < a.rows(); i++) {
        for (int j = 0; j < a.cols(); j++) {
          v[i * a.cols() + j] = a.get(i, j);
        }
      }
      return new T(a.rows(), a.cols(), v, new double[v.length]);
    }

    T transpose() {
      double[] tv = new double[v.length];
      double[] tm = new double[m.length];
      for (int i = 0; i < r; i++) {
        for (int j = 0; j < c; j++) {
          tv[j * r + i] = v[i * c + j];
          tm[j * r + i] = m[i * c + j];
        }
      }
      return new T(c, r, tv, tm);
    }
  }

  /** alpha a b (a r x k, b k x c). */
  static T mul(double alpha, T a, T b) {
    if (a.c != b.r) {
      throw new IllegalArgumentException("inner dimensions " + a.r + "x" + a.c + " times " + b.r + "x" + b.c);
    }
    int r = a.r;
    int k = a.c;
    int c = b.c;
    double[] babs = new double[b.v.length];
    boolean bInexact = false;
    for (int i = 0; i < babs.length; i++) {
      babs[i] = Math.abs(b.v[i]);
      bInexact |= b.m[i] != 0;
    }
    double[] v = new double[r * c];
    double[] m = new double[r * c];
    for (int i = 0; i < r; i++) {
      int row = i * c;
      for (int p = 0; p < k; p++) {
        double aip = a.v[i * k + p];
        double aAbsErr = Math.abs(aip) + a.m[i * k + p];
        int brow = p * c;
        for (int j = 0; j < c; j++) {
          v[row + j] += aip * b.v[brow + j];
          m[row + j] += aAbsErr * babs[brow + j];
        }
        if (bInexact) {
          double aAbs = Math.abs(aip);
          for (int j = 0; j < c; j++) {
            m[row + j] += aAbs * b.m[brow + j];
          }
        }
      }
    }
    double aa = Math.abs(alpha);
    for (int i = 0; i < v.length; i++) {
      v[i] *= alpha;
      m[i] *= aa;
    }
    return new T(r, c, v, m);
  }

  /** alpha a + beta b. */
  static T add(double alpha, T a, double beta, T b) {
    if (a.r != b.r || a.c != b.c) {
      throw new IllegalArgumentException("add: " + a.r + "x" + a.c + " and " + b.r + "x" + b.c);
    }
    double[] v = new double[a.v.length];
    double[] m = new double[a.v.length];
    for (int i = 0; i < v.length; i++) {
      double x = alpha * a.v[i];
      double y = beta * b.v[i];
      v[i] = x + y;
      m[i] = Math.abs(alpha) * a.m[i] + Math.abs(beta) * b.m[i] + Math.abs(v[i]) + Math.abs(x) + Math.abs(y);
    }
    return new T(a.r, a.c, v, m);
  }

  /** relu(a) (.) mask (mask exact, null for none). */
  static T reluMasked(T a, double[] mask) {
    double[] v = new double[a.v.length];
    double[] m = new double[a.v.length];
    for (int i = 0; i < v.length; i++) {
      double h = Math.max(0, a.v[i]);
      if (mask == null) {
        v[i] = h;
        m[i] = a.m[i];
      } else {
        v[i] = h * mask[i];
        m[i] = a.m[i] * Math.abs(mask[i]) + Math.abs(v[i]);
      }
    }
    return new T(a.r, a.c, v, m);
  }

  /** Row softmax; |dP| <= 2 max_j |dA_j| per row, plus the rounding of exp, the sum and the division. */
  static T softmax(T a) {
    double[] v = new double[a.v.length];
    double[] m = new double[a.v.length];
    for (int i = 0; i < a.r; i++) {
      int o = i * a.c;
      double max = Double.NEGATIVE_INFINITY;
      double maxErr = 0;
      for (int j = 0; j < a.c; j++) {
        max = Math.max(max, a.v[o + j]);
        maxErr = Math.max(maxErr, a.m[o + j]);
      }
      double sum = 0;
      for (int j = 0; j < a.c; j++) {
        v[o + j] = Math.exp(a.v[o + j] - max);
        sum += v[o + j];
      }
      for (int j = 0; j < a.c; j++) {
        v[o + j] /= sum;
        m[o + j] = 2 * maxErr + 8;
      }
    }
    return new T(a.r, a.c, v, m);
  }

  /**
   * d (.) mask (.) relu'(pre); where pre lies within 4 k u m_pre of 0 the float derivative is ambiguous, and
   * |d| / (k u) is added to the magnitude (so the tolerance k u m covers either choice).
   */
  static T reluBackward(T pre, T d, double[] mask, double k) {
    double[] v = new double[d.v.length];
    double[] m = new double[d.v.length];
    for (int i = 0; i < v.length; i++) {
      double x = mask == null ? d.v[i] : d.v[i] * mask[i];
      double mx = mask == null ? d.m[i] : d.m[i] * Math.abs(mask[i]) + Math.abs(x);
      boolean on = pre.v[i] > 0;
      v[i] = on ? x : 0;
      m[i] = on ? mx : 0;
      if (Math.abs(pre.v[i]) <= 4 * k * U * pre.m[i]) {
        m[i] += Math.abs(x) / (k * U);
      }
    }
    return new T(d.r, d.c, v, m);
  }

  static T oneHot(int[] labels, int n, int classes) {
    T t = T.zeros(n, classes);
    for (int i = 0; i < n; i++) {
      t.v[i * classes + labels[i]] = 1;
    }
    return t;
  }

  /** One forward pass: h[0] = x, a[1..L], h[1..L-1], p. */
  static final class Pass {
    final T[] a;
    final T[] h;
    final T p;

    Pass(T[] w, T x, double[][] masks) {
      int layers = w.length - 1;
      a = new T[layers + 1];
      h = new T[layers];
      h[0] = x;
      for (int l = 1; l <= layers; l++) {
        a[l] = mul(1, h[l - 1], w[l].transpose());
        if (l < layers) {
          h[l] = reluMasked(a[l], masks == null ? null : masks[l]);
        }
      }
      p = softmax(a[layers]);
    }
  }

  /** The reference trainer: weights W_1..W_L, momentum buffers, SGD with PyTorch semantics. */
  static final class Trainer {
    final T[] w; // 1..L
    final T[] vel; // 1..L
    /** Per layer, the entries to which the last step's rule gave a non-zero G (either half for pepita-tl). */
    final boolean[][] touched; // 1..L
    final int layers;
    final double lr;
    final double momentum;
    final double weightDecay;
    final double k;

    /** From the given weights and momentum buffers (exact), W_1 and V_1 first. */
    Trainer(List<Matrix> weights, List<Matrix> velocity, double lr, double momentum, double weightDecay, double k) {
      layers = weights.size();
      w = new T[layers + 1];
      vel = new T[layers + 1];
      touched = new boolean[layers + 1][];
      for (int l = 1; l <= layers; l++) {
        w[l] = T.exact(weights.get(l - 1));
        vel[l] = T.exact(velocity.get(l - 1));
        touched[l] = new boolean[w[l].v.length];
      }
      this.lr = lr;
      this.momentum = momentum;
      this.weightDecay = weightDecay;
      this.k = k;
    }

    private void touch(int l, T g) {
      for (int i = 0; i < g.v.length; i++) {
        touched[l][i] |= g.v[i] != 0;
      }
    }

    /** g = G + lambda W; V = mu V + g; W = W - eta V. */
    void sgd(T[] g) {
      for (int l = 1; l <= layers; l++) {
        touch(l, g[l]);
        T gl = weightDecay != 0 ? add(1, g[l], weightDecay, w[l]) : g[l];
        vel[l] = add(momentum, vel[l], 1, gl);
        w[l] = add(1, w[l], -lr, vel[l]);
      }
    }

    /** V = V + G; W = W - eta G (the second half of a time-local step). */
    void addToStep(T[] g) {
      for (int l = 1; l <= layers; l++) {
        touch(l, g[l]);
        vel[l] = add(1, vel[l], 1, g[l]);
        w[l] = add(1, w[l], -lr, g[l]);
      }
    }

    /**
     * One step of {@code rule} on (x, y).
     *
     * @param masks the masks of the (first) pass, index 1..L-1 (null: no dropout)
     * @param masks2 pepita-tl: the fresh masks of the second pass
     * @param f F (d_0 x C) for the PEPITA family
     * @param b B_2..B_L at indices 2..L for fa
     */
    void step(String rule, T x, int[] y, double[][] masks, double[][] masks2, T f, T[] b) {
      int n = x.r;
      for (boolean[] t : touched) {
        if (t != null) {
          java.util.Arrays.fill(t, false);
        }
      }
      Pass clean = new Pass(w, x, masks);
      T t = oneHot(y, n, clean.p.c);
      T e = add(1, clean.p, -1, t);
      T[] g = new T[layers + 1];
      switch (rule) {
        case "pepita" -> {
          T xmod = add(1, x, -1, mul(1, e, f.transpose()));
          Pass mod = new Pass(w, xmod, masks);
          if (layers == 1) {
            g[1] = mul(1.0 / n, e.transpose(), x);
          } else {
            for (int l = 1; l < layers; l++) {
              g[l] = mul(1.0 / n, add(1, clean.h[l], -1, mod.h[l]).transpose(), mod.h[l - 1]);
            }
            g[layers] = mul(1.0 / n, e.transpose(), mod.h[layers - 1]);
          }
          sgd(g);
        }
        case "pepita-tl" -> {
          for (int l = 1; l < layers; l++) {
            g[l] = mul(1.0 / n, clean.h[l].transpose(), clean.h[l - 1]);
          }
          g[layers] = mul(1.0 / n, clean.p.transpose(), clean.h[layers - 1]);
          sgd(g);
          T xmod = add(1, x, -1, mul(1, e, f.transpose()));
          Pass mod = new Pass(w, xmod, masks2);
          T[] g2 = new T[layers + 1];
          for (int l = 1; l < layers; l++) {
            g2[l] = mul(-1.0 / n, mod.h[l].transpose(), mod.h[l - 1]);
          }
          g2[layers] = mul(-1.0 / n, t.transpose(), mod.h[layers - 1]);
          addToStep(g2);
        }
        case "bp", "fa" -> {
          g[layers] = mul(1.0 / n, e.transpose(), clean.h[layers - 1]);
          T d = e;
          for (int l = layers - 1; l >= 1; l--) {
            T up = rule.equals("bp") ? mul(1, d, w[l + 1]) : mul(1, d, b[l + 1].transpose());
            d = reluBackward(clean.a[l], up, masks == null ? null : masks[l], k);
            g[l] = mul(1.0 / n, d.transpose(), clean.h[l - 1]);
          }
          sgd(g);
        }
        default -> throw new IllegalArgumentException("rule " + rule);
      }
    }
  }
}

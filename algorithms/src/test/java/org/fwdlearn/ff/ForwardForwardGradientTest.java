package org.fwdlearn.ff;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.fwdlearn.core.Init;
import org.fwdlearn.core.Matrix;
import org.fwdlearn.core.Rng;
import org.fwdlearn.core.ThreadPool;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Each layer's analytic Forward-Forward gradient against central finite differences of its loss, computed
 * here in double from ALGORITHMS.md section 7 (the layer's input z is fixed: nothing crosses layers).
 */
class ForwardForwardGradientTest {
  private static final double U = 0x1p-24;
  private static final int N = 4;
  private static final int C = 3;

  private static double gamma(int k) {
    return k * U / (1 - k * U);
  }

  private static double softplus(double x) {
    return Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));
  }

  /** The layer's loss in double: FF logistic loss over 2n rows plus lambda * peer loss (running mean from 0). */
  private static double loss(
      double[][] z, double[][] w, double[] b, Goodness goodness, double theta, double peer, double mu) {
    int rows = z.length;
    int units = w.length;
    int n = rows / 2;
    double sum = 0;
    double[] mean = new double[units];
    for (int i = 0; i < rows; i++) {
      double g = 0;
      for (int j = 0; j < units; j++) {
        double a = b == null ? 0 : b[j];
        for (int k = 0; k < z[i].length; k++) {
          a += z[i][k] * w[j][k];
        }
        double h = Math.max(a, 0);
        g += h * h;
        if (i < n) {
          mean[j] += h / n;
        }
      }
      if (goodness == Goodness.MEAN) {
        g /= units;
      }
      double s = g - theta;
      sum += i < n ? softplus(-s) : softplus(s);
    }
    double total = sum / rows;
    if (peer > 0) {
      double rbar = 0;
      for (int j = 0; j < units; j++) {
        mean[j] *= 1 - mu; // r = mu * 0 + (1 - mu) * mean_pos h
        rbar += mean[j] / units;
      }
      double pl = 0;
      for (int j = 0; j < units; j++) {
        pl += (rbar - mean[j]) * (rbar - mean[j]) / units;
      }
      total += peer * pl;
    }
    return total;
  }

  private static double[][] toDouble(Matrix m) {
    double[][] d = new double[m.rows()][m.cols()];
    for (int i = 0; i < m.rows(); i++) {
      for (int j = 0; j < m.cols(); j++) {
        d[i][j] = m.get(i, j);
      }
    }
    return d;
  }

  @ParameterizedTest(name = "{0} goodness, {1} normalisation, biases {2}, threshold {3}, shortcut {4}, label value {5}")
  @CsvSource({
    "SUM, RMS, true, NaN, true, 1.0",
    "SUM, RMS, true, NaN, false, 1.0",
    "SUM, L2, true, 0.5, true, 1.0",
    "MEAN, L2, false, 0.05, false, 1.0",
    "MEAN, L2, false, 0.05, true, 1.0",
    "MEAN, L2, true, 0.05, true, 2.8215",
    "MEAN, L2, true, 0.05, false, 2.8215",
    "MEAN, RMS, true, 0.8, true, 1.0",
    "SUM, RMS, false, NaN, false, 1.0"
  })
  void layerGradientsMatchFiniteDifferences(
      Goodness goodness, InputNormalization norm, boolean biases, float threshold, boolean shortcut, float labelValue) {
    check(goodness, norm, biases, threshold, 0f, 0f, shortcut, labelValue);
  }

  /**
   * Peer normalisation passes its gradient through the ReLU unchanged, which is the true gradient only where
   * units are active: large positive biases keep every unit on, so finite differences apply.
   */
  @Test
  void peerNormalisationGradientMatchesFiniteDifferencesWhenAllUnitsAreActive() {
    check(Goodness.SUM, InputNormalization.RMS, true, Float.NaN, 0.5f, 4f, true, 1f);
  }

  private void check(
      Goodness goodness, InputNormalization norm, boolean biases, float threshold, float peer, float biasShift,
      boolean shortcut, float labelValue) {
    int[] sizes = {8, 6, 5};
    FfNetwork.Options o = new FfNetwork.Options(C, goodness, threshold, norm, biases, labelValue, 1f / C);
    FfNetwork net = FfNetwork.create(sizes, o, FfNetwork.InitScheme.HE_UNIFORM, new Rng(11));
    if (biases) {
      for (int l = 1; l <= 2; l++) {
        Init.uniform(net.bias(l), -0.3f + biasShift, 0.3f + biasShift, new Rng(20 + l));
      }
    }
    Matrix x = Init.uniform(new Matrix(N, sizes[0]), 0f, 1f, new Rng(12));
    int[] y = {0, 2, 1, 2};
    ForwardForward ff = new ForwardForward(net, N, peer, 0.9f, null, ThreadPool.sequential(), new Rng(13));
    ff.setFirstLayerShortcut(shortcut);
    ff.computeGradients(x, y, 1, 2);
    for (int l = 1; l <= 2; l++) {
      // Layer 1's input, embedded and normalised here in double; layer 2's is the pass's z_1.
      double[][] z =
          l == 1 ? inputs(x, y, ff.negativeLabels(), norm, labelValue) : toDouble(ff.stackedPass().normalized(1));
      double[][] w = toDouble(net.weight(l));
      double[] b = biases ? toDouble(net.bias(l))[0] : null;
      double theta = net.threshold(l);
      if (biasShift > 0) {
        assertAllActive(z, w, b);
      }
      // Peer term of each unit (added to dL/dA of the positive rows) and a bound of its rounding error.
      double[] peerAdd = new double[w.length];
      double[] peerErr = new double[w.length];
      if (peer > 0) {
        float[] r = ff.peerMeans(l);
        double rbar = 0;
        for (int j = 0; j < w.length; j++) {
          rbar += r[j] / (double) w.length;
        }
        double k = peer * 2.0 / w.length * 0.1 / N;
        for (int j = 0; j < w.length; j++) {
          peerAdd[j] = k * Math.abs(r[j] - rbar);
          peerErr[j] = k * 8 * U * (Math.abs(r[j]) + Math.abs(rbar) + 1) + U * peerAdd[j];
        }
      }
      Bound bound = new Bound(ff, l, z, w, b, goodness.factor(w.length), peerAdd, peerErr);
      // Central differences in double with step 1e-5: truncation ~ 1e-10 |L'''| and rounding ~ 1e-16 / 1e-5,
      // both far below the float bound (h^2 is C^1 at the ReLU kink, so a crossing costs O(step)).
      double step = 1e-5;
      double fdTol = 1e-8;
      Matrix g = ff.weightGradient(l);
      double maxAbs = 0;
      for (int j = 0; j < w.length; j++) {
        for (int k = 0; k < w[j].length; k++) {
          double keep = w[j][k];
          w[j][k] = keep + step;
          double up = loss(z, w, b, goodness, theta, peer, 0.9);
          w[j][k] = keep - step;
          double down = loss(z, w, b, goodness, theta, peer, 0.9);
          w[j][k] = keep;
          double fd = (up - down) / (2 * step);
          maxAbs = Math.max(maxAbs, Math.abs(fd));
          assertEquals(fd, g.get(j, k), bound.weight(j, k) + fdTol, "dL/dW" + l + "[" + j + "," + k + "]");
        }
      }
      assertTrue(maxAbs > 1e-4, "layer " + l + "'s gradient should not vanish in this test (max " + maxAbs + ")");
      if (biases) {
        Matrix gb = ff.biasGradient(l);
        for (int j = 0; j < b.length; j++) {
          double keep = b[j];
          b[j] = keep + step;
          double up = loss(z, w, b, goodness, theta, peer, 0.9);
          b[j] = keep - step;
          double down = loss(z, w, b, goodness, theta, peer, 0.9);
          b[j] = keep;
          assertEquals((up - down) / (2 * step), gb.get(0, j), bound.bias(j) + fdTol, "dL/db" + l + "[" + j + "]");
        }
      }
      assertEquals(loss(z, w, b, goodness, theta, 0, 0.9), ff.loss(l), 1e-5, "reported loss of layer " + l);
    }
  }

  /** The 2N embedded and normalised inputs: positive rows, then negative rows. */
  private static double[][] inputs(Matrix x, int[] y, int[] neg, InputNormalization norm, double value) {
    int d = x.cols();
    double[][] z = new double[2 * N][d];
    for (int i = 0; i < 2 * N; i++) {
      int label = i < N ? y[i] : neg[i - N];
      double sq = 0;
      for (int k = 0; k < d; k++) {
        z[i][k] = k < C ? (k == label ? value : 0) : x.get(i % N, k);
        sq += z[i][k] * z[i][k];
      }
      double div = norm == InputNormalization.L2 ? Math.sqrt(sq) + 1e-4 : Math.sqrt(sq / d) + 1e-8;
      for (int k = 0; k < d; k++) {
        z[i][k] /= div;
      }
    }
    return z;
  }

  private static void assertAllActive(double[][] z, double[][] w, double[] b) {
    for (double[] row : z) {
      for (int j = 0; j < w.length; j++) {
        double a = b[j];
        for (int k = 0; k < row.length; k++) {
          a += row[k] * w[j][k];
        }
        assertTrue(a > 0.01, "the peer test needs every unit active, got a = " + a);
      }
    }
  }

  /**
   * First-order bound of the float rounding error of G_W and G_b, from the computation's structure: h = relu(z
   * W^T + b) with error gamma_{d+1} (|z||W| + |b|); goodness error dg_i = factor * sum_j |h_ij| dh_ij (it is
   * summed in double); dL/dA = coef_i h_ij with coef_i's error factor/(2n) * sigmoid' (&lt;= 1/4) * dg_i plus a
   * rounding u; G = D^T z with error gamma_{2n} |D|^T |z| plus dD^T |z|. Doubled for safety.
   */
  private static final class Bound {
    private final double[][] d;
    private final double[][] dd;
    private final double[][] z;

    Bound(ForwardForward ff, int l, double[][] z, double[][] w, double[] b, float factor, double[] peerAdd,
        double[] peerErr) {
      this.z = z;
      int rows = z.length;
      int units = w.length;
      d = new double[rows][units];
      dd = new double[rows][units];
      Matrix h = ff.stackedPass().hidden(l);
      for (int i = 0; i < rows; i++) {
        double[] dh = new double[units];
        double dg = 0;
        for (int j = 0; j < units; j++) {
          double mag = b == null ? 0 : Math.abs(b[j]);
          for (int k = 0; k < z[i].length; k++) {
            mag += Math.abs(z[i][k] * w[j][k]);
          }
          dh[j] = gamma(z[i].length + 4) * mag; // includes the float normalisation of z (a few u |z|)
          dg += factor * Math.abs(h.get(i, j)) * dh[j];
        }
        double coefMax = factor / (double) rows; // |sigmoid - y| <= 1
        double dcoef = factor / (double) rows * 0.25 * dg + U * coefMax;
        for (int j = 0; j < units; j++) {
          double hij = Math.abs(h.get(i, j));
          boolean pos = i < rows / 2;
          d[i][j] = coefMax * hij + (pos ? peerAdd[j] : 0);
          dd[i][j] = coefMax * dh[j] + hij * dcoef + U * coefMax * hij + (pos ? peerErr[j] + U * d[i][j] : 0);
        }
      }
    }

    double weight(int j, int k) {
      double s = 0;
      double e = 0;
      for (int i = 0; i < z.length; i++) {
        s += d[i][j] * Math.abs(z[i][k]);
        e += dd[i][j] * Math.abs(z[i][k]);
      }
      return 2 * (gamma(z.length + 6) * s + e);
    }

    double bias(int j) {
      double s = 0;
      double e = 0;
      for (int i = 0; i < z.length; i++) {
        s += d[i][j];
        e += dd[i][j];
      }
      return 2 * (gamma(z.length + 2) * s + e);
    }
  }

  @Test
  void gradientPartsSumToTheGradientAndHaveTheExpectedSigns() {
    int[] sizes = {8, 6};
    FfNetwork.Options o = new FfNetwork.Options(C, Goodness.SUM, Float.NaN, InputNormalization.RMS, false, 1f, 1f / C);
    FfNetwork net = FfNetwork.create(sizes, o, FfNetwork.InitScheme.HE_UNIFORM, new Rng(31));
    Matrix x = Init.uniform(new Matrix(N, 8), 0f, 1f, new Rng(32));
    ForwardForward ff = new ForwardForward(net, N, 0f, 0.9f, null, ThreadPool.sequential(), new Rng(33));
    ff.computeGradients(x, new int[] {1, 0, 2, 1}, 1, 1); // with the first-layer shortcut
    Matrix pos = new Matrix(6, 8);
    Matrix neg = new Matrix(6, 8);
    ff.gradientParts(1, pos, neg);
    Matrix g = ff.weightGradient(1);
    // Inputs and activities are >= 0: the positive part is minus a Hebbian product (<= 0), the negative part
    // a Hebbian product (>= 0).
    for (int j = 0; j < 6; j++) {
      for (int k = 0; k < 8; k++) {
        assertTrue(pos.get(j, k) <= 0f && neg.get(j, k) >= 0f, "signs at " + j + "," + k);
        double tol = 4 * gamma(2 * N) * (Math.abs(pos.get(j, k)) + Math.abs(neg.get(j, k)));
        assertEquals(g.get(j, k), pos.get(j, k) + neg.get(j, k), tol + 1e-12);
      }
    }
    // The negative labels are wrong labels.
    int[] y = {1, 0, 2, 1};
    for (int i = 0; i < N; i++) {
      assertTrue(ff.negativeLabels()[i] != y[i] && ff.negativeLabels()[i] >= 0 && ff.negativeLabels()[i] < C);
    }
  }

  @Test
  void readoutGradientMatchesFiniteDifferencesOfTheCrossEntropy() {
    int[] sizes = {8, 6, 5};
    FfNetwork.Options o = new FfNetwork.Options(C, Goodness.SUM, Float.NaN, InputNormalization.RMS, true, 1f, 1f / C);
    FfNetwork net = FfNetwork.create(sizes, o, FfNetwork.InitScheme.HE_UNIFORM, new Rng(41));
    LinearReadout r = new LinearReadout(net, 1);
    for (int l = 1; l <= 2; l++) {
      Init.uniform(r.block(l), -0.5f, 0.5f, new Rng(42 + l));
    }
    Matrix x = Init.uniform(new Matrix(N, 8), 0f, 1f, new Rng(45));
    int[] y = {2, 0, 1, 1};
    ForwardForward ff = new ForwardForward(net, N, 0f, 0.9f, r, ThreadPool.sequential(), new Rng(46));
    ff.computeGradients(x, y, 1, 2);
    // The neutral pass's features, recomputed by a fresh pass (same weights, same input code).
    FfPass p = new FfPass(net, N);
    LabelEmbedding.neutral(x, C, 1f / C, p.input());
    p.run(2, ThreadPool.sequential());
    double[][][] f = {null, toDouble(p.normalized(1)), toDouble(p.normalized(2))};
    double[][][] rw = {null, toDouble(r.block(1)), toDouble(r.block(2))};
    List<Matrix> grads = ff.readoutGradients();
    double step = 1e-6;
    for (int l = 1; l <= 2; l++) {
      for (int c = 0; c < C; c++) {
        for (int k = 0; k < rw[l][c].length; k++) {
          double keep = rw[l][c][k];
          rw[l][c][k] = keep + step;
          double up = crossEntropy(f, rw, y);
          rw[l][c][k] = keep - step;
          double down = crossEntropy(f, rw, y);
          rw[l][c][k] = keep;
          // Features have |z| <= sqrt(d) (RMS); logits and softmax carry relative errors ~ gamma_11; the
          // gradient is a mean of N terms |p - t| |z| <= sqrt(6): bound 4 * gamma_16 * sqrt(6) + FD 1e-8.
          assertEquals((up - down) / (2 * step), grads.get(l - 1).get(c, k), 4 * gamma(16) * Math.sqrt(6) + 1e-8,
              "dCE/dR" + l + "[" + c + "," + k + "]");
        }
      }
    }
    assertEquals(crossEntropy(f, rw, y), ff.readoutLoss(), 1e-5);
  }

  private static double crossEntropy(double[][][] f, double[][][] rw, int[] y) {
    double total = 0;
    for (int i = 0; i < y.length; i++) {
      double[] s = new double[C];
      for (int c = 0; c < C; c++) {
        for (int l = 1; l <= 2; l++) {
          for (int k = 0; k < f[l][i].length; k++) {
            s[c] += f[l][i][k] * rw[l][c][k];
          }
        }
      }
      double max = Math.max(s[0], Math.max(s[1], s[2]));
      double sum = 0;
      for (double v : s) {
        sum += Math.exp(v - max);
      }
      total += Math.log(sum) + max - s[y[i]];
    }
    return total / y.length;
  }
}

package org.fwdlearn.rules;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import org.fwdlearn.core.Matrix;
import org.fwdlearn.nn.Network;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Backpropagation's G_l is the gradient of the batch's mean cross-entropy (finite differences in double). */
class BackpropagationTest {

  /** Mean cross-entropy of the double-precision check network with the rule's masks. */
  private static double loss(Ref.V[] w, Ref.V x, double[][][] masks, boolean normalize, int[] labels) {
    Ref.Pass pass = new Ref.Pass(w, x, masks, normalize);
    Ref.V a = pass.a[w.length - 1];
    double s = 0;
    for (int i = 0; i < a.rows(); i++) {
      double max = Double.NEGATIVE_INFINITY;
      for (double v : a.v()[i]) {
        max = Math.max(max, v);
      }
      double z = 0;
      for (double v : a.v()[i]) {
        z += Math.exp(v - max);
      }
      s += Math.log(z) + max - a.v()[i][labels[i]];
    }
    return s / a.rows();
  }

  private static double fd(Ref.V[] w, int l, int i, int j, double h, Ref.V x, double[][][] masks, boolean norm, int[] y) {
    double orig = w[l].v()[i][j];
    w[l].v()[i][j] = orig + h;
    double plus = loss(w, x, masks, norm, y);
    w[l].v()[i][j] = orig - h;
    double minus = loss(w, x, masks, norm, y);
    w[l].v()[i][j] = orig;
    return (plus - minus) / (2 * h);
  }

  @ParameterizedTest(name = "dropout {0}, normalization {1}")
  @CsvSource({"0.0, false", "0.3, false", "0.0, true", "0.3, true"})
  void gradientEqualsCentralFiniteDifference(float dropout, boolean normalize) {
    int n = 5;
    Network net = RuleFixtures.network(11, normalize, 6, 5, 4, 3);
    Matrix x = RuleFixtures.inputs(12, n, 6);
    int[] y = RuleFixtures.labels(13, n, 3);
    Backpropagation bp = new Backpropagation(RuleFixtures.context(net, n, dropout, 14));
    bp.computeGradients(x, y);

    double k = RuleFixtures.growth(net, n);
    Ref.V[] w = Ref.weights(net);
    Ref.V xr = Ref.of(x);
    double[][][] masks = Ref.masks(bp.masks(), net.layers());
    Ref.Pass pass = new Ref.Pass(w, xr, masks, normalize);
    Ref.V[] ref = Ref.backprop(w, pass, masks, normalize, y, k);
    double h = 1e-5;
    int checked = 0;
    for (int l = 1; l <= net.layers(); l++) {
      Matrix g = bp.gradient(l);
      for (int i = 0; i < g.rows(); i++) {
        for (int j = 0; j < g.cols(); j++) {
          double f1 = fd(w, l, i, j, h, xr, masks, normalize, y);
          double f2 = fd(w, l, i, j, 2 * h, xr, masks, normalize, y);
          // Central differences err by c h^2: f2 - f1 = 3 c h^2, three times f1's error. Add float rounding.
          double tol = Math.abs(f2 - f1) + 1e-9 + k * Ref.U * ref[l].m()[i][j];
          if (!(Math.abs(g.get(i, j) - f1) <= tol)) {
            fail("dL/dW" + l + "(" + i + "," + j + "): BP " + g.get(i, j) + ", finite difference " + f1 + " +- " + tol);
          }
          checked++;
        }
      }
      Ref.assertClose(g, ref[l], k, "G" + l);
    }
    assertTrue(checked == 6 * 5 + 5 * 4 + 4 * 3);
  }
}

package org.fwdlearn.rules;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.fwdlearn.core.Init;
import org.fwdlearn.core.Matrix;
import org.fwdlearn.core.Rng;
import org.fwdlearn.nn.Network;
import org.fwdlearn.optim.Sgd;
import org.junit.jupiter.api.Test;

/**
 * Pins the cause of DRTP's divergence under the paper's protocol (lr 0.01, momentum 0.9; docs/RESULTS.md): the
 * hidden layers' learning signal {@code T K_l} is the one-hot target, not the error, so it does not vanish as
 * the network learns. On non-negative inputs (pixels) a hidden unit whose feedback column pushes its weights
 * along the inputs keeps the same update on every step: its weights and pre-activations grow linearly, without
 * bound, and the output layer's delta rule sees ever larger inputs.
 */
class DrtpDriftTest {
  private static final int N = 6;

  @Test
  void hiddenUpdateDoesNotDependOnTheOutputLayer() {
    Network a = RuleFixtures.network(71, false, 8, 5, 3);
    Network b = a.copy();
    b.weight(2).fill(0f); // uniform prediction: a different error on every example
    Matrix x = RuleFixtures.inputs(72, N, 8);
    int[] y = RuleFixtures.labels(73, N, 3);
    Matrix k = Init.uniform(new Matrix(3, 5), -1f, 1f, new Rng(74));
    DirectRandomTargetProjection ra = new DirectRandomTargetProjection(RuleFixtures.context(a, N, 0f, 75), List.of(k));
    DirectRandomTargetProjection rb = new DirectRandomTargetProjection(RuleFixtures.context(b, N, 0f, 75), List.of(k));
    ra.computeGradients(x, y);
    rb.computeGradients(x, y);
    assertTrue(ra.gradient(1).contentEquals(rb.gradient(1)), "DRTP's G1 depends on W2");
    assertFalse(ra.gradient(2).contentEquals(rb.gradient(2)), "the output layer's G2 must differ (delta rule)");
    // DFA, for contrast: its hidden signal is the error, so W2 changes G1.
    DirectFeedbackAlignment da = new DirectFeedbackAlignment(RuleFixtures.context(a, N, 0f, 75), List.of(k));
    DirectFeedbackAlignment db = new DirectFeedbackAlignment(RuleFixtures.context(b, N, 0f, 75), List.of(k));
    da.computeGradients(x, y);
    db.computeGradients(x, y);
    assertFalse(da.gradient(1).contentEquals(db.gradient(1)), "DFA's G1 must depend on W2");
  }

  @Test
  void aUnitWithNegativeFeedbackGrowsLinearlyWithoutBound() {
    int d0 = 8;
    int d1 = 4;
    Network net = RuleFixtures.network(81, false, d0, d1, 3);
    Matrix w1 = net.weight(1);
    for (int j = 0; j < d0; j++) {
      w1.set(0, j, 0.05f); // unit 0 starts active on every positive input
    }
    Matrix k = Init.uniform(new Matrix(3, d1), -1f, 1f, new Rng(82));
    for (int c = 0; c < 3; c++) {
      k.set(c, 0, -0.5f - 0.1f * c); // unit 0: negative feedback for every class
    }
    Matrix x = Init.uniform(new Matrix(N, d0), 0.1f, 1f, new Rng(83)); // positive inputs, like pixels
    int[] y = RuleFixtures.labels(84, N, 3);
    DirectRandomTargetProjection rule =
        new DirectRandomTargetProjection(RuleFixtures.context(net, N, 0f, 85), List.of(k));
    float lr = 0.01f;
    Sgd sgd = new Sgd(net.weights(), lr, 0f, 0f);

    // G1's row 0 with unit 0 active everywhere: -(1/N) sum_i |K[y_i, 0]| x_i, in double.
    double[] g = new double[d0];
    for (int i = 0; i < N; i++) {
      for (int j = 0; j < d0; j++) {
        g[j] += k.get(y[i], 0) * (double) x.get(i, j) / N;
      }
    }
    double gNorm = 0;
    for (double v : g) {
      gNorm += v * v;
    }
    gNorm = Math.sqrt(gNorm);
    float[] w0 = new float[d0];
    for (int j = 0; j < d0; j++) {
      w0[j] = w1.get(0, j);
    }

    int steps = 2000;
    double eps = Math.ulp(1f) / 2;
    double[] previous = preActivations(w1, x);
    Matrix firstRow = null;
    double maxW = 0;
    for (int s = 1; s <= steps; s++) {
      rule.step(x, y, sgd);
      Matrix row = rule.gradient(1).rows(0, 1).copy();
      if (firstRow == null) {
        firstRow = row;
      } else {
        assertTrue(row.contentEquals(firstRow), "unit 0's update changed at step " + s);
      }
      double[] a = preActivations(w1, x);
      for (int i = 0; i < N; i++) {
        assertTrue(a[i] > previous[i], "pre-activation of example " + i + " did not grow at step " + s);
      }
      previous = a;
      for (int j = 0; j < d0; j++) {
        maxW = Math.max(maxW, Math.abs(w1.get(0, j)));
      }
    }
    // w_0(S) = w_0(0) - S lr g, up to one rounding of lr * g and one of the subtraction per step, plus G1's own
    // rounding: an entry is a sum of N terms |K x| / N <= 1 / N, so (N + 1) eps, scaled by lr on every step.
    double moved = 0;
    double movedBound = 0;
    for (int j = 0; j < d0; j++) {
      double expected = w0[j] - steps * (double) lr * g[j];
      double bound = steps * eps * (maxW + 2 * lr * Math.abs(g[j])) + steps * lr * (N + 1) * eps;
      double actual = w1.get(0, j);
      assertTrue(Math.abs(actual - expected) <= bound,
          "w[0][" + j + "] = " + actual + ", expected " + expected + " +- " + bound);
      moved += Math.pow(actual - w0[j], 2);
      movedBound += bound * bound;
    }
    // Linear growth: after S steps the row has moved S lr |g| in a fixed direction (and keeps going).
    moved = Math.sqrt(moved);
    assertTrue(Math.abs(moved - steps * lr * gNorm) <= Math.sqrt(movedBound),
        "moved " + moved + ", expected " + steps * lr * gNorm);
  }

  private static double[] preActivations(Matrix w1, Matrix x) {
    double[] a = new double[x.rows()];
    for (int i = 0; i < x.rows(); i++) {
      for (int j = 0; j < x.cols(); j++) {
        a[i] += (double) w1.get(0, j) * x.get(i, j);
      }
    }
    return a;
  }
}

package org.fwdlearn.analysis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.fwdlearn.analysis.ErfIntegralsTest.Mean;
import org.junit.jupiter.api.Test;

/**
 * The ODEs' right-hand side equals N times the mean one-step increment of every order parameter (Q, R, S and v),
 * measured on the simulation itself: the same state is stepped on many fresh samples.
 */
class OrderParameterOdeTest {
  private static final int N = 300;
  private static final int SAMPLES = 40_000;

  private static void checkRule(Rule rule) {
    // a random start with a partly aligned F: Q, R, S, v all O(1) and distinct; eta = 2 makes the eta^2 term count
    Setup setup = Setup.defaults(Setup.Start.RANDOM, N, 2, 2, rule).withRates(2.0, 1.5).withInit(0.3, 0.2, 0.8)
        .withF(0.7, 1.0, Setup.FScale.UNIT);
    OnlineSimulation sim = new OnlineSimulation(setup, 11);
    double[][] weights = sim.weights();
    double[] w0 = weights[0];
    double[] v0 = weights[1];
    OrderParameters op0 = sim.measure();
    OrderParameterOde ode = new OrderParameterOde(rule, setup.odeRate(), setup.etaV(), op0);
    double[] rhs = ode.rhs(op0);
    double[] y0 = OrderParameterOde.pack(op0);
    int dim = y0.length;
    Mean[] inc = new Mean[dim];
    for (int i = 0; i < dim; i++) {
      inc[i] = new Mean();
    }
    int k = 2;
    double[] c = op0.feedback(rule);
    double[] wStar = weights[2];
    double[] vStar = weights[3];
    double[] f = weights[4];
    // the eta^2 term of dQ/dt carries |x|^2 / N, whose finite-N bias is bounded by sqrt(E f^2) sqrt(2 D) / N
    // with f = g'(lambda_k) g'(lambda_l) e^2 and D = K + M the fields' dimension (docs/theory.md)
    Mean[] fSq = {new Mean(), new Mean(), new Mean()};
    for (int s = 0; s < SAMPLES; s++) {
      sim.setStudent(w0, v0);
      sim.step();
      double[][] after = sim.weights();
      OrderParameters op = OrderParameters.measure(N, after[0], after[1], wStar, vStar, f, after[5]);
      double[] y = OrderParameterOde.pack(op);
      for (int i = 0; i < dim; i++) {
        inc[i].add(N * (y[i] - y0[i]));
      }
      // f for the bias bound, from the step's own error: recompute the fields of the pre-step weights
      double[] d = sim.lastFields();
      fSq[0].add(Math.pow(d[0] * d[0] * d[2] * d[2], 2));
      fSq[1].add(Math.pow(d[0] * d[1] * d[2] * d[2], 2));
      fSq[2].add(Math.pow(d[1] * d[1] * d[2] * d[2], 2));
    }
    double eta = setup.odeRate();
    double sqrt2d = Math.sqrt(2.0 * (k + 2));
    String[] names = {"Q11", "Q12", "Q21", "Q22", "R11", "R12", "R21", "R22", "S1", "S2", "v1", "v2"};
    for (int i = 0; i < dim; i++) {
      double bias = 0;
      if (i < 4) {
        int a = i / 2;
        int b = i % 2;
        Mean fs = fSq[a + b];
        bias = eta * eta * Math.abs(c[a] * c[b]) * Math.sqrt(fs.mean()) * sqrt2d / N;
      }
      double dev = Math.abs(inc[i].mean() - rhs[i]);
      assertTrue(dev <= ErfIntegralsTest.Z * inc[i].se() + bias, rule + " d" + names[i] + "/dt: ODE " + rhs[i]
          + ", N * mean increment " + inc[i].mean() + " +- " + inc[i].se() + " (bias bound " + bias + ")");
    }
  }

  @Test
  void backpropagation() {
    checkRule(Rule.BP);
  }

  @Test
  void feedbackAlignment() {
    checkRule(Rule.FA);
  }

  @Test
  void adaptiveFeedbackAlignment() {
    checkRule(Rule.AFA);
  }

  @Test
  void packAndUnpackRoundTrip() {
    Setup setup = Setup.defaults(Setup.Start.HEAD, 50, 3, 2, Rule.AFA);
    OrderParameters op = new OnlineSimulation(setup, 3).measure();
    OrderParameterOde ode = new OrderParameterOde(Rule.AFA, 1, 1, op);
    OrderParameters back = ode.unpack(OrderParameterOde.pack(op));
    assertEquals(op.toString(), back.toString());
    assertEquals(3 * 3 + 3 * 2 + 2 * 3, ode.dimension());
  }

  @Test
  void rejectsPepitaAndBadRates() {
    OrderParameters op = new OnlineSimulation(Setup.defaults(Setup.Start.HEAD, 20, 2, 2, Rule.BP), 1).measure();
    assertThrows(IllegalArgumentException.class, () -> new OrderParameterOde(Rule.PEPITA, 1, 1, op));
    assertThrows(IllegalArgumentException.class, () -> new OrderParameterOde(Rule.BP, -1, 1, op));
    assertThrows(IllegalArgumentException.class, () -> new OrderParameterOde(Rule.BP, 1, Double.NaN, op));
  }
}

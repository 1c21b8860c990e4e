package org.fwdlearn.analysis;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class OnlineSimulationTest {
  @Test
  void sameSeedSameRun() {
    Setup setup = Setup.defaults(Setup.Start.RANDOM, 100, 2, 3, Rule.PEPITA);
    OnlineSimulation a = new OnlineSimulation(setup, 4);
    OnlineSimulation b = new OnlineSimulation(setup, 4);
    a.advanceTo(500);
    b.advanceTo(500);
    assertArrayEquals(a.weights()[0], b.weights()[0], 0.0);
    assertArrayEquals(a.weights()[1], b.weights()[1], 0.0);
  }

  @Test
  void everyRuleOfASeedStartsAlike() {
    OrderParameters bp = new OnlineSimulation(Setup.defaults(Setup.Start.HEAD, 200, 2, 2, Rule.BP), 9).measure();
    for (Rule r : Rule.values()) {
      OrderParameters op = new OnlineSimulation(Setup.defaults(Setup.Start.HEAD, 200, 2, 2, r), 9).measure();
      assertEquals(bp.toString(), op.toString(), r.toString());
    }
  }

  /**
   * Head start: w_k = 0.3 w*_k + 0.2 xi_k, so R_kk - 0.3 T_kk = 0.2 xi_k . w*_k / N, of standard deviation
   * 0.2 sqrt(T_kk / N); and F^ has exactly the requested cosine rho with sum_k v_k w_k.
   */
  @Test
  void headStartOverlapsAndFDirection() {
    int n = 1000;
    double rho = 0.6;
    Setup setup = Setup.defaults(Setup.Start.HEAD, n, 3, 3, Rule.AFA).withF(rho, 1.0, Setup.FScale.UNIT);
    OnlineSimulation sim = new OnlineSimulation(setup, 2);
    OrderParameters op = sim.measure();
    for (int k = 0; k < 3; k++) {
      double sd = 0.2 * Math.sqrt(op.t[k][k] / n);
      assertEquals(0.3 * op.t[k][k], op.r[k][k], ErfIntegralsTest.Z * sd, "R_" + k + k);
      assertEquals(1.0, op.v[k], 0.0);
    }
    double[][] w = sim.weights();
    double[] d = new double[n];
    for (int k = 0; k < 3; k++) {
      for (int i = 0; i < n; i++) {
        d[i] += w[1][k] * w[0][k * n + i];
      }
    }
    double cos = OrderParameters.dot(d, 0, w[4], 0, n)
        / Math.sqrt(OrderParameters.dot(d, 0, d, 0, n) * OrderParameters.dot(w[4], 0, w[4], 0, n));
    // built as rho d^ + sqrt(1 - rho^2) r^ with r^ orthogonalised against d^: exact up to rounding of N-term sums
    assertEquals(rho, cos, 1e-12);
    assertEquals(1.0, Math.sqrt(OrderParameters.dot(w[4], 0, w[4], 0, n)), 1e-12);
  }

  /** With rho = 1, F^ lies in the span of the w_k for both directions: its projection there, S^T Q^-1 S, is 1. */
  @Test
  void fullOverlapPutsFInTheSpanOfTheStudentWeights() {
    for (Setup.FDirection d : Setup.FDirection.values()) {
      Setup setup = Setup.defaults(Setup.Start.RANDOM, 400, 2, 2, Rule.AFA).withFDirection(d);
      OrderParameters op = new OnlineSimulation(setup, 8).measure();
      double[][] q = op.q;
      double det = q[0][0] * q[1][1] - q[0][1] * q[1][0];
      double[] s = op.s;
      double proj = (q[1][1] * s[0] * s[0] - 2 * q[0][1] * s[0] * s[1] + q[0][0] * s[1] * s[1]) / det;
      // rounding of N-term sums, amplified by 1/det (Q ~ identity here)
      assertEquals(1.0, proj, 1e-10, d.toString());
    }
  }

  /**
   * PEPITA is AFA plus O(|F|) (spec section 6) at equal eta_w |F|: from the same state and samples, the gap in the
   * weights after a few hundred steps halves when |F| halves (the ratio tends to 2 as |F| goes to 0; the O(|F|^2)
   * remainder moves it by a few percent at these sizes).
   */
  @Test
  void pepitaApproachesAfaAtFirstOrderInF() {
    Setup base = Setup.defaults(Setup.Start.HEAD, 200, 2, 2, Rule.AFA);
    OnlineSimulation afa = new OnlineSimulation(base, 6);
    afa.advanceTo(400);
    double[] gap = new double[2];
    double[] norms = {0.02, 0.01};
    for (int i = 0; i < 2; i++) {
      OnlineSimulation pep = new OnlineSimulation(base.withRule(Rule.PEPITA).withF(1.0, norms[i],
          Setup.FScale.UNIT), 6);
      pep.advanceTo(400);
      double[] a = afa.weights()[0];
      double[] p = pep.weights()[0];
      double g = 0;
      for (int j = 0; j < a.length; j++) {
        g += (a[j] - p[j]) * (a[j] - p[j]);
      }
      gap[i] = Math.sqrt(g);
    }
    double ratio = gap[0] / gap[1];
    assertTrue(gap[1] > 0 && ratio > 1.8 && ratio < 2.2, "gap ratio " + ratio + " gaps " + gap[0] + ", " + gap[1]);
  }

  @Test
  void blowUpStaysFiniteAndIsReported() {
    // PEPITA with |F| = 3 at eta_w |F| = 1 blows up at this size: eps_g grows exponentially from t ~ 3 (Q reaches
    // ~1e27 by t = 20), where the asin arguments of eps_g round past 1 unless clamped
    Setup setup = Setup.defaults(Setup.Start.HEAD, 200, 2, 2, Rule.PEPITA).withF(1.0, 3.0, Setup.FScale.UNIT);
    double[] times = Trajectory.timeGrid(20, 10, 200);
    Trajectory t = Trajectory.run(setup, 0, times, 0, 1);
    int last = times.length - 1;
    assertTrue(Double.isNaN(t.divergedAt()), "weights overflowed at t=" + t.divergedAt());
    assertTrue(t.failedToLearn(), "eps_g " + t.simError()[0] + " -> " + t.simError()[last]);
    assertTrue(Double.isFinite(t.simError()[last]) && t.simError()[last] > 1e6, "eps_g " + t.simError()[last]);
    // |ode - sim| / sim tends to 1 when the simulation's error dwarfs the ODE's
    assertEquals(1.0, Trajectory.maxRelativeDeviation(List.of(t), 0, 20), 1e-6);
  }

  @Test
  void overflowIsReportedNotPropagated() {
    // ReLU units (no ODE) at a rate far past stability: the weights overflow to infinity within a few hundred steps
    Setup setup = Setup.defaults(Setup.Start.HEAD, 50, 2, 2, Rule.BP).withRates(1e6, 1e6)
        .withActivation(org.fwdlearn.data.TeacherStudent.Activation.RELU);
    double[] times = Trajectory.timeGrid(20, 5, 50);
    Trajectory t = Trajectory.run(setup, 0, times, 0, 1);
    assertFalse(Double.isNaN(t.divergedAt()), "expected overflow");
    assertTrue(Double.isNaN(t.simError()[times.length - 1]));
    assertTrue(t.failedToLearn());
    // no ODE for ReLU units
    assertTrue(Double.isNaN(t.odeError()[0]));
  }

  @Test
  void timeGridIsWholeStepsFromZero() {
    double[] t = Trajectory.timeGrid(60, 40, 500);
    assertEquals(0.0, t[0]);
    assertEquals(60.0, t[t.length - 1]);
    for (int i = 1; i < t.length; i++) {
      assertTrue(t[i] > t[i - 1]);
      assertEquals(Math.rint(t[i] * 500), t[i] * 500, 1e-9);
    }
  }
}

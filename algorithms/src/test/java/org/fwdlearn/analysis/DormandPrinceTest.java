package org.fwdlearn.analysis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class DormandPrinceTest {
  /** dy/dt = -y (first component) and a harmonic oscillator (second and third). */
  private static final Ode LINEAR = new Ode() {
    @Override
    public int dimension() {
      return 3;
    }

    @Override
    public void derivative(double t, double[] y, double[] dydt) {
      dydt[0] = -y[0];
      dydt[1] = y[2];
      dydt[2] = -y[1];
    }
  };

  @Test
  void linearSystemWithinTheSumOfLocalTolerances() {
    double rtol = 1e-8;
    double atol = 1e-12;
    DormandPrince dp = new DormandPrince(LINEAR, rtol, atol, 1_000_000);
    double[] times = {0, 0.5, 3, 10};
    double[][] out = dp.integrate(new double[] {1, 0, 1}, times);
    long steps = dp.acceptedSteps();
    assertTrue(steps > 10, "steps " + steps);
    for (int i = 0; i < times.length; i++) {
      double t = times[i];
      // neither system amplifies errors (|e^{-h}| <= 1, rotation): the global error is at most the sum of the
      // accepted local errors, each below atol + rtol * max|y| = atol + rtol
      double bound = steps * (atol + rtol);
      assertEquals(Math.exp(-t), out[i][0], bound, "exp at t=" + t);
      assertEquals(Math.sin(t), out[i][1], bound, "sin at t=" + t);
      assertEquals(Math.cos(t), out[i][2], bound, "cos at t=" + t);
    }
  }

  /** Measured head-start order parameters (N = 400, K = M = 2) and their AFA equations. */
  private static final OrderParameters HEAD =
      new OnlineSimulation(Setup.defaults(Setup.Start.HEAD, 400, 2, 2, Rule.AFA), 5).measure();

  private static final OrderParameterOde AFA = new OrderParameterOde(Rule.AFA, 1.0, 1.0, HEAD);

  /** The fixed-step order-5 solution converges at rate h^5: halving h divides the error by about 32. */
  @Test
  void fixedStepConvergesAtOrderFive() {
    OrderParameterOde ode = AFA;
    double[] y0 = OrderParameterOde.pack(HEAD);
    double[] times = {0, 4};
    double[] ref = new DormandPrince(ode, 1e-13, 1e-15, 10_000_000).integrate(y0, times)[1];
    double[] err = new double[3];
    double h = 0.4;
    for (int i = 0; i < 3; i++, h /= 2) {
      double[] y = DormandPrince.integrateFixed(ode, y0, times, h)[1];
      double e = 0;
      for (int j = 0; j < y.length; j++) {
        e = Math.max(e, Math.abs(y[j] - ref[j]));
      }
      err[i] = e;
    }
    // asymptotically err(h) / err(h/2) = 2^5; allow the O(h) correction to move it by a factor of 2 either way
    for (int i = 0; i < 2; i++) {
      double ratio = err[i] / err[i + 1];
      assertTrue(ratio > 16 && ratio < 64, "error ratio " + ratio + " (errors " + err[i] + ", " + err[i + 1] + ")");
    }
  }

  /**
   * Step-size convergence of the integration used for the figures: the solution at {@link Trajectory#ODE_RTOL}
   * agrees with one at a thousand times tighter tolerance to 1e-6 relative in eps_g over a whole head-start window,
   * far below the percent-level ODE-simulation deviations the analysis reports.
   */
  @Test
  void adaptiveIntegrationIsStepSizeConverged() {
    OrderParameterOde ode = AFA;
    double[] y0 = OrderParameterOde.pack(HEAD);
    double[] times = Trajectory.timeGrid(60, 30, 400);
    double[][] used = new DormandPrince(ode, Trajectory.ODE_RTOL, Trajectory.ODE_ATOL, 10_000_000)
        .integrate(y0, times);
    double[][] tight = new DormandPrince(ode, Trajectory.ODE_RTOL * 1e-3, Trajectory.ODE_ATOL * 1e-3, 10_000_000)
        .integrate(y0, times);
    for (int i = 0; i < times.length; i++) {
      double a = ode.unpack(used[i]).generalisationErrorErf();
      double b = ode.unpack(tight[i]).generalisationErrorErf();
      assertEquals(b, a, 1e-6 * b, "eps_g at t=" + times[i]);
    }
  }

  @Test
  void blowUpLeavesLaterOutputsEmpty() {
    Ode square = new Ode() {
      @Override
      public int dimension() {
        return 1;
      }

      @Override
      public void derivative(double t, double[] y, double[] dydt) {
        dydt[0] = y[0] * y[0];
      }
    };
    // y = 1 / (1 - t): finite at t = 0.5, blows up at t = 1
    double[][] out = new DormandPrince(square, 1e-10, 1e-12, 100_000).integratePartially(new double[] {1},
        new double[] {0, 0.5, 2});
    assertEquals(2.0, out[1][0], 1e-7);
    assertNull(out[2]);
  }

  @Test
  void validatesArguments() {
    assertThrows(IllegalArgumentException.class, () -> new DormandPrince(LINEAR, 0, 1e-9, 10));
    DormandPrince dp = new DormandPrince(LINEAR, 1e-6, 1e-9, 10);
    assertThrows(IllegalArgumentException.class, () -> dp.integrate(new double[2], new double[] {0, 1}));
    assertThrows(IllegalArgumentException.class, () -> dp.integrate(new double[3], new double[] {1, 0}));
    assertThrows(IllegalStateException.class, () -> dp.integrate(new double[] {1, 0, 1}, new double[] {0, 1e6}));
  }
}

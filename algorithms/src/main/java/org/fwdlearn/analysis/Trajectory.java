package org.fwdlearn.analysis;

import java.util.ArrayList;
import java.util.List;
import org.fwdlearn.data.TeacherStudent;
import org.fwdlearn.data.TeacherStudent.Activation;

/**
 * One simulation and its ODE prediction on a common time grid. The ODE starts from the simulation's own measured
 * order parameters at t = 0 and uses the rule's equations ({@link OrderParameterOde}); PEPITA is compared with the
 * AFA equations at the rate {@link Setup#odeRate()} (its first-order approximation). The ODE exists for erf units
 * only: for other activations the ODE columns are NaN and the simulation's closed-form error is that of ReLU
 * ({@link OrderParameters#generalisationErrorRelu()}) or NaN.
 *
 * @param setup the experiment
 * @param seed the simulation's seed
 * @param times the grid (t = steps / N)
 * @param sim the simulation's order parameters at each time
 * @param simError the closed-form eps_g of the simulation's weights at each time
 * @param heldOut the held-out estimate of eps_g (NaN where not evaluated)
 * @param heldOutSe its standard error
 * @param ode the ODE's order parameters at each time (null entries without an ODE)
 * @param odeError the ODE's eps_g
 * @param divergedAt the time of the grid point at which the simulation was first found diverged (its weights
 *     blew up; the later points are NaN), or NaN if it never did
 */
public record Trajectory(
    Setup setup,
    long seed,
    double[] times,
    List<OrderParameters> sim,
    double[] simError,
    double[] heldOut,
    double[] heldOutSe,
    List<OrderParameters> ode,
    double[] odeError,
    double divergedAt) {

  /** Relative and absolute tolerances of the ODE integration used by {@link #run}. */
  public static final double ODE_RTOL = 1e-9;

  /** See {@link #ODE_RTOL}. */
  public static final double ODE_ATOL = 1e-12;

  /**
   * The integration's step budget: the equations of a learning student need a few thousand steps over t = 100;
   * a budget this size stops a blown-up (stiff) system after seconds, leaving its later points NaN.
   */
  public static final int ODE_MAX_STEPS = 200_000;

  /**
   * A grid of {@code points} times, geometric from {@code min(0.05, tMax)} to {@code tMax}, plus t = 0, rounded to
   * whole steps ({@code t = steps / N}) with duplicates removed.
   */
  public static double[] timeGrid(double tMax, int points, int n) {
    if (!(tMax > 0) || points < 1 || n < 1) {
      throw new IllegalArgumentException("need tMax > 0, points >= 1, N >= 1, got " + tMax + ", " + points + ", "
          + n);
    }
    double t0 = Math.min(0.05, tMax);
    List<Long> steps = new ArrayList<>();
    steps.add(0L);
    for (int i = 0; i < points; i++) {
      double t = points == 1 ? tMax : t0 * Math.pow(tMax / t0, i / (double) (points - 1));
      long s = Math.max(1, Math.round(t * n));
      if (s > steps.get(steps.size() - 1)) {
        steps.add(s);
      }
    }
    double[] out = new double[steps.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = steps.get(i) / (double) n;
    }
    return out;
  }

  /**
   * Runs the simulation of {@code setup} with {@code seed} over {@code times} and integrates its ODE.
   *
   * @param heldOutSize samples of the held-out set (0 for none)
   * @param heldOutEvery evaluate the held-out estimate at every this many grid points (and the last)
   */
  public static Trajectory run(Setup setup, long seed, double[] times, int heldOutSize, int heldOutEvery) {
    OnlineSimulation simulation = new OnlineSimulation(setup, seed);
    TeacherStudent.Sample set = heldOutSize > 0 ? simulation.heldOutSet(heldOutSize) : null;
    int len = times.length;
    List<OrderParameters> sim = new ArrayList<>();
    double[] simError = new double[len];
    double[] heldOut = new double[len];
    double[] heldOutSe = new double[len];
    double divergedAt = Double.NaN;
    for (int i = 0; i < len; i++) {
      simulation.advanceTo(Math.round(times[i] * setup.n()));
      OrderParameters op = simulation.measure();
      heldOut[i] = Double.NaN;
      heldOutSe[i] = Double.NaN;
      if (simulation.diverged() || !op.isFinite()) {
        if (Double.isNaN(divergedAt)) {
          divergedAt = times[i];
        }
        sim.add(op);
        simError[i] = Double.NaN;
        continue;
      }
      sim.add(op);
      simError[i] = closedForm(setup.activation(), op);
      if (set != null && (i % Math.max(1, heldOutEvery) == 0 || i == len - 1)) {
        double[] h = simulation.heldOutError(set);
        heldOut[i] = h[0];
        heldOutSe[i] = h[1];
      }
    }
    List<OrderParameters> ode = new ArrayList<>();
    double[] odeError = new double[len];
    java.util.Arrays.fill(odeError, Double.NaN);
    if (setup.activation() == Activation.ERF && len > 0) {
      Rule odeRule = setup.rule() == Rule.PEPITA ? Rule.AFA : setup.rule();
      OrderParameterOde system = new OrderParameterOde(odeRule, setup.odeRate(), setup.etaV(), sim.get(0));
      DormandPrince integrator = new DormandPrince(system, ODE_RTOL, ODE_ATOL, ODE_MAX_STEPS);
      double[][] states = integrator.integratePartially(OrderParameterOde.pack(sim.get(0)), times);
      for (int i = 0; i < len; i++) {
        if (states[i] == null) {
          ode.add(null);
          continue;
        }
        OrderParameters op = system.unpack(states[i]);
        ode.add(op);
        odeError[i] = op.generalisationErrorErf();
      }
    } else {
      for (int i = 0; i < len; i++) {
        ode.add(null);
      }
    }
    return new Trajectory(setup, seed, times, sim, simError, heldOut, heldOutSe, ode, odeError, divergedAt);
  }

  /**
   * Whether the simulation failed to learn: its final closed-form eps_g is not below its initial one (or it
   * overflowed).
   */
  public boolean failedToLearn() {
    int last = times.length - 1;
    return !(simError[last] < simError[0]);
  }

  /** The closed-form eps_g of {@code op} for activation g (NaN for linear units). */
  public static double closedForm(Activation g, OrderParameters op) {
    return switch (g) {
      case ERF -> op.generalisationErrorErf();
      case RELU -> op.generalisationErrorRelu();
      case LINEAR -> Double.NaN;
    };
  }

  /** The alignment of the simulation's feedback with v at grid point i ({@link OrderParameters#alignment}). */
  public double simAlignment(int i) {
    return sim.get(i).alignment(setup.rule());
  }

  /** The ODE's alignment at grid point i (NaN without an ODE). */
  public double odeAlignment(int i) {
    OrderParameters op = ode.get(i);
    return op == null ? Double.NaN : op.alignment(setup.rule());
  }

  /**
   * The maximum over grid times in {@code [from, to]} of {@code |mean_seeds odeError - mean_seeds simError| /
   * mean_seeds simError}; the trajectories must share their grid. Infinity if a simulation diverged in the window,
   * NaN if an ODE value there is missing.
   */
  public static double maxRelativeDeviation(List<Trajectory> runs, double from, double to) {
    double[] simMean = mean(runs, true);
    double[] odeMean = mean(runs, false);
    double[] times = runs.get(0).times();
    double worst = 0;
    for (int i = 0; i < times.length; i++) {
      if (times[i] < from || times[i] > to) {
        continue;
      }
      if (Double.isNaN(simMean[i])) {
        return Double.POSITIVE_INFINITY;
      }
      double dev = Math.abs(odeMean[i] - simMean[i]) / simMean[i];
      if (Double.isNaN(dev)) {
        return Double.NaN;
      }
      worst = Math.max(worst, dev);
    }
    return worst;
  }

  /** The mean over runs of the simulations' (sim = true) or the ODEs' closed-form errors at each grid point. */
  public static double[] mean(List<Trajectory> runs, boolean sim) {
    if (runs.isEmpty()) {
      throw new IllegalArgumentException("no runs");
    }
    int len = runs.get(0).times().length;
    double[] out = new double[len];
    for (Trajectory t : runs) {
      if (t.times().length != len) {
        throw new IllegalArgumentException("runs on different grids: " + len + " vs " + t.times().length);
      }
      double[] e = sim ? t.simError() : t.odeError();
      for (int i = 0; i < len; i++) {
        out[i] += e[i] / runs.size();
      }
    }
    return out;
  }
}

package org.fwdlearn.analysis;

/**
 * The explicit Runge-Kutta pair of Dormand and Prince (J. Comput. Appl. Math. 6, 19 (1980)), order 5 with an
 * embedded order-4 error estimate, used with local extrapolation (the order-5 solution is propagated). The adaptive
 * driver accepts a step when the scaled error {@code max_i |err_i| / (atol + rtol max(|y_i|, |y_new_i|))} is at most
 * 1 and picks the next step as {@code h * min(5, max(0.2, 0.9 err^(-1/5)))} (Hairer, Norsett and Wanner, Solving
 * ODEs I, section II.4); it lands exactly on every requested output time.
 */
public final class DormandPrince {
  private static final double[][] A = {
    {},
    {1.0 / 5},
    {3.0 / 40, 9.0 / 40},
    {44.0 / 45, -56.0 / 15, 32.0 / 9},
    {19372.0 / 6561, -25360.0 / 2187, 64448.0 / 6561, -212.0 / 729},
    {9017.0 / 3168, -355.0 / 33, 46732.0 / 5247, 49.0 / 176, -5103.0 / 18656},
    {35.0 / 384, 0, 500.0 / 1113, 125.0 / 192, -2187.0 / 6784, 11.0 / 84}
  };
  private static final double[] C = {0, 1.0 / 5, 3.0 / 10, 4.0 / 5, 8.0 / 9, 1, 1};
  /** The order-5 weights (equal to the last row of A: the FSAL property). */
  private static final double[] B5 = {35.0 / 384, 0, 500.0 / 1113, 125.0 / 192, -2187.0 / 6784, 11.0 / 84, 0};
  /** The order-4 weights. */
  private static final double[] B4 = {
    5179.0 / 57600, 0, 7571.0 / 16695, 393.0 / 640, -92097.0 / 339200, 187.0 / 2100, 1.0 / 40
  };

  private final Ode ode;
  private final double rtol;
  private final double atol;
  private final int maxSteps;
  private long steps;
  private long rejected;
  private double[][] partial;

  /**
   * An adaptive integrator.
   *
   * @param ode the system
   * @param rtol relative tolerance per step (&gt; 0)
   * @param atol absolute tolerance per step (&gt; 0)
   * @param maxSteps the most accepted plus rejected steps of one {@link #integrate} call
   */
  public DormandPrince(Ode ode, double rtol, double atol, int maxSteps) {
    if (!(rtol > 0) || !(atol > 0) || maxSteps < 1) {
      throw new IllegalArgumentException("need rtol > 0, atol > 0, maxSteps >= 1, got rtol=" + rtol + " atol="
          + atol + " maxSteps=" + maxSteps);
    }
    this.ode = ode;
    this.rtol = rtol;
    this.atol = atol;
    this.maxSteps = maxSteps;
  }

  /** Accepted steps of the last {@link #integrate} call. */
  public long acceptedSteps() {
    return steps;
  }

  /** Rejected steps of the last {@link #integrate} call. */
  public long rejectedSteps() {
    return rejected;
  }

  /**
   * Integrates from {@code (times[0], y0)} and returns the state at every time.
   *
   * @param y0 the state at {@code times[0]}. Not modified.
   * @param times non-decreasing output times
   * @return {@code out[i]} = the state at {@code times[i]} ({@code out[0]} a copy of y0)
   * @throws IllegalStateException if the step budget runs out or the state stops being finite
   */
  public double[][] integrate(double[] y0, double[] times) {
    int d = ode.dimension();
    if (y0.length != d) {
      throw new IllegalArgumentException("initial state of length " + y0.length + ", expected " + d);
    }
    for (int i = 1; i < times.length; i++) {
      if (!(times[i] >= times[i - 1])) {
        throw new IllegalArgumentException("output times must be non-decreasing, got " + times[i - 1] + " then "
            + times[i]);
      }
    }
    steps = 0;
    rejected = 0;
    double[][] out = new double[times.length][];
    if (times.length == 0) {
      return out;
    }
    if (partial != null) {
      out = partial;
    }
    double[] y = y0.clone();
    out[0] = y.clone();
    double t = times[0];
    double[][] k = new double[7][d];
    double[] tmp = new double[d];
    double[] y5 = new double[d];
    ode.derivative(t, y, k[0]);
    double h = initialStep(t, y, k[0], times[times.length - 1] - t);
    for (int i = 1; i < times.length; i++) {
      double target = times[i];
      while (t < target) {
        if (steps + rejected >= maxSteps) {
          throw new IllegalStateException("step budget of " + maxSteps + " exhausted at t=" + t);
        }
        boolean last = t + h >= target;
        double step = last ? target - t : h;
        double err = attempt(t, step, y, k, tmp, y5);
        if (err <= 1) {
          steps++;
          t = last ? target : t + step;
          double[] swap = y;
          y = y5;
          y5 = swap;
          double[] fsal = k[0];
          k[0] = k[6];
          k[6] = fsal;
          for (double x : y) {
            if (!Double.isFinite(x)) {
              throw new IllegalStateException("the solution is no longer finite at t=" + t);
            }
          }
          if (!last || step >= h) {
            h = step * factor(err);
          }
        } else {
          rejected++;
          h = step * factor(err);
        }
        if (!(h > 0) || t + h == t) {
          throw new IllegalStateException("step size underflow at t=" + t);
        }
      }
      out[i] = y.clone();
    }
    return out;
  }

  /**
   * Like {@link #integrate}, but a failure (step budget, non-finite state) leaves the remaining outputs null
   * instead of throwing.
   */
  public double[][] integratePartially(double[] y0, double[] times) {
    partial = new double[times.length][];
    try {
      return integrate(y0, times);
    } catch (IllegalStateException ex) {
      return partial;
    } finally {
      partial = null;
    }
  }

  /**
   * Integrates with a fixed step {@code h} (shortened only to land on the output times), for convergence checks.
   *
   * @param y0 the initial state. Not modified.
   * @param times non-decreasing output times
   * @param h the step
   */
  public static double[][] integrateFixed(Ode ode, double[] y0, double[] times, double h) {
    int d = ode.dimension();
    double[][] out = new double[times.length][];
    if (times.length == 0) {
      return out;
    }
    double[] y = y0.clone();
    out[0] = y.clone();
    double t = times[0];
    double[][] k = new double[7][d];
    double[] tmp = new double[d];
    double[] y5 = new double[d];
    for (int i = 1; i < times.length; i++) {
      while (t < times[i]) {
        double step = Math.min(h, times[i] - t);
        ode.derivative(t, y, k[0]);
        stages(ode, t, step, y, k, tmp, y5);
        double[] swap = y;
        y = y5;
        y5 = swap;
        t = step == times[i] - t ? times[i] : t + step;
      }
      out[i] = y.clone();
    }
    return out;
  }

  private static double factor(double err) {
    if (err == 0) {
      return 5;
    }
    return Math.min(5, Math.max(0.2, 0.9 * Math.pow(err, -0.2)));
  }

  /** One trial step; k[0] holds f(t, y) on entry; y5 receives the order-5 solution, k[6] f(t+h, y5). */
  private double attempt(double t, double h, double[] y, double[][] k, double[] tmp, double[] y5) {
    stages(ode, t, h, y, k, tmp, y5);
    double err = 0;
    for (int i = 0; i < y.length; i++) {
      double e = 0;
      for (int s = 0; s < 7; s++) {
        e += (B5[s] - B4[s]) * k[s][i];
      }
      e *= h;
      double sc = atol + rtol * Math.max(Math.abs(y[i]), Math.abs(y5[i]));
      err = Math.max(err, Math.abs(e) / sc);
    }
    return Double.isNaN(err) ? Double.POSITIVE_INFINITY : err;
  }

  private static void stages(Ode ode, double t, double h, double[] y, double[][] k, double[] tmp, double[] y5) {
    int d = y.length;
    for (int s = 1; s < 7; s++) {
      for (int i = 0; i < d; i++) {
        double acc = 0;
        for (int j = 0; j < s; j++) {
          acc += A[s][j] * k[j][i];
        }
        tmp[i] = y[i] + h * acc;
      }
      ode.derivative(t + C[s] * h, tmp, k[s]);
    }
    // the 7th stage is evaluated at the order-5 solution (FSAL): tmp == y5 after s = 6
    System.arraycopy(tmp, 0, y5, 0, d);
  }

  /** Hairer-Norsett-Wanner's starting step: from the sizes of y and f, capped by the span. */
  private double initialStep(double t, double[] y, double[] f, double span) {
    double d0 = 0;
    double d1 = 0;
    for (int i = 0; i < y.length; i++) {
      double sc = atol + rtol * Math.abs(y[i]);
      d0 = Math.max(d0, Math.abs(y[i]) / sc);
      d1 = Math.max(d1, Math.abs(f[i]) / sc);
    }
    double h = (d0 < 1e-5 || d1 < 1e-5) ? 1e-6 : 0.01 * d0 / d1;
    return span > 0 ? Math.min(h, span) : h;
  }
}

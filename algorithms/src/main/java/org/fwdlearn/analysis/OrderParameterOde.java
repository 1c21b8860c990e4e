package org.fwdlearn.analysis;

/**
 * The ordinary differential equations of the order parameters of online learning with erf units
 * ({@code g(z) = erf(z / sqrt 2)}), in the limit N to infinity with {@code t = steps / N} (derivation:
 * {@code docs/theory.md}). With the error {@code e = y^ - y}, the rule's feedback {@code c_k} (v_k for BP, b_k for
 * FA, S_k for AFA, see {@link Rule}) and the averages {@code E} over the jointly Gaussian fields of
 * {@link OrderParameters#covariance()}:
 * <pre>
 *   dQ_kl/dt = -eta c_k E[g'(lambda_k) lambda_l e] - eta c_l E[g'(lambda_l) lambda_k e]
 *              + eta^2 c_k c_l E[g'(lambda_k) g'(lambda_l) e^2]
 *   dR_km/dt = -eta c_k E[g'(lambda_k) nu_m e]
 *   dS_k/dt  = -eta c_k E[g'(lambda_k) zeta e]
 *   dv_k/dt  = -eta_v E[g(lambda_k) e]
 * </pre>
 * T, v*, P and b are constant. Writing {@code e = sum_j v_j g(lambda_j) - sum_n v*_n g(nu_n)} turns every average
 * into sums of {@link ErfIntegrals#i2}, {@link ErfIntegrals#i3} and {@link ErfIntegrals#i4}. BP reproduces Saad and
 * Solla (1995) with the second layer of Riegler and Biehl (1995) / Goldt et al. (2019); FA that of Refinetti et
 * al. (2021); AFA adds S, whose equation is R's with the teacher field replaced by {@code zeta = x . F^}.
 *
 * <p>The state vector is {@code (Q row-major K x K, R row-major K x M, S, v)}: {@link #pack} and {@link #unpack}.
 * For AFA, {@code eta} is the effective rate {@code eta_w |F|} (the simulation's first-layer rate times the norm
 * of F), and S is measured along the unit vector F^.
 */
public final class OrderParameterOde implements Ode {
  private final Rule rule;
  private final double eta;
  private final double etaV;
  private final OrderParameters constants;
  private final int k;
  private final int m;
  private final double[][] cov;
  private final double[] c;
  private final double[] weight;

  /**
   * The equations of {@code rule} with the constants (T, v*, P, b) of {@code constants}.
   *
   * @param rule BP, FA or AFA
   * @param eta the first-layer rate (the simulation's update is {@code eta / sqrt N})
   * @param etaV the second-layer rate (the simulation's update is {@code eta_v / N}); 0 freezes v
   * @param constants supplies T, v*, P and b; its Q, R, S and v are ignored
   */
  public OrderParameterOde(Rule rule, double eta, double etaV, OrderParameters constants) {
    if (!rule.hasOde()) {
      throw new IllegalArgumentException("no closed ODE for " + rule + "; use AFA, its first-order approximation");
    }
    if (!(eta >= 0) || !(etaV >= 0) || Double.isInfinite(eta) || Double.isInfinite(etaV)) {
      throw new IllegalArgumentException("learning rates must be finite and >= 0, got eta=" + eta
          + " eta_v=" + etaV);
    }
    this.rule = rule;
    this.eta = eta;
    this.etaV = etaV;
    this.constants = constants;
    this.k = constants.k;
    this.m = constants.m;
    this.cov = constants.covariance();
    this.c = new double[k];
    this.weight = new double[k + m];
  }

  @Override
  public int dimension() {
    return k * k + k * m + 2 * k;
  }

  /** The state vector of {@code op}: Q, R, S, v. */
  public static double[] pack(OrderParameters op) {
    int k = op.k;
    int m = op.m;
    double[] y = new double[k * k + k * m + 2 * k];
    int i = 0;
    for (int a = 0; a < k; a++) {
      for (int b = 0; b < k; b++) {
        y[i++] = op.q[a][b];
      }
    }
    for (int a = 0; a < k; a++) {
      for (int b = 0; b < m; b++) {
        y[i++] = op.r[a][b];
      }
    }
    for (int a = 0; a < k; a++) {
      y[i++] = op.s[a];
    }
    for (int a = 0; a < k; a++) {
      y[i++] = op.v[a];
    }
    return y;
  }

  /** The order parameters of state {@code y}, with this system's constants T, v*, P, b. */
  public OrderParameters unpack(double[] y) {
    if (y.length != dimension()) {
      throw new IllegalArgumentException("state of length " + y.length + ", expected " + dimension());
    }
    double[][] q = new double[k][k];
    double[][] r = new double[k][m];
    double[] s = new double[k];
    double[] v = new double[k];
    int i = 0;
    for (int a = 0; a < k; a++) {
      for (int b = 0; b < k; b++) {
        q[a][b] = y[i++];
      }
    }
    for (int a = 0; a < k; a++) {
      for (int b = 0; b < m; b++) {
        r[a][b] = y[i++];
      }
    }
    for (int a = 0; a < k; a++) {
      s[a] = y[i++];
    }
    for (int a = 0; a < k; a++) {
      v[a] = y[i++];
    }
    return new OrderParameters(q, r, constants.t, v, constants.vStar, s, constants.p, constants.b);
  }

  /** The right-hand side at the order parameters {@code op} (with this system's constants), as a state vector. */
  public double[] rhs(OrderParameters op) {
    double[] dy = new double[dimension()];
    derivative(0, pack(op), dy);
    return dy;
  }

  @Override
  public void derivative(double t, double[] y, double[] dydt) {
    int kk = k * k;
    int rOff = kk;
    int sOff = kk + k * m;
    int vOff = sOff + k;
    // the covariance of (lambda, nu, zeta): refresh the student blocks from y
    int z = k + m;
    for (int a = 0; a < k; a++) {
      for (int b = 0; b < k; b++) {
        cov[a][b] = y[a * k + b];
      }
      for (int b = 0; b < m; b++) {
        cov[a][k + b] = cov[k + b][a] = y[rOff + a * m + b];
      }
      cov[a][z] = cov[z][a] = y[sOff + a];
    }
    for (int a = 0; a < k; a++) {
      weight[a] = y[vOff + a];
      c[a] = switch (rule) {
        case BP -> y[vOff + a];
        case FA -> constants.b[a];
        case AFA -> y[sOff + a];
        case PEPITA -> throw new AssertionError();
      };
    }
    for (int n = 0; n < m; n++) {
      weight[k + n] = -constants.vStar[n];
    }
    int fields = k + m;
    // first-order terms: -eta c_k E[g'(lambda_k) alpha e] for alpha in lambda_l, nu_m, zeta
    double[][] j = new double[k][fields + 1];
    for (int a = 0; a < k; a++) {
      for (int alpha = 0; alpha <= fields; alpha++) {
        double acc = 0;
        for (int f = 0; f < fields; f++) {
          acc += weight[f] * ErfIntegrals.i3(cov, a, alpha, f);
        }
        j[a][alpha] = acc;
      }
    }
    for (int a = 0; a < k; a++) {
      for (int b = a; b < k; b++) {
        double d = -eta * (c[a] * j[a][b] + c[b] * j[b][a]);
        double ca = c[a] * c[b];
        if (ca != 0 && eta != 0) {
          double acc = 0;
          for (int f = 0; f < fields; f++) {
            if (weight[f] == 0) {
              continue;
            }
            for (int h = 0; h < fields; h++) {
              acc += weight[f] * weight[h] * ErfIntegrals.i4(cov, a, b, f, h);
            }
          }
          d += eta * eta * ca * acc;
        }
        dydt[a * k + b] = d;
        dydt[b * k + a] = d;
      }
      for (int n = 0; n < m; n++) {
        dydt[rOff + a * m + n] = -eta * c[a] * j[a][k + n];
      }
      dydt[sOff + a] = -eta * c[a] * j[a][z];
      double dv = 0;
      if (etaV != 0) {
        for (int f = 0; f < fields; f++) {
          dv += weight[f] * ErfIntegrals.i2(cov, a, f);
        }
      }
      dydt[vOff + a] = -etaV * dv;
    }
  }
}

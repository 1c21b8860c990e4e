package org.fwdlearn.analysis;

import org.fwdlearn.core.Matrix;
import org.fwdlearn.core.Rng;
import org.fwdlearn.data.TeacherStudent;
import org.fwdlearn.data.TeacherStudent.Activation;

/**
 * Online learning of a two-layer student from a {@link TeacherStudent} teacher, one fresh Gaussian sample per step,
 * in double precision. With {@code lambda_k = w_k . x / sqrt N}, {@code e = sum_k v_k g(lambda_k) - y} and
 * {@code eta_w = }{@link Setup#firstLayerRate()}:
 * <pre>
 *   BP, FA, AFA:  w_k -= (eta_w / sqrt N) c_k g'(lambda_k) e x,          v_k -= (eta_v / N) g(lambda_k) e,
 *                 c_k = v_k (BP), b_k (FA), w_k . F / sqrt N (AFA);
 *   PEPITA:       x~ = x - F e,  lambda~_k = w_k . x~ / sqrt N,
 *                 w_k -= (eta_w / sqrt N) (g(lambda_k) - g(lambda~_k)) x~,   v_k -= (eta_v / N) g(lambda~_k) e.
 * </pre>
 * The teacher (weights N(0, 1), v* = 1) and the held-out set come from {@code new TeacherStudent(config, seed)};
 * the student's initial weights, FA's feedback b (i.i.d. N(0, 1)) and F's random part from an independent stream
 * of the same seed, drawn in the same order for every rule, so that all rules of one seed start alike. The online
 * inputs come from a third stream of the seed (the same for every rule), in double precision, by Marsaglia's
 * polar method with {@link StrictMath#log} (reproducible, and about five times cheaper than the Box-Muller
 * sine and cosine of {@link Rng#nextGaussian()}, which dominated the cost of a step); the targets are the
 * teacher's outputs on them, computed here in double.
 */
public final class OnlineSimulation {
  private final Setup setup;
  private final int n;
  private final int k;
  private final int m;
  private final TeacherStudent teacher;
  private final double[] wStar;
  private final double[] vStar;
  private final double[] w;
  private final double[] v;
  private final double[] b;
  private final double[] fHat;
  private final double[] f;
  private final Rng samples;
  private double spare;
  private boolean hasSpare;
  private final double[] x;
  private final double[] xMod;
  private final double[] lambda;
  private final double[] coef;
  private final double invSqrtN;
  private long steps;
  private boolean diverged;
  private double lastError;

  /**
   * A fresh simulation.
   *
   * @param setup the experiment
   * @param seed the seed of the teacher, the samples and the student's initial weights
   */
  public OnlineSimulation(Setup setup, long seed) {
    this.setup = setup;
    this.n = setup.n();
    this.k = setup.k();
    this.m = setup.m();
    this.teacher = new TeacherStudent(new TeacherStudent.Config(n, m, setup.activation()), seed);
    float[] ws = teacher.teacherWeights().data();
    this.wStar = new double[ws.length];
    for (int i = 0; i < ws.length; i++) {
      wStar[i] = ws[i];
    }
    float[] vs = teacher.teacherSecondLayer();
    this.vStar = new double[m];
    for (int i = 0; i < m; i++) {
      vStar[i] = vs[i];
    }
    this.invSqrtN = 1.0 / Math.sqrt(n);
    this.w = new double[k * n];
    this.v = new double[k];
    this.b = new double[k];
    this.fHat = new double[n];
    this.f = new double[n];
    initialise(new Rng(seed).stream(3));
    this.samples = new Rng(seed).stream(4);
    this.x = new double[n];
    this.xMod = new double[n];
    this.lambda = new double[k];
    this.coef = new double[k];
  }

  private void initialise(Rng rng) {
    double[] xi = new double[k * n];
    for (int i = 0; i < xi.length; i++) {
      xi[i] = rng.nextGaussian();
    }
    double[] vRandom = new double[k];
    for (int i = 0; i < k; i++) {
      vRandom[i] = rng.nextGaussian();
    }
    for (int i = 0; i < k; i++) {
      b[i] = rng.nextGaussian();
    }
    double[] r = new double[n];
    for (int i = 0; i < n; i++) {
      r[i] = rng.nextGaussian();
    }
    if (setup.start() == Setup.Start.HEAD) {
      for (int a = 0; a < k; a++) {
        for (int i = 0; i < n; i++) {
          double own = a < m ? setup.headOverlap() * wStar[a * n + i] : 0;
          w[a * n + i] = own + setup.headNoise() * xi[a * n + i];
        }
        v[a] = 1;
      }
    } else {
      for (int i = 0; i < w.length; i++) {
        w[i] = setup.randomScale() * xi[i];
      }
      System.arraycopy(vRandom, 0, v, 0, k);
    }
    double[] span = new double[k];
    for (int i = 0; i < k; i++) {
      span[i] = rng.nextGaussian();
    }
    // F^ = rho d^ + sqrt(1 - rho^2) r^, d = sum_k a_k w_k (a = v or random), r^ orthogonal to d^
    double[] coeff = setup.fDirection() == Setup.FDirection.W2W1 ? v : span;
    double[] d = new double[n];
    for (int a = 0; a < k; a++) {
      for (int i = 0; i < n; i++) {
        d[i] += coeff[a] * w[a * n + i];
      }
    }
    double dn = Math.sqrt(OrderParameters.dot(d, 0, d, 0, n));
    double rho = setup.fOverlap();
    if (dn == 0) {
      rho = 0;
    } else {
      for (int i = 0; i < n; i++) {
        d[i] /= dn;
      }
    }
    double rd = rho == 0 ? 0 : OrderParameters.dot(r, 0, d, 0, n);
    for (int i = 0; i < n; i++) {
      r[i] -= rd * d[i];
    }
    double rn = Math.sqrt(OrderParameters.dot(r, 0, r, 0, n));
    double c = Math.sqrt(1 - rho * rho);
    for (int i = 0; i < n; i++) {
      fHat[i] = rho * d[i] + c * r[i] / rn;
    }
    double fn = Math.sqrt(OrderParameters.dot(fHat, 0, fHat, 0, n));
    double len = setup.fLength();
    for (int i = 0; i < n; i++) {
      fHat[i] /= fn;
      f[i] = len * fHat[i];
    }
  }

  /** The setup. */
  public Setup setup() {
    return setup;
  }

  /** Steps taken so far; the time is {@code steps / N}. */
  public long steps() {
    return steps;
  }

  /** The order parameters now, S and P along F^. */
  public OrderParameters measure() {
    return OrderParameters.measure(n, w, v, wStar, vStar, fHat, b);
  }

  /**
   * Advances until {@code steps() == target}, or until the student diverges ({@link #diverged()}), after which
   * the clock still advances but the weights stay as they were at the last finite step.
   */
  public void advanceTo(long target) {
    while (steps < target) {
      if (diverged) {
        steps = target;
        return;
      }
      step();
    }
  }

  /**
   * Whether a step met a non-finite error or update (the student's weights overflowed); no further steps then
   * learn. A student can blow up long before that (eps_g growing without bound) while staying finite.
   */
  public boolean diverged() {
    return diverged;
  }

  /** One online step on a fresh sample (a no-op on the weights once {@link #diverged()}). */
  public void step() {
    if (diverged) {
      steps++;
      return;
    }
    for (int i = 0; i < n; i++) {
      x[i] = gaussian();
    }
    Activation g = setup.activation();
    double y = 0;
    for (int a = 0; a < m; a++) {
      y += vStar[a] * g.apply(OrderParameters.dot(wStar, a * n, x, 0, n) * invSqrtN);
    }
    double out = 0;
    for (int a = 0; a < k; a++) {
      lambda[a] = OrderParameters.dot(w, a * n, x, 0, n) * invSqrtN;
      out += v[a] * g.apply(lambda[a]);
    }
    double e = out - y;
    lastError = e;
    double etaW = setup.firstLayerRate() * invSqrtN;
    double etaV = setup.etaV() / n;
    Rule rule = setup.rule();
    if (rule == Rule.PEPITA) {
      for (int i = 0; i < n; i++) {
        xMod[i] = x[i] - f[i] * e;
      }
      for (int a = 0; a < k; a++) {
        double lm = OrderParameters.dot(w, a * n, xMod, 0, n) * invSqrtN;
        double hm = g.apply(lm);
        coef[a] = etaW * (g.apply(lambda[a]) - hm);
        v[a] -= etaV * hm * e;
      }
      update(xMod);
      return;
    }
    for (int a = 0; a < k; a++) {
      double c = switch (rule) {
        case BP -> v[a];
        case FA -> b[a];
        case AFA -> OrderParameters.dot(w, a * n, f, 0, n) * invSqrtN;
        case PEPITA -> throw new AssertionError();
      };
      coef[a] = etaW * c * derivative(g, lambda[a]) * e;
      v[a] -= etaV * g.apply(lambda[a]) * e;
    }
    update(x);
  }

  /** A standard normal by Marsaglia's polar method (Marsaglia and Bray 1964). */
  private double gaussian() {
    if (hasSpare) {
      hasSpare = false;
      return spare;
    }
    double u;
    double w;
    double r;
    do {
      u = 2 * samples.nextDouble() - 1;
      w = 2 * samples.nextDouble() - 1;
      r = u * u + w * w;
    } while (r >= 1 || r == 0);
    double f = Math.sqrt(-2 * StrictMath.log(r) / r);
    spare = w * f;
    hasSpare = true;
    return u * f;
  }

  private void update(double[] in) {
    for (int a = 0; a < k; a++) {
      if (!Double.isFinite(coef[a]) || !Double.isFinite(v[a])) {
        diverged = true;
        steps++;
        return;
      }
    }
    for (int a = 0; a < k; a++) {
      double c = coef[a];
      int base = a * n;
      for (int i = 0; i < n; i++) {
        w[base + i] -= c * in[i];
      }
    }
    steps++;
  }

  static double derivative(Activation g, double z) {
    return switch (g) {
      case ERF -> ErfIntegrals.gPrime(z);
      case RELU -> z > 0 ? 1 : 0;
      case LINEAR -> 1;
    };
  }

  /** The student's output on row {@code i} of {@code xs}. */
  private double output(Matrix xs, int i) {
    float[] d = xs.data();
    int base = xs.offset() + i * n;
    double out = 0;
    for (int a = 0; a < k; a++) {
      double dot = 0;
      for (int j = 0; j < n; j++) {
        dot += w[a * n + j] * d[base + j];
      }
      out += v[a] * setup.activation().apply(dot * invSqrtN);
    }
    return out;
  }

  /**
   * The generalisation error estimated on a held-out set: {@code mean((y^ - y)^2) / 2} and its standard error.
   *
   * @param set inputs and teacher outputs (e.g. {@link #heldOutSet(int)})
   * @return {estimate, standard error}
   */
  public double[] heldOutError(TeacherStudent.Sample set) {
    int p = set.y().length;
    double sum = 0;
    double sumSq = 0;
    for (int i = 0; i < p; i++) {
      double d = output(set.x(), i) - set.y()[i];
      double l = 0.5 * d * d;
      sum += l;
      sumSq += l * l;
    }
    double mean = sum / p;
    double var = p > 1 ? Math.max(0, (sumSq - p * mean * mean) / (p - 1)) : Double.NaN;
    return new double[] {mean, Math.sqrt(var / p)};
  }

  /** A held-out set of {@code p} samples of this simulation's teacher, independent of the training stream. */
  public TeacherStudent.Sample heldOutSet(int p) {
    return teacher.fixedSet(p, 1);
  }

  /** Copies of the weights, for tests: {w (K x N row-major), v, w* (M x N), v*, F (with its norm), b}. */
  double[][] weights() {
    return new double[][] {w.clone(), v.clone(), wStar.clone(), vStar.clone(), f.clone(), b.clone()};
  }

  /** For tests: {@code g'(lambda_k)} of the last step's clean pass for each k, then its error e. */
  double[] lastFields() {
    double[] out = new double[k + 1];
    for (int a = 0; a < k; a++) {
      out[a] = derivative(setup.activation(), lambda[a]);
    }
    out[k] = lastError;
    return out;
  }

  /** Overwrites the student's weights (tests). */
  void setStudent(double[] newW, double[] newV) {
    System.arraycopy(newW, 0, w, 0, w.length);
    System.arraycopy(newV, 0, v, 0, v.length);
  }
}

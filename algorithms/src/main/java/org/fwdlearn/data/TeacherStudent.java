package org.fwdlearn.data;

import org.fwdlearn.core.Matrix;
import org.fwdlearn.core.Rng;

/**
 * The teacher of a teacher-student regression setting (Goldt et al. 2019; Refinetti et al. 2021): inputs
 * {@code x} in R^N with i.i.d. N(0, 1) entries, labelled by a fixed random two-layer network
 * <pre>  y = sum_m v*_m g(w*_m . x / sqrt(N)) + sigma * xi,   m = 1..M,</pre>
 * with teacher weights {@code w*_m} having i.i.d. N(0, 1) entries, second-layer weights {@code v*}
 * (all 1 by default), activation {@code g} one of {@link Activation}, and optional output noise
 * {@code xi ~ N(0, 1)} of standard deviation {@code sigma} (0 by default).
 *
 * <p>Everything is drawn from independent streams of one seed ({@link Rng#stream(long)}): the teacher
 * (stream 0), the online samples (stream 1), and each fixed set (stream {@code setSeed} of stream 2). Online mode gives a fresh
 * sample for every step, as many as asked ({@link #sample(Matrix, float[])}); fixed-set mode draws a set once
 * ({@link #fixedSet(int, long)}). Sums are accumulated in double and rounded once to float.
 */
public final class TeacherStudent {
  /** The activation g of the teacher's hidden units. */
  public enum Activation {
    /** {@code g(z) = erf(z / sqrt 2)}, the scaled error function of Saad and Solla. */
    ERF,
    /** {@code g(z) = max(0, z)}. */
    RELU,
    /** {@code g(z) = z}. */
    LINEAR;

    /** The activation's value at {@code z}. */
    public double apply(double z) {
      return switch (this) {
        case ERF -> erf(z / Math.sqrt(2.0));
        case RELU -> Math.max(0.0, z);
        case LINEAR -> z;
      };
    }
  }

  /**
   * A teacher's configuration.
   *
   * @param inputDim N, the input dimension (at least 1)
   * @param hidden M, the teacher's hidden units (at least 1)
   * @param activation g
   * @param secondLayer v*, length M, or null for all ones
   * @param noiseStd sigma, the standard deviation of the output noise (0 for none)
   */
  public record Config(int inputDim, int hidden, Activation activation, float[] secondLayer, double noiseStd) {
    public Config {
      if (inputDim < 1 || hidden < 1) {
        throw new IllegalArgumentException("need N >= 1 and M >= 1, got N=" + inputDim + " M=" + hidden);
      }
      if (activation == null) {
        throw new IllegalArgumentException("activation must not be null");
      }
      if (secondLayer != null && secondLayer.length != hidden) {
        throw new IllegalArgumentException(
            "second-layer weights have length " + secondLayer.length + ", expected M=" + hidden);
      }
      if (!(noiseStd >= 0) || Double.isInfinite(noiseStd)) {
        throw new IllegalArgumentException("noise std must be finite and >= 0, got " + noiseStd);
      }
      secondLayer = secondLayer == null ? null : secondLayer.clone();
    }

    /** N inputs, M hidden units, activation g, v* all ones, no noise. */
    public Config(int inputDim, int hidden, Activation activation) {
      this(inputDim, hidden, activation, null, 0.0);
    }
  }

  /**
   * Inputs and targets.
   *
   * @param x n x N inputs
   * @param y the n targets
   */
  public record Sample(Matrix x, float[] y) {}

  private final Config config;
  private final Matrix w;
  private final float[] v;
  private final Rng online;
  private final Rng seedRng;

  /**
   * A teacher drawn from {@code seed}.
   *
   * @param config the configuration
   * @param seed the seed of everything this generator draws
   */
  public TeacherStudent(Config config, long seed) {
    this.config = config;
    this.seedRng = new Rng(seed);
    Rng teacherRng = seedRng.stream(0);
    int n = config.inputDim();
    int m = config.hidden();
    this.w = new Matrix(m, n);
    float[] wd = w.data();
    for (int i = 0; i < wd.length; i++) {
      wd[i] = (float) teacherRng.nextGaussian();
    }
    this.v = new float[m];
    for (int k = 0; k < m; k++) {
      v[k] = config.secondLayer() == null ? 1f : config.secondLayer()[k];
    }
    this.online = seedRng.stream(1);
  }

  /** The configuration. */
  public Config config() {
    return config;
  }

  /** The teacher's first-layer weights w*, M x N (a copy). */
  public Matrix teacherWeights() {
    return w.copy();
  }

  /** The teacher's second-layer weights v*, length M (a copy). */
  public float[] teacherSecondLayer() {
    return v.clone();
  }

  /**
   * Online mode: fills {@code x} with fresh inputs from the online stream and {@code y} with their targets.
   * Successive calls continue the stream, so every step sees new samples.
   *
   * @param x n x N, overwritten. Modified.
   * @param y length n, overwritten. Modified.
   */
  public void sample(Matrix x, float[] y) {
    draw(online, x, y);
  }

  /**
   * Fixed-set mode: {@code n} samples drawn from a stream of their own, the same for the same teacher seed and
   * {@code setSeed}, independent of the online stream.
   *
   * @param n the number of samples
   * @param setSeed selects the set (e.g. 0 for training, 1 for a test set)
   */
  public Sample fixedSet(int n, long setSeed) {
    if (n < 0) {
      throw new IllegalArgumentException("sample count must be >= 0, got " + n);
    }
    Matrix x = new Matrix(n, config.inputDim());
    float[] y = new float[n];
    draw(seedRng.stream(2).stream(setSeed), x, y);
    return new Sample(x, y);
  }

  /**
   * The teacher's noiseless outputs for given inputs: {@code y[i] = sum_m v*_m g(w*_m . x_i / sqrt N)}.
   *
   * @param x n x N inputs. Not modified.
   * @param y length n. Modified.
   */
  public void label(Matrix x, float[] y) {
    checkShapes(x, y);
    for (int i = 0; i < x.rows(); i++) {
      y[i] = (float) output(x, i);
    }
  }

  private void draw(Rng r, Matrix x, float[] y) {
    checkShapes(x, y);
    float[] xd = x.data();
    int n = config.inputDim();
    for (int i = 0; i < x.rows(); i++) {
      int base = x.offset() + i * n;
      for (int j = 0; j < n; j++) {
        xd[base + j] = (float) r.nextGaussian();
      }
      double out = output(x, i);
      if (config.noiseStd() > 0) {
        out += config.noiseStd() * r.nextGaussian();
      }
      y[i] = (float) out;
    }
  }

  private double output(Matrix x, int i) {
    int n = config.inputDim();
    float[] xd = x.data();
    float[] wd = w.data();
    int xb = x.offset() + i * n;
    double scale = 1.0 / Math.sqrt(n);
    double out = 0;
    for (int m = 0; m < v.length; m++) {
      double dot = 0;
      int wb = m * n;
      for (int j = 0; j < n; j++) {
        dot += (double) wd[wb + j] * xd[xb + j];
      }
      out += v[m] * config.activation().apply(dot * scale);
    }
    return out;
  }

  private void checkShapes(Matrix x, float[] y) {
    if (x.cols() != config.inputDim() || y.length != x.rows()) {
      throw new IllegalArgumentException("inputs " + x.shape() + " and " + y.length + " targets: expected n x "
          + config.inputDim() + " and n targets");
    }
  }

  /**
   * The error function {@code erf(z) = 2/sqrt(pi) * integral_0^z exp(-t^2) dt}, to within a few ulps. For
   * {@code |z| < 2.5} the series {@code erf(z) = 2/sqrt(pi) exp(-z^2) sum_k 2^k z^(2k+1) / (2k+1)!!} (all
   * terms positive, so no cancellation); above, {@code 1 - erfc(z)} with {@code erfc} from its continued
   * fraction {@code erfc(z) = exp(-z^2)/sqrt(pi) / (z + (1/2)/(z + 1/(z + (3/2)/(z + ...))))} (modified Lentz),
   * accurate to ~1e-15 relative on {@code erfc <= 4.1e-4}; {@code +-1} for {@code |z| >= 6}, where
   * {@code erfc(z) < 3e-17} is below half an ulp of 1.
   */
  static double erf(double z) {
    if (Double.isNaN(z)) {
      return z;
    }
    double a = Math.abs(z);
    if (a >= 6.0) {
      return Math.copySign(1.0, z);
    }
    double x2 = a * a;
    if (a < 2.5) {
      double term = a;
      double sum = a;
      for (int k = 1; k < 200; k++) {
        term *= 2.0 * x2 / (2 * k + 1);
        sum += term;
        if (term < 1e-17 * sum) {
          break;
        }
      }
      return Math.copySign(2.0 / Math.sqrt(Math.PI) * StrictMath.exp(-x2) * sum, z);
    }
    // modified Lentz for b0 + a1/(b1 + a2/(b2 + ...)) with b_j = a, a_j = j/2
    double tiny = 1e-300;
    double f = a;
    double c = a;
    double d = 0;
    for (int j = 1; j < 500; j++) {
      double aj = 0.5 * j;
      d = a + aj * d;
      d = d == 0 ? tiny : d;
      c = a + aj / c;
      c = c == 0 ? tiny : c;
      d = 1 / d;
      double delta = c * d;
      f *= delta;
      if (Math.abs(delta - 1) < 1e-16) {
        break;
      }
    }
    double erfc = StrictMath.exp(-x2) / Math.sqrt(Math.PI) / f;
    return Math.copySign(1.0 - erfc, z);
  }
}

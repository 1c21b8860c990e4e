package org.fwdlearn.analysis;

import java.util.Locale;
import org.fwdlearn.data.TeacherStudent.Activation;

/**
 * One teacher-student experiment: sizes, rule, activation, starting condition, learning rates and F.
 *
 * @param n N, the input dimension
 * @param k K, the student's hidden units
 * @param m M, the teacher's hidden units
 * @param rule the learning rule
 * @param activation g, for teacher and student
 * @param start the starting condition
 * @param eta the first-layer rate: updates are {@code eta / sqrt N} for BP and FA; for AFA and PEPITA eta is the
 *     effective rate {@code eta_w |F|} and the simulation uses {@code eta_w = eta / |F|} (see {@link FScale})
 * @param etaV the second-layer rate (updates {@code eta_v / N})
 * @param headOverlap head start: {@code w_k = headOverlap w*_k + headNoise xi_k}, so {@code R_kk ~ headOverlap T_kk}
 * @param headNoise head start: the standard deviation of the student's random part
 * @param randomScale random start: the standard deviation of the student's first-layer entries (v is N(0, 1))
 * @param fOverlap rho in [0, 1]: {@code F^ = rho d^ + sqrt(1 - rho^2) r^}, d^ the unit vector of
 *     {@link #fDirection} at t = 0, r^ a random unit vector orthogonal to it; 0 is a fixed random F
 * @param fNorm |F| (times sqrt N under {@link FScale#SQRT_N}); matters beyond AFA's first order, i.e. for PEPITA
 * @param fScale how F and the rate scale with N
 * @param fDirection the O(1) part d of F: along {@code (W_2 W_1)^T} or a random direction in the span of the w_k
 */
public record Setup(
    int n,
    int k,
    int m,
    Rule rule,
    Activation activation,
    Start start,
    double eta,
    double etaV,
    double headOverlap,
    double headNoise,
    double randomScale,
    double fOverlap,
    double fNorm,
    FScale fScale,
    FDirection fDirection) {

  /** The direction d of F's O(1) part, at t = 0. */
  public enum FDirection {
    /**
     * {@code d = (W_2 W_1)^T = sum_k v_k w_k}: the direction PEPITA's F aligns with (spec section 8); the AFA
     * feedback {@code S = Q v / sqrt(v^T Q v)} then starts aligned with v.
     */
    W2W1,
    /**
     * {@code d = sum_k a_k w_k} with a_k i.i.d. N(0, 1): an O(1) overlap with the student's weights in a random
     * direction of their span, so the AFA feedback {@code S = Q a / |..|} starts with a random alignment to v.
     */
    SPAN;

    /** {@code w2w1} or {@code span}. */
    public String label() {
      return name().toLowerCase(Locale.ROOT);
    }

    /** Parses {@code w2w1} or {@code span}. */
    public static FDirection parse(String s) {
      return switch (s.trim().toLowerCase(Locale.ROOT)) {
        case "w2w1" -> W2W1;
        case "span" -> SPAN;
        default -> throw new IllegalArgumentException("unknown F direction '" + s + "': expected w2w1 or span");
      };
    }
  }

  /** The starting condition. */
  public enum Start {
    /** Each student unit overlaps its own teacher unit ({@code R_kk ~ headOverlap}); v = 1. */
    HEAD,
    /** Random student weights. */
    RANDOM;

    /** {@code head} or {@code random}. */
    public String label() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** How F, and with it the effective feedback of AFA and PEPITA, scales with N. */
  public enum FScale {
    /**
     * {@code |F| = fNorm} independent of N (entries O(1/sqrt N)), {@code eta_w = eta / |F|}: the ODE's rate is eta
     * and the feedback {@code S_k = w_k . F^ / sqrt N} is O(1) when F^ overlaps the weights, O(1/sqrt N) for a
     * random F^.
     */
    UNIT,
    /**
     * F has entries O(1): {@code |F| = fNorm sqrt N} with the same {@code eta_w = eta / fNorm}, so the effective
     * rate is {@code eta sqrt N}. A random F^ then gives O(1) feedback, but S no longer self-averages (its
     * per-step noise adds up to O(1) over t = O(1)); an overlapping F^ gives O(sqrt N) feedback.
     */
    SQRT_N;

    /** {@code unit} or {@code sqrt-n}. */
    public String label() {
      return this == UNIT ? "unit" : "sqrt-n";
    }

    /** Parses {@code unit} or {@code sqrt-n}. */
    public static FScale parse(String s) {
      return switch (s.trim().toLowerCase(Locale.ROOT)) {
        case "unit" -> UNIT;
        case "sqrt-n", "sqrtn" -> SQRT_N;
        default -> throw new IllegalArgumentException("unknown F scaling '" + s + "': expected unit or sqrt-n");
      };
    }
  }

  public Setup {
    if (n < 1 || k < 1 || m < 1) {
      throw new IllegalArgumentException("need N, K, M >= 1, got N=" + n + " K=" + k + " M=" + m);
    }
    if (rule == null || activation == null || start == null || fScale == null || fDirection == null) {
      throw new IllegalArgumentException("rule, activation, start and F scaling and direction must not be null");
    }
    if (!(eta >= 0) || !(etaV >= 0) || Double.isInfinite(eta) || Double.isInfinite(etaV)) {
      throw new IllegalArgumentException("rates must be finite and >= 0, got eta=" + eta + " eta_v=" + etaV);
    }
    if (!(fOverlap >= 0 && fOverlap <= 1)) {
      throw new IllegalArgumentException("F overlap rho must be in [0, 1], got " + fOverlap);
    }
    if (!(fNorm > 0) || Double.isInfinite(fNorm)) {
      throw new IllegalArgumentException("|F| must be finite and > 0, got " + fNorm);
    }
    if (!(headNoise >= 0) || !(randomScale >= 0) || !Double.isFinite(headOverlap)) {
      throw new IllegalArgumentException("need finite head overlap, head noise >= 0 and random scale >= 0, got "
          + headOverlap + ", " + headNoise + ", " + randomScale);
    }
  }

  /**
   * The defaults for a starting condition: erf units, eta = eta_v = 1, head start {@code w_k = 0.3 w*_k + 0.2 xi_k}
   * ({@code R_kk = 0.3}, {@code Q_kk = 0.13}), random start entries N(0, 1), F along {@code (W_2 W_1)^T} (rho = 1)
   * with |F| = 1, {@link FScale#UNIT}.
   */
  public static Setup defaults(Start start, int n, int k, int m, Rule rule) {
    return new Setup(n, k, m, rule, Activation.ERF, start, 1.0, 1.0, 0.3, 0.2, 1.0, 1.0, 1.0, FScale.UNIT,
        FDirection.W2W1);
  }

  /** This setup with another rule. */
  public Setup withRule(Rule r) {
    return new Setup(n, k, m, r, activation, start, eta, etaV, headOverlap, headNoise, randomScale, fOverlap,
        fNorm, fScale, fDirection);
  }

  /** This setup with another N. */
  public Setup withN(int newN) {
    return new Setup(newN, k, m, rule, activation, start, eta, etaV, headOverlap, headNoise, randomScale, fOverlap,
        fNorm, fScale, fDirection);
  }

  /** This setup with other rates. */
  public Setup withRates(double newEta, double newEtaV) {
    return new Setup(n, k, m, rule, activation, start, newEta, newEtaV, headOverlap, headNoise, randomScale,
        fOverlap, fNorm, fScale, fDirection);
  }

  /** This setup with another F (overlap rho, norm, scaling). */
  public Setup withF(double rho, double norm, FScale scale) {
    return new Setup(n, k, m, rule, activation, start, eta, etaV, headOverlap, headNoise, randomScale, rho, norm,
        scale, fDirection);
  }

  /** This setup with another direction of F. */
  public Setup withFDirection(FDirection d) {
    return new Setup(n, k, m, rule, activation, start, eta, etaV, headOverlap, headNoise, randomScale, fOverlap,
        fNorm, fScale, d);
  }

  /** This setup with another activation. */
  public Setup withActivation(Activation g) {
    return new Setup(n, k, m, rule, g, start, eta, etaV, headOverlap, headNoise, randomScale, fOverlap, fNorm,
        fScale, fDirection);
  }

  /** This setup with other initial-weight parameters. */
  public Setup withInit(double overlap, double noise, double scale) {
    return new Setup(n, k, m, rule, activation, start, eta, etaV, overlap, noise, scale, fOverlap, fNorm, fScale,
        fDirection);
  }

  /** The norm of F actually used: fNorm, times sqrt N under {@link FScale#SQRT_N}. */
  public double fLength() {
    return fScale == FScale.UNIT ? fNorm : fNorm * Math.sqrt(n);
  }

  /** The simulation's first-layer rate eta_w: eta for BP and FA, {@code eta / fNorm} for AFA and PEPITA. */
  public double firstLayerRate() {
    return rule == Rule.AFA || rule == Rule.PEPITA ? eta / fNorm : eta;
  }

  /**
   * The first-layer rate of the ODE: eta for BP and FA; {@code eta_w |F|} for AFA and PEPITA (eta under
   * {@link FScale#UNIT}, {@code eta sqrt N} under {@link FScale#SQRT_N}).
   */
  public double odeRate() {
    return rule == Rule.AFA || rule == Rule.PEPITA ? firstLayerRate() * fLength() : eta;
  }
}

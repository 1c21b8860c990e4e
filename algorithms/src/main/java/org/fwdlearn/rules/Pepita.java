package org.fwdlearn.rules;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.fwdlearn.core.Matrix;
import org.fwdlearn.core.Ops;
import org.fwdlearn.core.Transpose;
import org.fwdlearn.nn.ForwardPass;

/**
 * PEPITA, "Present the Error to Perturb the Input To modulate Activity" (Dellaferrera and Kreiman, "Error-driven
 * input modulation: solving the credit assignment problem without a backward pass", ICML 2022, arXiv
 * 2201.11665; Srinivasan, Mignacca, Dellaferrera et al., "Forward learning with top-down feedback: empirical
 * and analytical characterization", ICLR 2024, arXiv 2302.05440). ALGORITHMS.md section 3, the ICLR
 * reference code's mode "modulated":
 *
 * <pre>
 *   clean pass on X with masks M:       H_1..H_{L-1}, P;   E = P - T
 *   X_mod = X - E F^T                   (sign PLUS: X + E F^T, the ICML code)
 *   modulated pass on X_mod, SAME masks: H~_1..H~_{L-1}
 *   G_1 = (H_1 - H~_1)^T X_mod / n
 *   G_l = (H_l - H~_l)^T H~_{l-1} / n   (1 &lt; l &lt; L)
 *   G_L = E^T H~_{L-1} / n              (clean-pass error, modulated presynaptic activity)
 * </pre>
 *
 * With presynaptic mode FORWARD (the reference's mode "forward") the presynaptic factors are the clean
 * ones: X, H_{l-1}, H_{L-1}. With a single layer (L = 1) the update is the delta rule G_1 = E^T X / n (the
 * intended rule; the reference overwrites it with a wrong-shape matrix). With F = 0 the hidden layers get no
 * update and the output layer the delta rule. Activation normalization, if on, is part of both passes (each
 * with its own scalar).
 */
public class Pepita extends AbstractLearningRule implements GradientRule {
  /** Sign of the input modulation. */
  public enum Sign {
    /** X_mod = X - E F^T (the ICLR reference code; default). */
    MINUS,
    /** X_mod = X + E F^T (the ICML numpy code). */
    PLUS;

    /** The factor of E F^T in X_mod. */
    public float factor() {
      return this == MINUS ? -1f : 1f;
    }

    /** Parses {@code minus} or {@code plus}. */
    public static Sign parse(String s) {
      return switch (s.toLowerCase(Locale.ROOT)) {
        case "minus" -> MINUS;
        case "plus" -> PLUS;
        default -> throw new IllegalArgumentException("pepita-sign: '" + s + "' is not one of minus, plus");
      };
    }
  }

  /** Which pass provides the presynaptic activity of the updates. */
  public enum Presynaptic {
    /** Modulated-pass activity X_mod, H~_{l-1} (the reference's "modulated"; default). */
    MODULATED,
    /** Clean-pass activity X, H_{l-1} (the reference's "forward"). */
    FORWARD;

    /** Parses {@code modulated} or {@code forward}. */
    public static Presynaptic parse(String s) {
      return switch (s.toLowerCase(Locale.ROOT)) {
        case "modulated" -> MODULATED;
        case "forward" -> FORWARD;
        default -> throw new IllegalArgumentException("pepita-mode: '" + s + "' is not one of modulated, forward");
      };
    }
  }

  /** How the modulated pass computes its first pre-activation A~_1 = X_mod W_1^T. */
  public enum FirstLayer {
    /**
     * A~_1 = A_1 + s E (W_1 F)^T with the clean pass's A_1: the same quantity (X_mod = X + s E F^T), one
     * n x d_0 x d_1 product replaced by d_1 x d_0 x C and n x C x d_1 ones, and the modulation's effect on
     * A_1 computed directly instead of as the difference of two rounded products (default).
     */
    FACTORED,
    /** A~_1 = X_mod W_1^T, as the spec writes it (fwdlearn's arithmetic before the factored form). */
    DIRECT;

    /** Parses {@code factored} or {@code direct}. */
    public static FirstLayer parse(String s) {
      return switch (s.toLowerCase(Locale.ROOT)) {
        case "factored" -> FACTORED;
        case "direct" -> DIRECT;
        default -> throw new IllegalArgumentException("pepita-first-layer: '" + s + "' is not one of factored, direct");
      };
    }
  }

  protected final FeedbackMatrix feedback;
  protected final Sign sign;
  protected final Presynaptic presynaptic;
  /** X_mod (n x d_0). */
  protected final Matrix xmod;
  /** The modulated pass. */
  protected final ForwardPass modulated;
  private final Matrix[] delta; // 1..L-1
  /** F^T (C x d_0), stacked under X in the clean pass for the factored first layer; null with one layer. */
  private final Matrix ft;
  private FirstLayer firstLayer = FirstLayer.FACTORED;

  /** PEPITA with the reference's defaults (sign MINUS, presynaptic MODULATED). */
  public Pepita(RuleContext ctx, FeedbackMatrix feedback) {
    this(ctx, feedback, Sign.MINUS, Presynaptic.MODULATED);
  }

  public Pepita(RuleContext ctx, FeedbackMatrix feedback, Sign sign, Presynaptic presynaptic) {
    super(ctx);
    if (feedback.inputs() != net.inputSize() || feedback.classes() != net.outputSize()) {
      throw new IllegalArgumentException(
          "F is " + feedback.inputs() + "x" + feedback.classes() + ", expected d0 x C = " + net.inputSize() + "x"
              + net.outputSize());
    }
    this.feedback = feedback;
    this.sign = sign;
    this.presynaptic = presynaptic;
    xmod = new Matrix(n, net.inputSize());
    modulated = new ForwardPass(net, n);
    ft = layers > 1 ? new Matrix(net.outputSize(), net.inputSize()) : null;
    delta = new Matrix[layers];
    for (int l = 1; l < layers; l++) {
      delta[l] = new Matrix(n, net.size(l));
    }
  }

  @Override
  public String name() {
    return "pepita";
  }

  private boolean stacks() {
    return firstLayer == FirstLayer.FACTORED && ft != null;
  }

  /**
   * The clean pass; for the factored first layer with F^T stacked under X, so that the same product of layer 1
   * also gives (W_1 F)^T = F^T W_1^T for the modulated pass (one read of W_1 for both).
   */
  @Override
  protected void runCleanPass(Matrix x) {
    if (!stacks()) {
      super.runCleanPass(x);
      return;
    }
    Matrix f = feedback.f(pool);
    for (int p = 0; p < f.rows(); p++) {
      for (int c = 0; c < f.cols(); c++) {
        ft.set(c, p, f.get(p, c));
      }
    }
    clean.runStacked(x, ft, masks, pool);
  }

  /** Sets how the modulated pass computes its first layer (default {@link FirstLayer#FACTORED}); returns this. */
  public Pepita firstLayer(FirstLayer mode) {
    this.firstLayer = java.util.Objects.requireNonNull(mode, "mode");
    return this;
  }

  /** How the modulated pass computes its first layer. */
  public FirstLayer firstLayer() {
    return firstLayer;
  }

  /**
   * X_mod = X -+ E F^T from the current E, then the modulated pass with the current masks. Must follow the
   * clean pass with the same weights (the factored first layer reuses its A_1).
   */
  protected final void modulatedPass(Matrix x) {
    if (stacks()) {
      // F^T is up to date from the clean pass: X + s E F^T in one pass, the arithmetic of the product below
      Ops.addLowRank(x, sign.factor(), error, ft, xmod, null, null, pool);
      modulated.runShifted(xmod, clean.preActivation(1), sign.factor(), error, clean.extraProducts(), masks, pool);
    } else {
      xmod.copyFrom(x);
      Ops.gemm(Transpose.N, Transpose.T, sign.factor(), error, feedback.f(pool), 1f, xmod, pool);
      modulated.run(xmod, masks, pool);
    }
  }

  @Override
  public void computeGradients(Matrix x, int[] labels) {
    checkBatch(x, labels);
    cleanPassAndError(x, labels);
    modulatedPass(x);
    pepitaGradients(x);
  }

  /** The PEPITA update from the clean and modulated passes already run. */
  protected final void pepitaGradients(Matrix x) {
    if (layers == 1) {
      outer(1, invN, error, x, 0f);
      return;
    }
    ForwardPass pre = presynaptic == Presynaptic.MODULATED ? modulated : clean;
    for (int l = 1; l < layers; l++) {
      Ops.sub(clean.hidden(l), modulated.hidden(l), delta[l], pool);
      outer(l, invN, delta[l], pre.hidden(l - 1), 0f);
    }
    outer(layers, invN, error, pre.hidden(layers - 1), 0f);
  }

  /** The modulated pass of the last step (live). */
  public ForwardPass modulatedPass() {
    return modulated;
  }

  /** X_mod of the last step (live). */
  public Matrix modulatedInput() {
    return xmod;
  }

  @Override
  public FeedbackMatrix feedbackMatrix() {
    return feedback;
  }

  @Override
  public Map<String, Matrix> feedbackTensors() {
    return feedbackTensors(feedback, pool);
  }

  static Map<String, Matrix> feedbackTensors(FeedbackMatrix feedback, org.fwdlearn.core.ThreadPool pool) {
    Map<String, Matrix> m = new LinkedHashMap<>();
    m.put("F", feedback.f(pool));
    if (feedback.factorCount() > 1) {
      for (int l = 1; l <= feedback.factorCount(); l++) {
        m.put("B" + l, feedback.factor(l));
      }
    }
    return Collections.unmodifiableMap(m);
  }
}

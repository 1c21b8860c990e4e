package org.fwdlearn.rules;

import java.util.Map;
import org.fwdlearn.core.Matrix;
import org.fwdlearn.core.Ops;
import org.fwdlearn.core.Transpose;

/**
 * Adaptive feedback alignment (AFA), the linearisation of PEPITA (Srinivasan, Mignacca, Dellaferrera et al.,
 * "Forward learning with top-down feedback: empirical and analytical characterization", ICLR 2024, arXiv
 * 2302.05440: PEPITA "is well-approximated by an adaptive-feedback-alignment algorithm"); ALGORITHMS.md
 * section 6. To first order in F, the modulated pass differs from the clean one by h_l - h~_l = D_l W_l ...
 * D_1 W_1 F e, so PEPITA's hidden updates equal feedback alignment with the ADAPTIVE feedback W_l...W_1 F:
 *
 * <pre>
 *   D_0 = E F^T                                      (sign PLUS: -E F^T)
 *   D_l = (D_{l-1} W_l^T) (.) relu'(A_l) (.) M_l      (l = 1, ..., L-1)
 *   G_l = D_l^T H_{l-1} / n                          (l &lt; L)
 *   G_L = E^T H_{L-1} / n                            (delta rule)
 * </pre>
 *
 * For two layers: D_1 = (E F^T W_1^T) (.) relu'(A_1) (.) M_1, G_1 = D_1^T X / n, G_2 = E^T H_1 / n. PEPITA's
 * G_1 with F scaled by c, divided by c, tends to this G_1 as c -&gt; 0. With activation normalization, D_l is
 * also multiplied by the normalization's Jacobian (the forward-mode linearisation of H~_l).
 */
public final class AdaptiveFeedbackAlignment extends AbstractLearningRule implements GradientRule {
  private final FeedbackMatrix feedback;
  private final Pepita.Sign sign;
  private final Matrix[] delta; // 0..L-1, delta[0] = D_0 (n x d0)

  /** AFA with the given F, sign MINUS (the linearisation of the reference's X - E F^T). */
  public AdaptiveFeedbackAlignment(RuleContext ctx, FeedbackMatrix feedback) {
    this(ctx, feedback, Pepita.Sign.MINUS);
  }

  /** AFA linearising PEPITA with the given modulation sign. */
  public AdaptiveFeedbackAlignment(RuleContext ctx, FeedbackMatrix feedback, Pepita.Sign sign) {
    super(ctx);
    if (feedback.inputs() != net.inputSize() || feedback.classes() != net.outputSize()) {
      throw new IllegalArgumentException(
          "F is " + feedback.inputs() + "x" + feedback.classes() + ", expected d0 x C = " + net.inputSize() + "x"
              + net.outputSize());
    }
    this.feedback = feedback;
    this.sign = sign;
    delta = new Matrix[layers];
    for (int l = 0; l < layers; l++) {
      delta[l] = new Matrix(n, net.size(l));
    }
  }

  @Override
  public String name() {
    return "afa";
  }

  @Override
  public void computeGradients(Matrix x, int[] labels) {
    checkBatch(x, labels);
    cleanPassAndError(x, labels);
    if (layers > 1) {
      // D_0 = -(sign) E F^T: X - X_mod for the modulation X_mod = X + sign * E F^T.
      Ops.gemm(Transpose.N, Transpose.T, -sign.factor(), error, feedback.f(pool), 0f, delta[0], pool);
      for (int l = 1; l < layers; l++) {
        Ops.gemm(Transpose.N, Transpose.T, 1f, delta[l - 1], net.weight(l), 0f, delta[l], pool);
        if (masks.active()) {
          Ops.hadamard(delta[l], masks.mask(l), delta[l]);
        }
        Ops.reluBackward(clean.preActivation(l), delta[l]);
        clean.applyNormalizationJacobian(l, delta[l]);
        outer(l, invN, delta[l], clean.hidden(l - 1), 0f);
      }
    }
    outer(layers, invN, error, clean.hidden(layers - 1), 0f);
  }

  @Override
  public FeedbackMatrix feedbackMatrix() {
    return feedback;
  }

  @Override
  public Map<String, Matrix> feedbackTensors() {
    return Pepita.feedbackTensors(feedback, pool);
  }
}

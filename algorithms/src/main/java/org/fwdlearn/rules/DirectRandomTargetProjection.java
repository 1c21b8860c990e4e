package org.fwdlearn.rules;

import java.util.List;
import org.fwdlearn.core.Matrix;
import org.fwdlearn.core.Rng;

/**
 * Direct random target projection (Frenkel, Lefebvre and Bol, "Learning without feedback: fixed random
 * learning signals allow for feedforward training of deep neural networks", Frontiers in Neuroscience 15,
 * 2021, arXiv 1909.01311); ALGORITHMS.md section 2. As {@link DirectFeedbackAlignment}, but the hidden
 * layers receive a fixed random projection of the one-hot TARGET instead of the error:
 *
 * <pre>
 *   D_L = E = P - T                                 (delta rule at the output)
 *   D_l = (T K_l) (.) relu'(A_l) (.) M_l             (l = 1, ..., L-1)
 *   G_l = D_l^T H_{l-1} / n
 * </pre>
 *
 * K_l (C x d_l) ~ U(+-sqrt(6/d_l)), PyTorch's kaiming_uniform on a C x d_l tensor as in the official code.
 */
public final class DirectRandomTargetProjection extends DirectFeedbackAlignment {
  /** DRTP with K_l ~ U(+-sqrt(6/d_l)), K_1 first, row-major. */
  public DirectRandomTargetProjection(RuleContext ctx, Rng rng) {
    super(ctx, rng);
  }

  /** DRTP with the given K_1..K_{L-1} (copied), each C x d_l. */
  public DirectRandomTargetProjection(RuleContext ctx, List<Matrix> feedback) {
    super(ctx, feedback);
  }

  @Override
  public String name() {
    return "drtp";
  }

  @Override
  protected Matrix signal(int[] labels) {
    targets(labels);
    return target;
  }
}

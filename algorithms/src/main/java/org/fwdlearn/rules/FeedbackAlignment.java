package org.fwdlearn.rules;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.fwdlearn.core.Matrix;
import org.fwdlearn.core.Ops;
import org.fwdlearn.core.Rng;
import org.fwdlearn.core.Transpose;
import org.fwdlearn.nn.WeightInit;

/**
 * Feedback alignment (Lillicrap, Cownden, Tweed and Akerman, "Random synaptic feedback weights support error
 * backpropagation for deep learning", Nature Communications 7, 2016); ALGORITHMS.md section 2. Fixed random
 * matrices B_l (d_{l-1} x d_l, the shape of W_l^T), l = 2..L, replace W_l^T in the backward pass:
 *
 * <pre>
 *   D_L = E = P - T
 *   D_l = (D_{l+1} B_{l+1}^T) (.) relu'(A_l) (.) M_l        (l = L-1, ..., 1)
 *   G_l = D_l^T H_{l-1} / n
 * </pre>
 *
 * With B_l = W_l^T this is backpropagation. With activation normalization the local Jacobian of the
 * normalization is applied as in {@link Backpropagation} (only W is replaced by B). The B_l are He-uniform
 * like the forward weights, U(+-sqrt(6/d_{l-1})), unless given; {@link FeedbackAlignmentMirror} can align
 * them with W_l^T (Akrout et al. 2019).
 */
public final class FeedbackAlignment extends AbstractLearningRule implements GradientRule {
  private final Matrix[] b; // 2..L
  private final Matrix[] delta; // 1..L-1

  /** FA with B_l drawn by {@code init} (fan-in d_{l-1}, as W_l), B_2 first, row-major. */
  public FeedbackAlignment(RuleContext ctx, WeightInit init, Rng rng) {
    this(ctx, drawFeedback(ctx, init, rng));
  }

  /** FA with the given B_2..B_L (copied; index 0 holds B_2), each d_{l-1} x d_l. */
  public FeedbackAlignment(RuleContext ctx, List<Matrix> feedback) {
    super(ctx);
    if (feedback.size() != layers - 1) {
      throw new IllegalArgumentException(
          "FA needs " + (layers - 1) + " feedback matrices B2..B" + layers + ", got " + feedback.size());
    }
    b = new Matrix[layers + 1];
    for (int l = 2; l <= layers; l++) {
      Matrix m = feedback.get(l - 2);
      if (m.rows() != net.size(l - 1) || m.cols() != net.size(l)) {
        throw new IllegalArgumentException(
            "B" + l + " is " + m.shape() + ", expected " + net.size(l - 1) + "x" + net.size(l) + " (the shape of W" + l + "^T)");
      }
      b[l] = m.copy();
    }
    delta = new Matrix[layers];
    for (int l = 1; l < layers; l++) {
      delta[l] = new Matrix(n, net.size(l));
    }
  }

  private static List<Matrix> drawFeedback(RuleContext ctx, WeightInit init, Rng rng) {
    int[] d = ctx.network().sizes();
    List<Matrix> list = new ArrayList<>();
    for (int l = 2; l < d.length; l++) {
      // B_l is W_l^T-shaped; its fan-in for the He scale is d_{l-1}, as for W_l.
      Matrix wShaped = init.fill(new Matrix(d[l], d[l - 1]), rng);
      list.add(wShaped.transpose());
    }
    return list;
  }

  @Override
  public String name() {
    return "fa";
  }

  @Override
  public void computeGradients(Matrix x, int[] labels) {
    checkBatch(x, labels);
    cleanPassAndError(x, labels);
    outer(layers, invN, error, clean.hidden(layers - 1), 0f);
    Matrix up = error;
    for (int l = layers - 1; l >= 1; l--) {
      Ops.gemm(Transpose.N, Transpose.T, 1f, up, b[l + 1], 0f, delta[l], pool);
      backwardThroughHidden(clean, l, delta[l]);
      outer(l, invN, delta[l], clean.hidden(l - 1), 0f);
      up = delta[l];
    }
  }

  /** B_l for l in [2, L] (live). */
  public Matrix feedback(int l) {
    if (l < 2 || l > layers) {
      throw new IndexOutOfBoundsException("FA feedback B" + l + " outside [2, " + layers + "]");
    }
    return b[l];
  }

  @Override
  public Map<String, Matrix> feedbackTensors() {
    Map<String, Matrix> m = new LinkedHashMap<>();
    for (int l = 2; l <= layers; l++) {
      m.put("B" + l, b[l]);
    }
    return Collections.unmodifiableMap(m);
  }
}

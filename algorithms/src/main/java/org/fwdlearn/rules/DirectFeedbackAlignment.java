package org.fwdlearn.rules;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.fwdlearn.core.Init;
import org.fwdlearn.core.Matrix;
import org.fwdlearn.core.Ops;
import org.fwdlearn.core.Rng;
import org.fwdlearn.core.Transpose;

/**
 * Direct feedback alignment (Nokland, "Direct feedback alignment provides learning in deep neural
 * networks", NeurIPS 2016, arXiv 1609.01596); ALGORITHMS.md section 2. The output error reaches every hidden
 * layer directly through a fixed random K_l (C x d_l):
 *
 * <pre>
 *   D_L = E = P - T
 *   D_l = (E K_l) (.) relu'(A_l) (.) M_l        (l = 1, ..., L-1)
 *   G_l = D_l^T H_{l-1} / n
 * </pre>
 *
 * K_l ~ U(+-sqrt(6/d_l)) (the ICML code's DFA init) unless given. With one hidden layer and K_1 = W_2 this
 * is backpropagation. With activation normalization the signal E K_l is injected at H_l and passed through
 * the normalization's Jacobian before relu' and the mask.
 */
public class DirectFeedbackAlignment extends AbstractLearningRule implements GradientRule {
  /** K_l at index l (1..L-1). */
  protected final Matrix[] k;
  private final Matrix[] delta; // 1..L-1

  /** DFA with K_1..K_{L-1} ~ U(+-sqrt(6/d_l)) drawn K_1 first, row-major. */
  public DirectFeedbackAlignment(RuleContext ctx, Rng rng) {
    this(ctx, drawFeedback(ctx, rng));
  }

  /** DFA with the given K_1..K_{L-1} (copied; index 0 holds K_1), each C x d_l. */
  public DirectFeedbackAlignment(RuleContext ctx, List<Matrix> feedback) {
    super(ctx);
    if (feedback.size() != layers - 1) {
      throw new IllegalArgumentException(
          name() + " needs " + (layers - 1) + " feedback matrices K1..K" + (layers - 1) + ", got " + feedback.size());
    }
    k = new Matrix[layers];
    delta = new Matrix[layers];
    for (int l = 1; l < layers; l++) {
      Matrix m = feedback.get(l - 1);
      if (m.rows() != net.outputSize() || m.cols() != net.size(l)) {
        throw new IllegalArgumentException(
            "K" + l + " is " + m.shape() + ", expected " + net.outputSize() + "x" + net.size(l));
      }
      k[l] = m.copy();
      delta[l] = new Matrix(n, net.size(l));
    }
  }

  static List<Matrix> drawFeedback(RuleContext ctx, Rng rng) {
    int[] d = ctx.network().sizes();
    int c = d[d.length - 1];
    List<Matrix> list = new ArrayList<>();
    for (int l = 1; l < d.length - 1; l++) {
      float a = (float) Math.sqrt(6.0 / d[l]);
      list.add(Init.uniform(new Matrix(c, d[l]), -a, a, rng));
    }
    return list;
  }

  @Override
  public String name() {
    return "dfa";
  }

  /** The signal projected to the hidden layers: E for DFA. */
  protected Matrix signal(int[] labels) {
    return error;
  }

  @Override
  public void computeGradients(Matrix x, int[] labels) {
    checkBatch(x, labels);
    cleanPassAndError(x, labels);
    Matrix s = signal(labels);
    for (int l = 1; l < layers; l++) {
      Ops.gemm(Transpose.N, Transpose.N, 1f, s, k[l], 0f, delta[l], pool);
      backwardThroughHidden(clean, l, delta[l]);
      outer(l, invN, delta[l], clean.hidden(l - 1), 0f);
    }
    outer(layers, invN, error, clean.hidden(layers - 1), 0f);
  }

  /** K_l for l in [1, L-1] (live). */
  public Matrix feedback(int l) {
    if (l < 1 || l >= layers) {
      throw new IndexOutOfBoundsException("feedback K" + l + " outside [1, " + (layers - 1) + "]");
    }
    return k[l];
  }

  @Override
  public Map<String, Matrix> feedbackTensors() {
    Map<String, Matrix> m = new LinkedHashMap<>();
    for (int l = 1; l < layers; l++) {
      m.put("K" + l, k[l]);
    }
    return Collections.unmodifiableMap(m);
  }
}

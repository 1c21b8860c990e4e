package org.fwdlearn.rules;

import java.util.Map;
import org.fwdlearn.core.Matrix;
import org.fwdlearn.core.Ops;
import org.fwdlearn.core.Transpose;

/**
 * Backpropagation of the mean softmax cross-entropy (Rumelhart, Hinton and Williams, "Learning
 * representations by back-propagating errors", Nature 323, 1986); ALGORITHMS.md section 2.
 *
 * <pre>
 *   D_L = E = P - T
 *   D_l = (D_{l+1} W_{l+1}) (.) relu'(A_l) (.) M_l        (l = L-1, ..., 1)
 *   G_l = D_l^T H_{l-1} / n
 * </pre>
 *
 * G_l is exactly the gradient of the batch's mean cross-entropy for the batch's dropout masks. With
 * activation normalization, D_{l+1} W_{l+1} is first multiplied by the normalization's Jacobian {@code (I -
 * vec(H_l) vec(H_l)^T) / s_l}, so G_l stays the true gradient (what autograd computes in the reference).
 */
public final class Backpropagation extends AbstractLearningRule implements GradientRule {
  private final Matrix[] delta; // 1..L-1

  public Backpropagation(RuleContext ctx) {
    super(ctx);
    delta = new Matrix[layers];
    for (int l = 1; l < layers; l++) {
      delta[l] = new Matrix(n, net.size(l));
    }
  }

  @Override
  public String name() {
    return "bp";
  }

  @Override
  public void computeGradients(Matrix x, int[] labels) {
    checkBatch(x, labels);
    cleanPassAndError(x, labels);
    outer(layers, invN, error, clean.hidden(layers - 1), 0f);
    Matrix up = error;
    for (int l = layers - 1; l >= 1; l--) {
      Ops.gemm(Transpose.N, Transpose.N, 1f, up, net.weight(l + 1), 0f, delta[l], pool);
      backwardThroughHidden(clean, l, delta[l]);
      outer(l, invN, delta[l], clean.hidden(l - 1), 0f);
      up = delta[l];
    }
  }

  @Override
  public Map<String, Matrix> feedbackTensors() {
    return Map.of();
  }
}

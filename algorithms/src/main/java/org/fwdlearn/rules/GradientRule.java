package org.fwdlearn.rules;

import java.util.List;
import org.fwdlearn.core.Matrix;
import org.fwdlearn.optim.Optimizer;

/** A learning rule that makes one update per batch: {@link #step} = {@link #computeGradients} + one optimiser step. */
public interface GradientRule extends LearningRule {
  /** Draws the masks, runs the passes and writes G_1..G_L, without touching the weights. */
  void computeGradients(Matrix x, int[] labels);

  /** G_l for l in [1, L] of the last {@link #computeGradients} (live). */
  Matrix gradient(int l);

  /** G_1..G_L (live; index 0 holds G_1). */
  List<Matrix> gradients();

  @Override
  default void step(Matrix x, int[] labels, Optimizer optimizer) {
    if (this instanceof AbstractLearningRule r) {
      r.gradientStep(this, x, labels, optimizer); // the same update, G_1's product fused with the SGD step
      return;
    }
    computeGradients(x, labels);
    optimizer.step(gradients());
  }
}

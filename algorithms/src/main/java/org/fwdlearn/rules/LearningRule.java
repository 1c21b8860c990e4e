package org.fwdlearn.rules;

import java.util.Map;
import org.fwdlearn.core.Matrix;
import org.fwdlearn.optim.Optimizer;

/**
 * A learning rule of an MLP: given a batch, it computes gradient-like updates G_l (shape of W_l, divided by
 * the batch size) from one or more forward passes, and applies them through an {@link Optimizer} bound to
 * the network's weights. Implementations own preallocated workspaces for one batch size and allocate
 * nothing per step; they are not thread-safe.
 *
 * <p>{@link org.fwdlearn.train.Trainer} builds the rule named by {@code TrainConfig.rule} and drives it;
 * a rule can also be driven by hand:
 *
 * <pre>{@code
 * Network net = Network.create(new int[] {784, 1024, 10}, WeightInit.HE_UNIFORM, false, new Rng(1));
 * RuleContext ctx = new RuleContext(net, 64, 0.1f, ThreadPool.common(), new Rng(2));
 * LearningRule rule = new Pepita(ctx, FeedbackMatrix.uniform(784, 10, 0.05f, true, new Rng(3)));
 * Optimizer sgd = new Sgd(net.weights(), 0.01f, 0.9f, 0f);
 * rule.step(x, labels, sgd);        // one batch: x is 64 x 784, labels has 64 classes
 * }</pre>
 */
public interface LearningRule {
  /** The rule's name as the trainer knows it, e.g. {@code pepita}. */
  String name();

  /**
   * Trains on one batch: draws the batch's dropout masks, runs the rule's passes, and updates the weights
   * through {@code optimizer} (once, or twice for time-local PEPITA).
   *
   * @param x the inputs, exactly n x d_0. Not modified.
   * @param labels the classes of the n rows. Not modified.
   * @throws org.fwdlearn.optim.NonFiniteGradientException if an update holds a NaN or infinity
   */
  void step(Matrix x, int[] labels, Optimizer optimizer);

  /**
   * Runs only the clean forward pass of a batch (fresh dropout masks, no update), so that {@link #logits()}
   * reflects it; used in mirror-only epochs.
   */
  void observe(Matrix x, int[] labels);

  /** The logits A_L (n x C) of the clean (first) pass of the last step, with dropout. Not a copy. */
  Matrix logits();

  /**
   * The rule's feedback tensors by name (live matrices), for export and checkpoints: "F" and "B1".."BL" for
   * the PEPITA family and AFA, "B2".."BL" for FA, "K1".."K(L-1)" for DFA and DRTP; empty for BP.
   */
  Map<String, Matrix> feedbackTensors();

  /** The feedback matrix F of the PEPITA family and AFA, or null. */
  default FeedbackMatrix feedbackMatrix() {
    return null;
  }
}

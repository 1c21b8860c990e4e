package org.fwdlearn.optim;

import java.util.List;
import org.fwdlearn.core.Matrix;

/**
 * Applies gradient-like updates to a fixed list of parameter matrices (bound at construction). Every
 * learning rule produces G_l with the shape of W_l, already divided by the batch size, and the optimiser
 * subtracts (a function of) it: W_l decreases along G_l.
 */
public interface Optimizer {
  /**
   * One optimisation step with {@code grads.get(i)} for parameter i.
   *
   * @param grads Not modified. Same shapes as the parameters.
   * @throws NonFiniteGradientException if a gradient holds a NaN or infinity; nothing is modified then
   */
  void step(List<Matrix> grads);

  /**
   * Adds a further gradient to the step just taken, without a second momentum decay or weight decay, so
   * that {@code step(G_a); addToStep(G_b)} moves the parameters as one {@code step(G_a + G_b)} would,
   * except that G_b may have been computed at the parameters after the first part. Used by time-local
   * PEPITA, whose second pass sees the weights updated by the first.
   *
   * @throws NonFiniteGradientException if a gradient holds a NaN or infinity; nothing is modified then
   */
  void addToStep(List<Matrix> grads);

  /** The learning rate in force. */
  float learningRate();

  /** Sets the learning rate (schedules call this at the end of an epoch). */
  void setLearningRate(float lr);

  /** The parameters this optimiser updates (live). */
  List<Matrix> parameters();

  /** The optimiser's state buffers, one per parameter (e.g. momentum), for checkpoints; live. */
  List<Matrix> stateBuffers();
}

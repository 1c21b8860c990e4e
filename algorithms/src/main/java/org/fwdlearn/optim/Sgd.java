package org.fwdlearn.optim;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.fwdlearn.core.Matrix;
import org.fwdlearn.core.Ops;
import org.fwdlearn.core.ThreadPool;
import org.fwdlearn.core.Transpose;

/**
 * Stochastic gradient descent with momentum and weight decay, PyTorch semantics (no dampening, no Nesterov;
 * ALGORITHMS.md section 3.4), for each parameter W with gradient G and velocity V (initially 0):
 *
 * <pre>
 *   g = G + lambda W;   V &lt;- mu V + g;   W &lt;- W - eta V
 * </pre>
 *
 * <p>A velocity below the smallest normal float in magnitude is stored as 0 ({@link Ops#sgdStep}): it would
 * change no weight, and subnormal arithmetic is many times slower on x86.
 *
 * <p>With {@code mu = 0} and {@code lambda = 0} this is plain SGD. Reference: the update rule of
 * {@code torch.optim.SGD} (Sutskever, Martens, Dahl and Hinton, "On the importance of initialization and
 * momentum in deep learning", ICML 2013, in PyTorch's formulation). Allocation-free after construction.
 */
public final class Sgd implements Optimizer {
  private final List<Matrix> params;
  private final List<Matrix> velocity;
  private final String[] names;
  private float lr;
  private final float momentum;
  private final float weightDecay;
  private ThreadPool pool = ThreadPool.sequential();

  /**
   * @param params the matrices to update (live; updated in place)
   * @param lr learning rate eta > 0
   * @param momentum mu in [0, 1)
   * @param weightDecay lambda >= 0
   */
  public Sgd(List<Matrix> params, float lr, float momentum, float weightDecay) {
    this(params, lr, momentum, weightDecay, "W");
  }

  /** As {@link #Sgd(List, float, float, float)}, naming parameter i {@code prefix + (i + 1)} in errors. */
  public Sgd(List<Matrix> params, float lr, float momentum, float weightDecay, String prefix) {
    checkLr(lr);
    if (!(momentum >= 0f && momentum < 1f)) {
      throw new IllegalArgumentException("momentum must be in [0, 1), got " + momentum);
    }
    if (!(weightDecay >= 0f && Float.isFinite(weightDecay))) {
      throw new IllegalArgumentException("weight decay must be a finite number >= 0, got " + weightDecay);
    }
    this.params = List.copyOf(params);
    List<Matrix> v = new ArrayList<>(params.size());
    names = new String[params.size()];
    for (int i = 0; i < params.size(); i++) {
      v.add(new Matrix(params.get(i).rows(), params.get(i).cols()));
      names[i] = prefix + (i + 1);
    }
    this.velocity = Collections.unmodifiableList(v);
    this.lr = lr;
    this.momentum = momentum;
    this.weightDecay = weightDecay;
  }

  /**
   * Runs the step's passes over the parameters (the gradient check and the update, both memory-bound) on
   * {@code pool}; elementwise, so the result does not depend on the threads. Default: the caller's thread.
   * Returns this.
   */
  public Sgd threads(ThreadPool pool) {
    this.pool = java.util.Objects.requireNonNull(pool, "pool");
    return this;
  }

  private static void checkLr(float lr) {
    if (!(lr >= 0f && Float.isFinite(lr))) {
      throw new IllegalArgumentException("learning rate must be a finite number >= 0, got " + lr);
    }
  }

  private void checkGrads(List<Matrix> grads) {
    checkGrads(grads, -1);
  }

  /** Shapes of every gradient, finiteness of every one but {@code skip}'s (applied by a fused step). */
  private void checkGrads(List<Matrix> grads, int skip) {
    if (grads.size() != params.size()) {
      throw new IllegalArgumentException(grads.size() + " gradients for " + params.size() + " parameters");
    }
    for (int i = 0; i < grads.size(); i++) {
      if (!grads.get(i).sameShape(params.get(i))) {
        throw new IllegalArgumentException(
            "gradient of " + names[i] + " is " + grads.get(i).shape() + ", parameter is " + params.get(i).shape());
      }
      if (i != skip && !Ops.allFinite(grads.get(i), pool)) {
        throw new NonFiniteGradientException(i, "gradient of " + names[i]);
      }
    }
  }

  private void checkResult() {
    for (int i = 0; i < params.size(); i++) {
      if (!Ops.allFinite(params.get(i))) {
        throw new NonFiniteGradientException(i, "updated " + names[i] + " (overflow)", true);
      }
    }
  }

  @Override
  public void step(List<Matrix> grads) {
    checkGrads(grads);
    int overflow = -1;
    for (int i = 0; i < params.size(); i++) {
      // the step checks its own result (one pass over W instead of two)
      if (!Ops.sgdStep(params.get(i), grads.get(i), velocity.get(i), lr, momentum, weightDecay, pool) && overflow < 0) {
        overflow = i;
      }
    }
    if (overflow >= 0) {
      throw new NonFiniteGradientException(overflow, "updated " + names[overflow] + " (overflow)", true);
    }
  }

  /**
   * {@link #step} with G of parameter {@code fused} given as the product {@code alpha op(A) op(B)} instead of
   * stored in {@code grads.get(fused)}: the product runs fused with that parameter's step ({@link Ops#gemmSgd})
   * where the kernel can, with the same result bit for bit as the product followed by {@link #step}. The other
   * gradients are checked before anything is modified, as in step; parameter {@code fused}'s gradient is seen
   * only as it is applied, so a NaN or infinity in it (or an overflow) is reported with the parameters
   * modified. {@code grads.get(fused)} is scratch.
   *
   * @throws NonFiniteGradientException as {@link #step}
   */
  public void stepFused(List<Matrix> grads, int fused, Transpose ta, Transpose tb, float alpha, Matrix a, Matrix b) {
    checkGrads(grads, fused);
    int overflow = -1;
    for (int i = 0; i < params.size(); i++) {
      if (i != fused
          && !Ops.sgdStep(params.get(i), grads.get(i), velocity.get(i), lr, momentum, weightDecay, pool)
          && overflow < 0) {
        overflow = i;
      }
    }
    boolean ok = Ops.gemmSgd(
        ta, tb, alpha, a, b, grads.get(fused), params.get(fused), velocity.get(fused), lr, momentum, weightDecay, pool);
    if (!ok) {
      throw new NonFiniteGradientException(
          fused, "gradient or updated " + names[fused] + " (a non-finite gradient or an overflow: the fused step applies"
              + " the update before it can check)", true);
    }
    if (overflow >= 0) {
      throw new NonFiniteGradientException(overflow, "updated " + names[overflow] + " (overflow)", true);
    }
  }

  /** {@code V <- V + G_b; W <- W - eta G_b}. */
  @Override
  public void addToStep(List<Matrix> grads) {
    checkGrads(grads);
    for (int i = 0; i < params.size(); i++) {
      Ops.axpy(1f, grads.get(i), velocity.get(i));
      Ops.axpy(-lr, grads.get(i), params.get(i));
    }
    checkResult();
  }

  @Override
  public float learningRate() {
    return lr;
  }

  @Override
  public void setLearningRate(float lr) {
    checkLr(lr);
    this.lr = lr;
  }

  /** mu. */
  public float momentum() {
    return momentum;
  }

  /** lambda. */
  public float weightDecay() {
    return weightDecay;
  }

  @Override
  public List<Matrix> parameters() {
    return params;
  }

  /** The velocities V, one per parameter. */
  @Override
  public List<Matrix> stateBuffers() {
    return velocity;
  }
}

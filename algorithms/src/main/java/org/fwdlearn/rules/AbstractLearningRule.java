package org.fwdlearn.rules;

import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import org.fwdlearn.core.Matrix;
import org.fwdlearn.core.Ops;
import org.fwdlearn.core.Rng;
import org.fwdlearn.core.ThreadPool;
import org.fwdlearn.core.Transpose;
import org.fwdlearn.nn.DropoutMasks;
import org.fwdlearn.nn.ForwardPass;
import org.fwdlearn.nn.Network;
import org.fwdlearn.optim.Optimizer;
import org.fwdlearn.optim.Sgd;

/**
 * Shared workspace of the rules: the clean forward pass, the batch's dropout masks, the error E = P - T,
 * the one-hot targets T, and one G_l buffer per layer, all allocated once for batches of n rows.
 */
public abstract class AbstractLearningRule implements LearningRule {
  protected final Network net;
  /** Number of weight layers L. */
  protected final int layers;
  /** Rows per batch. */
  protected final int n;
  /** 1/n, the factor of every G_l. */
  protected final float invN;
  protected final ThreadPool pool;
  protected final Rng rng;
  protected final DropoutMasks masks;
  protected final ForwardPass clean;
  /** E = P - T of the clean pass (n x C). */
  protected final Matrix error;
  /** T, the one-hot targets (n x C); filled by {@link #targets}. */
  protected final Matrix target;
  /** G_l at index l (1..L). */
  protected final Matrix[] grads;
  private final List<Matrix> gradList;

  protected AbstractLearningRule(RuleContext ctx) {
    this.net = ctx.network();
    this.layers = net.layers();
    this.n = ctx.batchSize();
    this.invN = 1f / n;
    this.pool = ctx.pool();
    this.rng = ctx.dropoutRng();
    this.masks = new DropoutMasks(net.sizes(), n, ctx.dropout());
    this.clean = new ForwardPass(net, n);
    this.error = new Matrix(n, net.outputSize());
    this.target = new Matrix(n, net.outputSize());
    grads = new Matrix[layers + 1];
    for (int l = 1; l <= layers; l++) {
      grads[l] = new Matrix(net.size(l), net.size(l - 1));
    }
    gradList = Collections.unmodifiableList(Arrays.asList(grads).subList(1, layers + 1));
  }

  @Override
  public void observe(Matrix x, int[] labels) {
    masks.draw(rng, pool);
    clean.run(x, masks, pool);
  }

  @Override
  public Matrix logits() {
    return clean.logits();
  }

  /** G_l for l in [1, L] of the last update (live). */
  public Matrix gradient(int l) {
    if (l < 1 || l > layers) {
      throw new IndexOutOfBoundsException("gradient G" + l + " outside [1, " + layers + "]");
    }
    return grads[l];
  }

  /** G_1..G_L (live; index 0 holds G_1). */
  public List<Matrix> gradients() {
    return gradList;
  }

  /** The dropout masks of the last step (live). */
  public DropoutMasks masks() {
    return masks;
  }

  /** The clean pass of the last step (live). */
  public ForwardPass cleanPass() {
    return clean;
  }

  /** The network trained. */
  public Network network() {
    return net;
  }

  /** Draws the masks, runs the clean pass on x and sets E = P - T. */
  protected final void cleanPassAndError(Matrix x, int[] labels) {
    masks.draw(rng, pool);
    runCleanPass(x);
    error.copyFrom(clean.probabilities());
    Ops.subtractOneHot(error, labels);
  }

  /** The clean pass of a training step, with the batch's masks (a rule may stack more rows into it). */
  protected void runCleanPass(Matrix x) {
    clean.run(x, masks, pool);
  }

  /** Writes T = onehot(labels). */
  protected final void targets(int[] labels) {
    Ops.oneHot(labels, target);
  }

  /** {@code G_l <- alpha * delta^T pre + beta * G_l} (delta n x d_l, pre n x d_{l-1}). */
  protected final void outer(int l, float alpha, Matrix delta, Matrix pre, float beta) {
    if (l == 1 && deferFirst) {
      if (beta == 0f && !deferred) {
        // gradientStep fuses this product with the SGD step; the operands stay untouched until then
        deferredAlpha = alpha;
        deferredDelta = delta;
        deferredPre = pre;
        deferred = true;
        return;
      }
      materializeDeferred(); // a second product into G_1 (e.g. the Hebbian pair) needs the first one stored
    }
    Ops.gemm(Transpose.T, Transpose.N, alpha, delta, pre, beta, grads[l], pool);
  }

  private boolean deferFirst;
  private boolean deferred;
  private float deferredAlpha;
  private Matrix deferredDelta;
  private Matrix deferredPre;

  private void materializeDeferred() {
    if (deferred) {
      deferred = false;
      Ops.gemm(Transpose.T, Transpose.N, deferredAlpha, deferredDelta, deferredPre, 0f, grads[1], pool);
    }
  }

  /**
   * {@link GradientRule#step} of the rules that make one update per batch. With {@link Sgd}, G_1's product
   * (the largest: d_1 x n x d_0) is not stored: {@link #outer} defers it and {@link Sgd#stepFused} runs it fused
   * with the SGD step of W_1 ({@link Ops#gemmSgd}), saving a write and two reads of a d_1 x d_0 matrix per step,
   * with the same weights bit for bit. Nothing in a rule reads G_1 between its product and the step. After a
   * fused step {@link #gradient}(1) is not G_1 of the batch; {@link GradientRule#computeGradients} always
   * writes it. Other optimisers get the plain computeGradients and step.
   */
  final void gradientStep(GradientRule self, Matrix x, int[] labels, Optimizer optimizer) {
    stepRule = self;
    stepX = x;
    stepLabels = labels;
    try {
      fusedStep(computeStep, optimizer);
    } finally {
      stepRule = null;
      stepX = null;
      stepLabels = null;
    }
  }

  /** gradientStep's batch, read by {@link #computeStep} (fields, so that a step allocates no closure). */
  private GradientRule stepRule;
  private Matrix stepX;
  private int[] stepLabels;
  private final Runnable computeStep = () -> stepRule.computeGradients(stepX, stepLabels);

  /**
   * Runs {@code products} (the rule's {@link #outer} calls of one update) with G_1's product deferred, then
   * {@code optimizer.step} of the gradients, fused with G_1's product when the optimiser is {@link Sgd} (as
   * {@link #gradientStep}).
   */
  protected final void fusedStep(Runnable products, Optimizer optimizer) {
    if (!(optimizer instanceof Sgd sgd)) {
      products.run();
      optimizer.step(gradList);
      return;
    }
    deferFirst = true;
    try {
      products.run();
    } catch (RuntimeException | Error e) {
      deferred = false;
      throw e;
    } finally {
      deferFirst = false;
    }
    stepDeferred(sgd);
  }

  private void stepDeferred(Sgd sgd) {
    if (!deferred) {
      sgd.step(gradList);
      return;
    }
    deferred = false;
    Matrix delta = deferredDelta;
    Matrix pre = deferredPre;
    deferredDelta = null;
    deferredPre = null;
    sgd.stepFused(gradList, 0, Transpose.T, Transpose.N, deferredAlpha, delta, pre);
  }

  /**
   * Backward through hidden layer l of {@code pass}: g (dL/dH_l, n x d_l) becomes dL/dA_l = relu'(A_l) (.)
   * M_l (.) J_l^T g, where J_l is the normalization Jacobian (identity when off). g: Modified.
   */
  protected final void backwardThroughHidden(ForwardPass pass, int l, Matrix g) {
    pass.applyNormalizationJacobian(l, g);
    if (masks.active()) {
      Ops.hadamard(g, masks.mask(l), g, pool);
    }
    Ops.reluBackward(pass.preActivation(l), g);
  }

  /** Checks the batch shape. */
  protected final void checkBatch(Matrix x, int[] labels) {
    if (x.rows() != n || x.cols() != net.inputSize() || labels.length < n) {
      throw new IllegalArgumentException(
          name() + ": batch " + x.shape() + " with " + labels.length + " labels, expected " + n + "x"
              + net.inputSize() + " and " + n + " labels");
    }
  }
}

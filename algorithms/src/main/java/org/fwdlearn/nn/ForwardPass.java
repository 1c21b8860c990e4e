package org.fwdlearn.nn;

import org.fwdlearn.core.Matrix;
import org.fwdlearn.core.Ops;
import org.fwdlearn.core.ThreadPool;
import org.fwdlearn.core.Transpose;

/**
 * The preallocated workspace of one forward pass of a {@link Network} on a batch of exactly {@code n} rows
 * (ALGORITHMS.md section 1):
 *
 * <pre>
 *   H_0 = X;  A_l = H_{l-1} W_l^T;  H_l = Norm(M_l (.) relu(A_l))  (l &lt; L);  P = softmax_rows(A_L)
 * </pre>
 *
 * where M_l is the dropout mask (identity when no masks are given) and Norm divides the whole n x d_l batch
 * by its Frobenius norm when the network normalizes activations (each pass with its own scalar s_l).
 *
 * <p>Every buffer is allocated by the constructor; {@link #run} allocates nothing. Not thread-safe: one
 * workspace per thread.
 */
public final class ForwardPass {
  private final Network net;
  private final int n;
  private final int layers;
  private final Matrix[] a; // 1..L
  private final Matrix[] h; // 0..L-1, h[0] = the input of the last run
  private final Matrix p;
  private final float[] norms; // 1..L-1
  private final Matrix[] scratch; // 1..L-1, only with normalization
  private final float[] columnSums;
  /** With {@link #runStacked}: the input and A_1 of the n rows of x over the rows of the extra matrix. */
  private Matrix stackedInput;
  private Matrix stackedTop; // rows 0..n of stackedInput
  private Matrix stackedBottom; // rows n.. of stackedInput
  private Matrix stackedA1;
  private Matrix extraProducts;

  /** A workspace for batches of {@code n} rows. */
  public ForwardPass(Network net, int n) {
    if (n < 1) {
      throw new IllegalArgumentException("batch rows must be >= 1, got " + n);
    }
    this.net = net;
    this.n = n;
    this.layers = net.layers();
    int[] d = net.sizes();
    a = new Matrix[layers + 1];
    h = new Matrix[layers];
    norms = new float[layers];
    scratch = new Matrix[layers];
    int widest = 0;
    for (int l = 1; l <= layers; l++) {
      a[l] = new Matrix(n, d[l]);
      if (l < layers) {
        h[l] = new Matrix(n, d[l]);
        norms[l] = 1f;
        if (net.normalizesActivations()) {
          scratch[l] = new Matrix(n, d[l]);
          widest = Math.max(widest, d[l]);
        }
      }
    }
    p = new Matrix(n, d[layers]);
    columnSums = new float[widest];
  }

  /** The network this workspace runs. */
  public Network network() {
    return net;
  }

  /** Rows per batch. */
  public int rows() {
    return n;
  }

  /**
   * Runs the pass on {@code x} (n x d_0), kept by reference as H_0 until the next run.
   *
   * @param x Not modified.
   * @param masks the dropout masks of the batch, or null for evaluation (no dropout)
   * @param pool the threads of the matrix products
   */
  public void run(Matrix x, DropoutMasks masks, ThreadPool pool) {
    if (x.rows() != n || x.cols() != net.inputSize()) {
      throw new IllegalArgumentException(
          "forward pass on input " + x.shape() + ", expected " + n + "x" + net.inputSize());
    }
    h[0] = x;
    layersFrom(1, false, masks, pool);
  }

  /**
   * As {@link #run}, with the rows of {@code extra} (e x d_0) stacked under x in layer 1's product: one (n + e)
   * x d_0 x d_1 product reads W_1 once for both, and {@link #extraProducts} holds {@code extra W_1^T} (e x
   * d_1). Every row of a product is computed alike whatever the rows around it, so the pass is bit for bit
   * {@link #run}'s. PEPITA stacks F^T to get (W_1 F)^T for its factored modulated pass. The stacked buffers
   * are allocated on the first call (and again only if e changes).
   *
   * @param extra e x d_0, copied; not modified
   */
  public void runStacked(Matrix x, Matrix extra, DropoutMasks masks, ThreadPool pool) {
    if (x.rows() != n || x.cols() != net.inputSize() || extra.cols() != net.inputSize()) {
      throw new IllegalArgumentException("stacked forward pass on input " + x.shape() + " and " + extra.shape()
          + ", expected " + n + "x" + net.inputSize() + " and ex" + net.inputSize());
    }
    int e = extra.rows();
    if (stackedInput == null || stackedInput.rows() != n + e) {
      stackedInput = new Matrix(n + e, net.inputSize());
      stackedTop = stackedInput.rows(0, n);
      stackedBottom = stackedInput.rows(n, n + e);
      stackedA1 = new Matrix(n + e, net.size(1));
      a[1] = stackedA1.rows(0, n);
      extraProducts = stackedA1.rows(n, n + e);
    }
    stackedTop.copyFrom(x);
    stackedBottom.copyFrom(extra);
    h[0] = x;
    Ops.gemm(Transpose.N, Transpose.T, 1f, stackedInput, net.weight(1), 0f, stackedA1, pool);
    layersFrom(1, true, masks, pool);
  }

  /** {@code extra W_1^T} of the last {@link #runStacked} (e x d_1; live). */
  public Matrix extraProducts() {
    if (extraProducts == null) {
      throw new IllegalStateException("no stacked pass has run");
    }
    return extraProducts;
  }

  /**
   * Runs the pass on {@code x} (n x d_0) whose first pre-activation is known to be {@code A_1 = base + s E
   * Q}: the modulated pass of PEPITA with {@code base} the clean pass's A_1 (= X W_1^T), X_mod = X + s E
   * F^T and Q = (W_1 F)^T = F^T W_1^T (C x d_1), since X_mod W_1^T = X W_1^T + s E F^T W_1^T. It replaces the
   * n x d_0 x d_1 product of layer 1 by one of n x C x d_1; the difference A~_1 - A_1 is computed directly
   * rather than as the difference of two rounded products. Layers 2..L and everything after each product are
   * as in {@link #run}.
   *
   * @param x the input X_mod, kept as H_0; not read by layer 1
   * @param base n x d_1, not modified (may be another pass's pre-activation)
   * @param s the factor of E Q
   * @param e n x C
   * @param q C x d_1
   */
  public void runShifted(
      Matrix x, Matrix base, float s, Matrix e, Matrix q, DropoutMasks masks, ThreadPool pool) {
    if (x.rows() != n || x.cols() != net.inputSize()) {
      throw new IllegalArgumentException(
          "forward pass on input " + x.shape() + ", expected " + n + "x" + net.inputSize());
    }
    if (base.rows() != n || base.cols() != net.size(1) || e.rows() != n || q.cols() != net.size(1)
        || q.rows() != e.cols()) {
      throw new IllegalArgumentException("shifted pass: A_1 " + base.shape() + ", E " + e.shape() + ", Q "
          + q.shape() + "; expected " + n + "x" + net.size(1) + ", " + n + "xC, Cx" + net.size(1));
    }
    h[0] = x;
    boolean drop = masks != null && masks.active();
    if (layers == 1) {
      Ops.addLowRank(base, s, e, q, a[1], null, null, pool);
    } else {
      // A_1 = base + s E Q, its relu and the mask in one pass: the arithmetic of the product into a copy of base
      // followed by the elementwise steps of layersFrom
      Ops.addLowRank(base, s, e, q, a[1], h[1], drop ? masks.mask(1) : null, pool);
      if (net.normalizesActivations()) {
        norms[1] = Ops.normalizeFrobenius(h[1]);
      }
    }
    layersFrom(2, false, masks, pool);
  }

  /**
   * Layers first..L from H_{first-1}, then the softmax; with {@code productDone} the product of layer {@code first}
   * is already in its A.
   */
  private void layersFrom(int first, boolean productDone, DropoutMasks masks, ThreadPool pool) {
    boolean drop = masks != null && masks.active();
    for (int l = first; l <= layers; l++) {
      if (l > first || !productDone) {
        Ops.gemm(Transpose.N, Transpose.T, 1f, h[l - 1], net.weight(l), 0f, a[l], pool);
      }
      if (l < layers) {
        Ops.relu(a[l], h[l], pool);
        if (drop) {
          Ops.applyMask(h[l], masks.mask(l), pool);
        }
        if (net.normalizesActivations()) {
          norms[l] = Ops.normalizeFrobenius(h[l]);
        }
      }
    }
    Ops.softmaxRows(a[layers], p);
  }

  /** H_l for l in [0, L-1]; H_0 is the input of the last run. Not a copy. */
  public Matrix hidden(int l) {
    if (l < 0 || l >= layers) {
      throw new IndexOutOfBoundsException("activation H_" + l + " outside [0, " + (layers - 1) + "]");
    }
    return h[l];
  }

  /** A_l (pre-activation, before dropout) for l in [1, L]; A_L are the logits. Not a copy. */
  public Matrix preActivation(int l) {
    if (l < 1 || l > layers) {
      throw new IndexOutOfBoundsException("pre-activation A_" + l + " outside [1, " + layers + "]");
    }
    return a[l];
  }

  /** The logits A_L (n x C). Not a copy. */
  public Matrix logits() {
    return a[layers];
  }

  /** The softmax output P (n x C). Not a copy. */
  public Matrix probabilities() {
    return p;
  }

  /** The normalization scalar s_l = ||M_l (.) relu(A_l)||_F of hidden layer l in the last run (1 if off). */
  public float norm(int l) {
    return norms[l];
  }

  /**
   * Multiplies g (n x d_l) in place by the Jacobian of hidden layer l's activation normalization at the
   * last run, {@code J = (I - vec(H_l) vec(H_l)^T) / s_l} (symmetric, so it serves both backward and
   * forward-mode linearisation): {@code g <- (g - H_l <H_l, g>) / s_l}. Does nothing when the network does
   * not normalize. g: Modified.
   */
  public void applyNormalizationJacobian(int l, Matrix g) {
    if (!net.normalizesActivations()) {
      return;
    }
    Matrix hl = hidden(l);
    Ops.hadamard(hl, g, scratch[l]);
    Ops.columnSums(scratch[l], columnSums);
    double dot = 0;
    for (int j = 0; j < hl.cols(); j++) {
      dot += columnSums[j];
    }
    Ops.axpy((float) -dot, hl, g);
    Ops.divide(g, norms[l]);
  }
}

package org.fwdlearn.ff;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.fwdlearn.core.Matrix;
import org.fwdlearn.core.Ops;
import org.fwdlearn.core.ThreadPool;
import org.fwdlearn.core.Transpose;

/**
 * The linear softmax read-out of a Forward-Forward network (ALGORITHMS.md section 7; the loeweX code's
 * downstream classifier): the image is presented once with the neutral label code, and the normalised
 * activities z_l of layers {@code firstLayer..L} are concatenated into a feature vector f; the class scores
 * are {@code f R^T}, R of shape C x sum_l d_l, bias-free and zero at the start. It is trained by its own
 * optimiser on the mean cross-entropy, with gradient {@code (softmax(f R^T) - T)^T f / n}; nothing flows back
 * into the network. R is held as one block R_l (C x d_l) per layer, so no features are copied.
 */
public final class LinearReadout {
  private final int first;
  private final int layers;
  private final int classes;
  private final Matrix[] blocks; // first..L
  private final List<Matrix> blockList;

  /** A zero read-out on layers {@code firstLayer..L} of {@code net}. */
  public LinearReadout(FfNetwork net, int firstLayer) {
    if (firstLayer < 1 || firstLayer > net.layers()) {
      throw new IllegalArgumentException("read-out layers start at " + firstLayer + ", outside [1, " + net.layers() + "]");
    }
    this.first = firstLayer;
    this.layers = net.layers();
    this.classes = net.classes();
    blocks = new Matrix[layers + 1];
    List<Matrix> list = new ArrayList<>();
    for (int l = first; l <= layers; l++) {
      blocks[l] = new Matrix(classes, net.size(l));
      list.add(blocks[l]);
    }
    blockList = Collections.unmodifiableList(list);
  }

  /** The first layer whose activity is a feature. */
  public int firstLayer() {
    return first;
  }

  /** R_first..R_L (live), C x d_l each. */
  public List<Matrix> blocks() {
    return blockList;
  }

  /** R_l (live) for l in [firstLayer, L]. */
  public Matrix block(int l) {
    if (l < first || l > layers) {
      throw new IndexOutOfBoundsException("read-out block R" + l + " outside [" + first + ", " + layers + "]");
    }
    return blocks[l];
  }

  /**
   * {@code out = sum_l z_l R_l^T} from a pass that ran all L layers. out: Modified (m x C).
   */
  public void logits(FfPass pass, Matrix out, ThreadPool pool) {
    if (pass.layersRun() != layers) {
      throw new IllegalStateException("the read-out needs a pass through all " + layers + " layers, got " + pass.layersRun());
    }
    for (int l = first; l <= layers; l++) {
      Ops.gemm(Transpose.N, Transpose.T, 1f, pass.normalized(l), blocks[l], l == first ? 0f : 1f, out, pool);
    }
  }

  /**
   * The gradients of the mean cross-entropy: {@code G_l = (P - T)^T z_l / m}, P = softmax(logits).
   *
   * @param logits the scores of the pass (m x C). Not modified.
   * @param error scratch, m x C. Modified: P - T.
   * @param grads one matrix per block. Modified.
   */
  public void gradients(FfPass pass, int[] labels, Matrix logits, Matrix error, List<Matrix> grads, ThreadPool pool) {
    if (grads.size() != blockList.size()) {
      throw new IllegalArgumentException(grads.size() + " gradient buffers for " + blockList.size() + " read-out blocks");
    }
    softmaxMinusOneHot(logits, labels, error);
    float inv = 1f / logits.rows();
    for (int l = first; l <= layers; l++) {
      Ops.gemm(Transpose.T, Transpose.N, inv, error, pass.normalized(l), 0f, grads.get(l - first), pool);
    }
  }

  /**
   * Predicts the labels of x (n x d_0) from the neutral-label pass into {@code out[0..n)}; allocates its
   * workspace. Returns the mean cross-entropy of the scores if labels are given (else NaN).
   */
  public double predict(FfNetwork net, Matrix x, int[] labels, int[] out, ThreadPool pool) {
    if (x.rows() == 0) {
      return Double.NaN;
    }
    return predict(new FfPass(net, x.rows()), x, labels, out, new Matrix(x.rows(), classes), pool);
  }

  /**
   * As {@link #predict(FfNetwork, Matrix, int[], int[], ThreadPool)} on a given workspace of exactly x.rows()
   * rows and scores buffer (n x C, Modified).
   */
  public double predict(FfPass pass, Matrix x, int[] labels, int[] out, Matrix scores, ThreadPool pool) {
    int n = x.rows();
    if (out.length < n || pass.rows() != n || scores.rows() != n || scores.cols() != classes) {
      throw new IllegalArgumentException(
          "predict " + x.shape() + ": output of length " + out.length + ", pass of " + pass.rows() + " rows, scores "
              + scores.shape());
    }
    FfNetwork net = pass.network();
    FirstLayerShortcut first = pass.shortcut();
    first.prepare(x, pool);
    first.neutralActivity(pass.hidden(1), 0, pass.scales(0));
    pass.runFromSecond(net.layers(), pool);
    logits(pass, scores, pool);
    Ops.argmaxRows(scores, out);
    return labels == null ? Double.NaN : meanCrossEntropy(scores, labels);
  }

  /**
   * {@code error = softmax_rows(logits) - T}, in double per row and in index order (a SIMD reduction's lane
   * order may change when the JIT compiles it; C is small). error: Modified.
   */
  static void softmaxMinusOneHot(Matrix logits, int[] labels, Matrix error) {
    int c = logits.cols();
    float[] l = logits.data();
    float[] e = error.data();
    for (int i = 0; i < logits.rows(); i++) {
      int lo = logits.offset() + i * c;
      int eo = error.offset() + i * c;
      double max = rowMax(l, lo, c);
      double sum = sumExp(l, lo, c, max);
      for (int k = 0; k < c; k++) {
        e[eo + k] = (float) (Math.exp(l[lo + k] - max) / sum - (k == labels[i] ? 1 : 0));
      }
    }
  }

  /** max_k l[lo + k], k < c. */
  private static double rowMax(float[] l, int lo, int c) {
    double max = Double.NEGATIVE_INFINITY;
    for (int k = 0; k < c; k++) {
      max = Math.max(max, l[lo + k]);
    }
    return max;
  }

  /** sum_k exp(l[lo + k] - max), k < c, in double and index order. */
  private static double sumExp(float[] l, int lo, int c, double max) {
    double sum = 0;
    for (int k = 0; k < c; k++) {
      sum += Math.exp(l[lo + k] - max);
    }
    return sum;
  }

  /** The mean cross-entropy of the logits against the labels, in double and index order. */
  static double meanCrossEntropy(Matrix logits, int[] labels) {
    int c = logits.cols();
    float[] l = logits.data();
    double total = 0;
    for (int i = 0; i < logits.rows(); i++) {
      int lo = logits.offset() + i * c;
      double max = rowMax(l, lo, c);
      total += Math.log(sumExp(l, lo, c, max)) + max - l[lo + labels[i]];
    }
    return total / logits.rows();
  }
}

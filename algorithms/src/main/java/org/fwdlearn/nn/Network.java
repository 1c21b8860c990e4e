package org.fwdlearn.nn;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import org.fwdlearn.core.Matrix;
import org.fwdlearn.core.Ops;
import org.fwdlearn.core.Rng;
import org.fwdlearn.core.ThreadPool;

/**
 * A bias-free multilayer perceptron (ALGORITHMS.md section 1): layer sizes d_0 (inputs) ... d_L (classes),
 * weights W_l of shape d_l x d_{l-1}, ReLU hidden layers, softmax output, optionally the reference's
 * activation normalization of every hidden layer (divide the batch's activations by their Frobenius norm).
 *
 * <p>Layers are numbered 1..L as in the spec: {@link #weight(int) weight(1)} is W_1. The weight matrices are
 * live: learning rules update them in place. Prediction ({@link #predict}, {@link #logits}) runs without
 * dropout, allocates its own workspace per call and may be called from any number of threads at once, as
 * long as no thread is training the network at the same time.
 *
 * <pre>{@code
 * Network net = Network.create(new int[] {784, 1024, 10}, WeightInit.HE_UNIFORM, false, new Rng(42));
 * int[] classes = new int[x.rows()];
 * net.predict(x, classes);          // x: n x 784, one example per row
 * Matrix logits = net.logits(x);    // n x 10
 * }</pre>
 *
 * <p>{@link org.fwdlearn.train.Trainer} builds and trains a network from a {@link
 * org.fwdlearn.train.TrainConfig}; {@link org.fwdlearn.io.Models} saves one and loads it back.
 */
public final class Network {
  private final int[] sizes;
  private final Matrix[] weights; // 1..L
  private final boolean normalize;

  private Network(int[] sizes, Matrix[] weights, boolean normalize) {
    this.sizes = sizes;
    this.weights = weights;
    this.normalize = normalize;
  }

  /**
   * A new network with freshly initialised weights, W_1 first, each in row-major order from {@code rng}.
   *
   * @param sizes d_0, d_1, ..., d_L (at least two entries, all >= 1)
   * @param normalizeActivations the reference's activation normalization of hidden layers
   */
  public static Network create(int[] sizes, WeightInit init, boolean normalizeActivations, Rng rng) {
    if (sizes.length < 2) {
      throw new IllegalArgumentException(
          "a network needs at least an input and an output size, got " + Arrays.toString(sizes));
    }
    for (int s : sizes) {
      if (s < 1) {
        throw new IllegalArgumentException("layer sizes must be >= 1, got " + Arrays.toString(sizes));
      }
    }
    int layers = sizes.length - 1;
    Matrix[] w = new Matrix[layers + 1];
    for (int l = 1; l <= layers; l++) {
      w[l] = init.fill(new Matrix(sizes[l], sizes[l - 1]), rng);
    }
    return new Network(sizes.clone(), w, normalizeActivations);
  }

  /** A network without activation normalization on the given weights (W_1 first; copied). */
  public static Network fromWeights(List<Matrix> weights) {
    return fromWeights(weights, false);
  }

  /**
   * A network on copies of the given weights, W_1 first; W_{l+1} must have as many columns as W_l has
   * rows.
   */
  public static Network fromWeights(List<Matrix> weights, boolean normalizeActivations) {
    if (weights.isEmpty()) {
      throw new IllegalArgumentException("a network needs at least one weight matrix");
    }
    int layers = weights.size();
    int[] sizes = new int[layers + 1];
    Matrix[] w = new Matrix[layers + 1];
    sizes[0] = weights.get(0).cols();
    for (int l = 1; l <= layers; l++) {
      Matrix m = weights.get(l - 1);
      if (m.cols() != sizes[l - 1] || m.rows() < 1 || m.cols() < 1) {
        throw new IllegalArgumentException(
            "W" + l + " is " + m.shape() + " but must be d_" + l + "x" + sizes[l - 1]
                + " (its columns = the rows of W" + (l - 1) + ", all sizes >= 1)");
      }
      sizes[l] = m.rows();
      w[l] = m.copy();
    }
    return new Network(sizes, w, normalizeActivations);
  }

  /** A deep copy (weights copied). */
  public Network copy() {
    Matrix[] w = new Matrix[weights.length];
    for (int l = 1; l < weights.length; l++) {
      w[l] = weights[l].copy();
    }
    return new Network(sizes.clone(), w, normalize);
  }

  /** Number of weight layers L. */
  public int layers() {
    return sizes.length - 1;
  }

  /** The layer sizes d_0, ..., d_L (a copy). */
  public int[] sizes() {
    return sizes.clone();
  }

  /** d_l for l in [0, L]. */
  public int size(int l) {
    return sizes[l];
  }

  /** d_0. */
  public int inputSize() {
    return sizes[0];
  }

  /** d_L, the number of classes. */
  public int outputSize() {
    return sizes[sizes.length - 1];
  }

  /** Whether hidden activations are divided by their batch Frobenius norm. */
  public boolean normalizesActivations() {
    return normalize;
  }

  /** W_l (d_l x d_{l-1}) for l in [1, L]; the live matrix, not a copy. */
  public Matrix weight(int l) {
    if (l < 1 || l >= weights.length) {
      throw new IndexOutOfBoundsException("weight W" + l + " outside [1, " + layers() + "]");
    }
    return weights[l];
  }

  /** W_1, ..., W_L (live matrices) as an unmodifiable list; index 0 holds W_1. */
  public List<Matrix> weights() {
    List<Matrix> list = new ArrayList<>(layers());
    for (int l = 1; l < weights.length; l++) {
      list.add(weights[l]);
    }
    return Collections.unmodifiableList(list);
  }

  /**
   * The logits A_L of x (n x d_0) without dropout, as a new n x C matrix. With activation normalization the
   * whole x is one batch (each hidden layer divided by the Frobenius norm over all n rows), as the
   * reference evaluates a test batch. Thread-safe.
   */
  public Matrix logits(Matrix x) {
    return logits(x, ThreadPool.sequential());
  }

  /** As {@link #logits(Matrix)}, with the matrix products on {@code pool}. */
  public Matrix logits(Matrix x, ThreadPool pool) {
    checkInput(x);
    if (x.rows() == 0) {
      return new Matrix(0, outputSize());
    }
    ForwardPass pass = new ForwardPass(this, x.rows());
    pass.run(x, null, pool);
    return pass.logits().copy();
  }

  /**
   * The predicted class (first maximal logit) of every row of x into {@code out[0..n)}. Bias-free ReLU
   * networks are positively homogeneous, so activation normalization never changes a prediction.
   * Thread-safe.
   */
  public void predict(Matrix x, int[] out) {
    predict(x, out, ThreadPool.sequential());
  }

  /** As {@link #predict(Matrix, int[])}, with the matrix products on {@code pool}. */
  public void predict(Matrix x, int[] out, ThreadPool pool) {
    checkInput(x);
    if (out.length < x.rows()) {
      throw new IllegalArgumentException("predict: output of length " + out.length + " for input " + x.shape());
    }
    if (x.rows() == 0) {
      return;
    }
    ForwardPass pass = new ForwardPass(this, x.rows());
    pass.run(x, null, pool);
    Ops.argmaxRows(pass.logits(), out);
  }

  private void checkInput(Matrix x) {
    if (x.cols() != inputSize()) {
      throw new IllegalArgumentException(
          "input " + x.shape() + " has " + x.cols() + " features, the network expects " + inputSize());
    }
  }

  @Override
  public String toString() {
    return "Network" + Arrays.toString(sizes) + (normalize ? " (normalized activations)" : "");
  }
}

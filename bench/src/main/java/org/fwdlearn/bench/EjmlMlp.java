package org.fwdlearn.bench;

import java.util.List;
import org.ejml.concurrency.EjmlConcurrency;
import org.ejml.data.FMatrixRMaj;
import org.ejml.dense.row.CommonOps_FDRM;
import org.ejml.dense.row.CommonOps_MT_FDRM;
import org.fwdlearn.core.Matrix;

/**
 * The bias-free ReLU MLP of ALGORITHMS.md section 1 written plainly on EJML 0.46 ({@link FMatrixRMaj}, {@link
 * CommonOps_FDRM}), as the peer of fwdlearn's {@code Network} / {@code ForwardPass} in {@link TrainStepBench} and
 * {@link ForwardPassBench}: weights W_l (d_l x d_{l-1}), {@code A_l = H_{l-1} W_l^T}, {@code H_l = M_l (.)
 * relu(A_l)}, {@code P = softmax_rows(A_L)}. No activation normalization.
 *
 * <p>The matrix products go through EJML's {@code CommonOps_FDRM}, or {@code CommonOps_MT_FDRM} when more than
 * one thread is asked for ({@link EjmlConcurrency#setMaxThreads} is set to the thread count: a process-wide
 * setting of EJML). The elementwise parts (ReLU, softmax, argmax) are the obvious loops an EJML user writes, on
 * the matrices' {@code data} arrays. Buffers are allocated once; a run allocates nothing itself (EJML's
 * multi-threaded products may).
 */
public final class EjmlMlp {
  private final int[] sizes;
  private final FMatrixRMaj[] w; // 1..L
  private final boolean concurrent;

  /**
   * An MLP on copies of the given weights, W_1 first.
   *
   * @param threads 1 for {@code CommonOps_FDRM}, more for {@code CommonOps_MT_FDRM} with that many threads
   */
  public EjmlMlp(List<Matrix> weights, int threads) {
    if (weights.isEmpty()) {
      throw new IllegalArgumentException("an MLP needs at least one weight matrix");
    }
    if (threads < 1) {
      throw new IllegalArgumentException("threads must be >= 1, got " + threads);
    }
    sizes = new int[weights.size() + 1];
    sizes[0] = weights.get(0).cols();
    w = new FMatrixRMaj[weights.size() + 1];
    for (int l = 1; l <= weights.size(); l++) {
      Matrix m = weights.get(l - 1);
      if (m.cols() != sizes[l - 1]) {
        throw new IllegalArgumentException(
            "W" + l + " is " + m.shape() + " but must have " + sizes[l - 1] + " columns (the rows of W" + (l - 1) + ")");
      }
      sizes[l] = m.rows();
      w[l] = ejml(m);
    }
    concurrent = threads > 1;
    if (concurrent) {
      EjmlConcurrency.setMaxThreads(threads);
    }
  }

  /** A copy of a fwdlearn matrix as an EJML row-major matrix. */
  public static FMatrixRMaj ejml(Matrix m) {
    return new FMatrixRMaj(m.rows(), m.cols(), true, m.toArray());
  }

  /** Overwrites W_1..W_L with the given matrices (same shapes), e.g. to restart from the initial weights. */
  public void setWeights(List<Matrix> weights) {
    if (weights.size() != layers()) {
      throw new IllegalArgumentException(weights.size() + " weight matrices for an MLP of " + layers() + " layers");
    }
    for (int l = 1; l <= layers(); l++) {
      Matrix m = weights.get(l - 1);
      if (m.rows() != w[l].numRows || m.cols() != w[l].numCols) {
        throw new IllegalArgumentException("W" + l + " is " + w[l].numRows + "x" + w[l].numCols + ", got " + m.shape());
      }
      System.arraycopy(m.data(), m.offset(), w[l].data, 0, m.size());
    }
  }

  /** Number of weight layers L. */
  public int layers() {
    return sizes.length - 1;
  }

  /** d_l for l in [0, L]. */
  public int size(int l) {
    return sizes[l];
  }

  /** W_l for l in [1, L] (live). */
  public FMatrixRMaj weight(int l) {
    return w[l];
  }

  /** {@code c = a b} (EJML {@code mult}). */
  void mult(FMatrixRMaj a, FMatrixRMaj b, FMatrixRMaj c) {
    if (concurrent) {
      CommonOps_MT_FDRM.mult(a, b, c);
    } else {
      CommonOps_FDRM.mult(a, b, c);
    }
  }

  /** {@code c = a b^T} (EJML {@code multTransB}). */
  void multTransB(FMatrixRMaj a, FMatrixRMaj b, FMatrixRMaj c) {
    if (concurrent) {
      CommonOps_MT_FDRM.multTransB(a, b, c);
    } else {
      CommonOps_FDRM.multTransB(a, b, c);
    }
  }

  /** {@code c = alpha a^T b} (EJML {@code multTransA}). */
  void multTransA(float alpha, FMatrixRMaj a, FMatrixRMaj b, FMatrixRMaj c) {
    if (concurrent) {
      CommonOps_MT_FDRM.multTransA(alpha, a, b, c);
    } else {
      CommonOps_FDRM.multTransA(alpha, a, b, c);
    }
  }

  /** {@code c += alpha a b^T} (EJML {@code multAddTransB}). */
  void multAddTransB(float alpha, FMatrixRMaj a, FMatrixRMaj b, FMatrixRMaj c) {
    if (concurrent) {
      CommonOps_MT_FDRM.multAddTransB(alpha, a, b, c);
    } else {
      CommonOps_FDRM.multAddTransB(alpha, a, b, c);
    }
  }

  /** Row softmax of x into p: subtract the row maximum, exponentiate, divide by the row sum. */
  static void softmaxRows(FMatrixRMaj x, FMatrixRMaj p) {
    int cols = x.numCols;
    for (int r = 0; r < x.numRows; r++) {
      int o = r * cols;
      float max = Float.NEGATIVE_INFINITY;
      for (int j = 0; j < cols; j++) {
        max = Math.max(max, x.data[o + j]);
      }
      float sum = 0f;
      for (int j = 0; j < cols; j++) {
        float e = (float) Math.exp(x.data[o + j] - max);
        p.data[o + j] = e;
        sum += e;
      }
      for (int j = 0; j < cols; j++) {
        p.data[o + j] /= sum;
      }
    }
  }

  /** The index of the first maximum of every row of x into {@code out[0..rows)}. */
  static void argmaxRows(FMatrixRMaj x, int[] out) {
    int cols = x.numCols;
    for (int r = 0; r < x.numRows; r++) {
      int o = r * cols;
      int best = 0;
      for (int j = 1; j < cols; j++) {
        if (x.data[o + j] > x.data[o + best]) {
          best = j;
        }
      }
      out[r] = best;
    }
  }

  /** The workspace of one forward pass on batches of exactly n rows. */
  public final class Pass {
    final int n;
    final FMatrixRMaj[] a; // 1..L
    final FMatrixRMaj[] h; // 0..L-1; h[0] = the input of the last run
    final FMatrixRMaj p;

    /** A workspace for batches of {@code n} rows. */
    public Pass(int n) {
      if (n < 1) {
        throw new IllegalArgumentException("batch rows must be >= 1, got " + n);
      }
      this.n = n;
      int layers = layers();
      a = new FMatrixRMaj[layers + 1];
      h = new FMatrixRMaj[layers];
      for (int l = 1; l <= layers; l++) {
        a[l] = new FMatrixRMaj(n, sizes[l]);
        if (l < layers) {
          h[l] = new FMatrixRMaj(n, sizes[l]);
        }
      }
      p = new FMatrixRMaj(n, sizes[layers]);
    }

    /**
     * Runs the pass on x (n x d_0), kept by reference as H_0.
     *
     * @param masks the dropout masks M_1..M_{L-1} at indices 1..L-1, or null for no dropout
     */
    public void run(FMatrixRMaj x, FMatrixRMaj[] masks) {
      if (x.numRows != n || x.numCols != sizes[0]) {
        throw new IllegalArgumentException(
            "forward pass on input " + x.numRows + "x" + x.numCols + ", expected " + n + "x" + sizes[0]);
      }
      int layers = layers();
      h[0] = x;
      for (int l = 1; l <= layers; l++) {
        multTransB(h[l - 1], w[l], a[l]);
        if (l < layers) {
          float[] ad = a[l].data;
          float[] hd = h[l].data;
          for (int i = 0, len = n * sizes[l]; i < len; i++) {
            hd[i] = Math.max(ad[i], 0f);
          }
          if (masks != null) {
            CommonOps_FDRM.elementMult(h[l], masks[l]);
          }
        }
      }
      softmaxRows(a[layers], p);
    }

    /** H_l for l in [0, L-1] (live). */
    public FMatrixRMaj hidden(int l) {
      return h[l];
    }

    /** A_l for l in [1, L] (live); A_L are the logits. */
    public FMatrixRMaj preActivation(int l) {
      return a[l];
    }

    /** The softmax output P (live). */
    public FMatrixRMaj probabilities() {
      return p;
    }

    /** The predicted class of every row of the last run's input into {@code out[0..n)}. */
    public void predict(int[] out) {
      argmaxRows(a[layers()], out);
    }
  }
}

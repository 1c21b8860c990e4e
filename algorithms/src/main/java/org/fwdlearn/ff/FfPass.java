package org.fwdlearn.ff;

import org.fwdlearn.core.Matrix;
import org.fwdlearn.core.Ops;
import org.fwdlearn.core.ThreadPool;
import org.fwdlearn.core.Transpose;

/**
 * The preallocated workspace of one Forward-Forward forward pass over {@code m} rows (ALGORITHMS.md section
 * 7): the caller writes the label-embedded input into {@link #input()}, then {@link #run} computes, for
 * layers 1..k,
 *
 * <pre>
 *   z_{l-1} = Norm(h_{l-1})  (h_0 = the input);   h_l = relu(z_{l-1} W_l^T + 1 b_l^T);   g_l = goodness(h_l)
 * </pre>
 *
 * and also z_k = Norm(h_k), the features of the linear read-out. Goodness is accumulated in double. {@link
 * #run} allocates nothing. Not thread-safe.
 */
public final class FfPass {
  private final FfNetwork net;
  private final int m;
  private final int layers;
  private final Matrix[] h; // 0..L
  private final Matrix[] z; // 0..L
  private final float[][] scales; // 0..L
  private final double[][] goodness; // 1..L
  private int ran;
  private FirstLayerShortcut shortcut;

  /** A workspace for {@code m >= 1} rows. */
  public FfPass(FfNetwork net, int m) {
    if (m < 1) {
      throw new IllegalArgumentException("pass rows must be >= 1, got " + m);
    }
    this.net = net;
    this.m = m;
    this.layers = net.layers();
    h = new Matrix[layers + 1];
    z = new Matrix[layers + 1];
    scales = new float[layers + 1][m];
    goodness = new double[layers + 1][];
    for (int l = 0; l <= layers; l++) {
      h[l] = new Matrix(m, net.size(l));
      z[l] = new Matrix(m, net.size(l));
      if (l > 0) {
        goodness[l] = new double[m];
      }
    }
  }

  /** Rows per pass. */
  public int rows() {
    return m;
  }

  /** The network. */
  public FfNetwork network() {
    return net;
  }

  /** h_0, the input buffer (m x d_0) the caller fills before {@link #run}. Live. */
  public Matrix input() {
    return h[0];
  }

  /**
   * Runs layers 1..{@code upTo} on {@link #input()} and normalises h_upTo.
   *
   * @param upTo the last layer to run, in [1, L]
   */
  public void run(int upTo, ThreadPool pool) {
    if (upTo < 1 || upTo > layers) {
      throw new IllegalArgumentException("run up to layer " + upTo + " outside [1, " + layers + "]");
    }
    net.options().normalization().apply(h[0], z[0], scales[0]);
    for (int l = 1; l <= upTo; l++) {
      layer(l, pool);
      finish(l);
    }
    ran = upTo;
  }

  /**
   * Continues a pass whose layer-1 activity h_1 the caller wrote into {@link #hidden(int) hidden(1)} (the
   * first-layer shortcut): computes g_1 and z_1, then runs layers 2..upTo. z_0 is not computed.
   */
  void runFromSecond(int upTo, ThreadPool pool) {
    if (upTo < 1 || upTo > layers) {
      throw new IllegalArgumentException("run up to layer " + upTo + " outside [1, " + layers + "]");
    }
    finish(1);
    for (int l = 2; l <= upTo; l++) {
      layer(l, pool);
      finish(l);
    }
    ran = upTo;
  }

  /** h_l = relu(z_{l-1} W_l^T + b_l). */
  private void layer(int l, ThreadPool pool) {
    Matrix hl = h[l];
    Ops.gemm(Transpose.N, Transpose.T, 1f, z[l - 1], net.weight(l), 0f, hl, pool);
    Matrix b = net.bias(l);
    int d = hl.cols();
    float[] hd = hl.data();
    if (b != null) {
      float[] bd = b.data();
      int bo = b.offset();
      for (int i = 0; i < m; i++) {
        int off = hl.offset() + i * d;
        for (int j = 0; j < d; j++) {
          hd[off + j] += bd[bo + j];
        }
      }
    }
    Ops.relu(hl, hl);
  }

  /** g_l and z_l = Norm(h_l). */
  private void finish(int l) {
    Matrix hl = h[l];
    int d = hl.cols();
    float[] hd = hl.data();
    double[] g = goodness[l];
    Goodness good = net.options().goodness();
    for (int i = 0; i < m; i++) {
      g[i] = good.of(hd, hl.offset() + i * d, d);
    }
    net.options().normalization().apply(hl, z[l], scales[l]);
  }

  /** The first-layer shortcut for this pass's rows (created on first use). */
  FirstLayerShortcut shortcut() {
    if (shortcut == null) {
      shortcut = new FirstLayerShortcut(net, m);
    }
    return shortcut;
  }

  /** The layers run by the last {@link #run}. */
  public int layersRun() {
    return ran;
  }

  /** h_l (m x d_l) for l in [0, L]: the input for l = 0, else relu(z_{l-1} W_l^T + b_l). Live. */
  public Matrix hidden(int l) {
    return h[l];
  }

  /** z_l = Norm(h_l) (m x d_l) for l in [0, L]: the input of layer l + 1, or a read-out feature. Live. */
  public Matrix normalized(int l) {
    return z[l];
  }

  /** The normalisation factors of h_l: z_l = h_l * scale_i per row. Live. */
  public float[] scales(int l) {
    return scales[l];
  }

  /** g_l of each row, for l in [1, L]. Live. */
  public double[] goodness(int l) {
    if (l < 1 || l > layers) {
      throw new IndexOutOfBoundsException("goodness of layer " + l + " outside [1, " + layers + "]");
    }
    return goodness[l];
  }
}

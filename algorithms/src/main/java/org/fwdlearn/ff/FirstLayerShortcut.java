package org.fwdlearn.ff;

import org.fwdlearn.core.Matrix;
import org.fwdlearn.core.Ops;
import org.fwdlearn.core.ThreadPool;
import org.fwdlearn.core.Transpose;

/**
 * Layer 1 of a Forward-Forward network for many label codes of the same images at the cost of one. Every
 * input is an image x' (x with its first C features set to 0) plus a label code v e_y (or the neutral code v
 * times the C ones), and the code does not change the input's norm across labels, so with s_i = 1/(norm_i +
 * eps), norm_i from |x'_i|^2 + (number of coded positions) v^2,
 *
 * <pre>
 *   a_i = s_i (x'_i W_1^T + v W_1[:, y_i]) + b_1          (one product P = X' W_1^T for all labels)
 *   G_1 = sum_i dA_i z_i^T = (S (D_pos + D_neg))^T X' + v sum_i s_i (dA_pos,i e_{y_i}^T + dA_neg,i e_{y~_i}^T)
 * </pre>
 *
 * which is exactly the computation on the embedded, normalised inputs (up to rounding), with one n x d_0 x d_1
 * product in place of two (positive and negative rows) or C (prediction by goodness), and one in place of two
 * for G_1. Workspaces for n images; not thread-safe.
 */
final class FirstLayerShortcut {
  private final FfNetwork net;
  private final int n;
  private final int d0;
  private final int d1;
  private final int classes;
  private final Matrix image;
  private final Matrix product;
  private final double[] sq;
  private final float[] labelColumns; // C x d1: W_1[j, c] at c * d1 + j
  private final float[] labelSum; // d1: sum_c W_1[j, c]
  private final Matrix scaled; // n x d1
  private int rows;

  FirstLayerShortcut(FfNetwork net, int n) {
    this.net = net;
    this.n = n;
    this.d0 = net.size(0);
    this.d1 = net.size(1);
    this.classes = net.classes();
    image = new Matrix(n, d0);
    product = new Matrix(n, d1);
    sq = new double[n];
    labelColumns = new float[classes * d1];
    labelSum = new float[d1];
    scaled = new Matrix(n, d1);
  }

  /** Takes the images x (at most n rows; the first C features are ignored) and computes X' W_1^T. */
  void prepare(Matrix x, ThreadPool pool) {
    if (x.rows() > n || x.cols() != d0) {
      throw new IllegalArgumentException("first-layer shortcut for " + n + "x" + d0 + " images, got " + x.shape());
    }
    rows = x.rows();
    Matrix img = image.rows(0, rows);
    img.copyFrom(x);
    float[] id = img.data();
    for (int i = 0; i < rows; i++) {
      java.util.Arrays.fill(id, i * d0, i * d0 + classes, 0f);
    }
    for (int i = 0; i < rows; i++) {
      sq[i] = InputNormalization.sumOfSquares(id, img.offset() + i * d0, d0);
    }
    Matrix w = net.weight(1);
    Ops.gemm(Transpose.N, Transpose.T, 1f, img, w, 0f, product.rows(0, rows), pool);
    float[] wd = w.data();
    for (int j = 0; j < d1; j++) {
      for (int c = 0; c < classes; c++) {
        labelColumns[c * d1 + j] = wd[w.offset() + j * d0 + c];
      }
    }
    java.util.Arrays.fill(labelSum, 0f);
    for (int c = 0; c < classes; c++) {
      for (int j = 0; j < d1; j++) {
        labelSum[j] += labelColumns[c * d1 + j];
      }
    }
  }

  /** The images prepared. */
  int rows() {
    return rows;
  }

  private float scale(int i, double coded) {
    return net.options().normalization().scale(sq[i] + coded, d0);
  }

  /**
   * Writes layer 1's activity h = relu(a) of the prepared images with label code {@code labels[i]} (or
   * {@code label} for every row if labels is null) into rows {@code row0..row0+rows} of out, and s_i into
   * {@code scales[i]}.
   */
  void activity(int[] labels, int label, Matrix out, int row0, float[] scales) {
    float v = net.options().labelValue();
    double coded = (double) v * v;
    Matrix b = net.bias(1);
    float[] o = out.data();
    float[] p = product.data();
    for (int i = 0; i < rows; i++) {
      int y = labels == null ? label : labels[i];
      if (y < 0 || y >= classes) {
        throw new IllegalArgumentException("label " + y + " at row " + i + " outside [0, " + classes + ")");
      }
      float s = scale(i, coded);
      scales[i] = s;
      int oo = out.offset() + (row0 + i) * d1;
      int po = i * d1;
      int lo = y * d1;
      for (int j = 0; j < d1; j++) {
        float a = s * (p[po + j] + v * labelColumns[lo + j]);
        if (b != null) {
          a += b.data()[b.offset() + j];
        }
        o[oo + j] = Math.max(a, 0f);
      }
    }
  }

  /** As {@link #activity} for the neutral code (the same value at all C positions). */
  void neutralActivity(Matrix out, int row0, float[] scales) {
    float v = net.options().neutralValue();
    double coded = (double) classes * v * v;
    Matrix b = net.bias(1);
    float[] sum = labelSum;
    float[] o = out.data();
    float[] p = product.data();
    for (int i = 0; i < rows; i++) {
      float s = scale(i, coded);
      scales[i] = s;
      int oo = out.offset() + (row0 + i) * d1;
      int po = i * d1;
      for (int j = 0; j < d1; j++) {
        float a = s * (p[po + j] + v * sum[j]);
        if (b != null) {
          a += b.data()[b.offset() + j];
        }
        o[oo + j] = Math.max(a, 0f);
      }
    }
  }

  /**
   * {@code g <- sum over the given row sets of dA_i z_i^T} for layer 1, where z_i = s_i (x'_i + v e_{y_i}):
   * pass either set as null to leave it out.
   *
   * @param dPos dL/dA of the rows coded with yPos (rows x d1), with their scales sPos
   * @param dNeg dL/dA of the rows coded with yNeg, with scales sNeg
   * @param g Modified (d1 x d0).
   */
  void gradient(Matrix dPos, int[] yPos, float[] sPos, Matrix dNeg, int[] yNeg, float[] sNeg, Matrix g, ThreadPool pool) {
    float v = net.options().labelValue();
    float[] sd = scaled.data();
    for (int i = 0; i < rows; i++) {
      for (int j = 0; j < d1; j++) {
        float acc = 0f;
        if (dPos != null) {
          acc += sPos[i] * dPos.data()[dPos.offset() + i * d1 + j];
        }
        if (dNeg != null) {
          acc += sNeg[i] * dNeg.data()[dNeg.offset() + i * d1 + j];
        }
        sd[i * d1 + j] = acc;
      }
    }
    Ops.gemm(Transpose.T, Transpose.N, 1f, scaled.rows(0, rows), image.rows(0, rows), 0f, g, pool);
    float[] gd = g.data();
    int go = g.offset();
    for (int set = 0; set < 2; set++) {
      Matrix d = set == 0 ? dPos : dNeg;
      if (d == null) {
        continue;
      }
      int[] y = set == 0 ? yPos : yNeg;
      float[] s = set == 0 ? sPos : sNeg;
      float[] dd = d.data();
      for (int i = 0; i < rows; i++) {
        float k = v * s[i];
        int col = y[i];
        int off = d.offset() + i * d1;
        for (int j = 0; j < d1; j++) {
          gd[go + j * d0 + col] += k * dd[off + j];
        }
      }
    }
  }
}

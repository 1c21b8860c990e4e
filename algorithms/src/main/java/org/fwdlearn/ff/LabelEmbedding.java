package org.fwdlearn.ff;

import org.fwdlearn.core.Matrix;
import org.fwdlearn.core.Rng;

/**
 * Hinton's supervised Forward-Forward input (ALGORITHMS.md section 7): the first C features of an image are
 * replaced by a label code. Positive data carry the one-hot code of the true label, negative data that of a
 * uniformly drawn wrong label, and the neutral input of the linear read-out the same value in all C
 * positions (loeweX: 1/C).
 */
public final class LabelEmbedding {
  private LabelEmbedding() {}

  /**
   * {@code out = x} with row i's first {@code classes} features set to {@code value} at {@code labels[i]} and
   * 0 elsewhere.
   *
   * @param x the images, n x d with d >= classes. Not modified.
   * @param out Modified. Same shape as x; may be x.
   */
  public static void embed(Matrix x, int[] labels, int classes, float value, Matrix out) {
    check(x, out, classes);
    if (labels.length < x.rows()) {
      throw new IllegalArgumentException("embed: " + labels.length + " labels for " + x.shape());
    }
    copy(x, out);
    int d = x.cols();
    float[] o = out.data();
    for (int i = 0; i < x.rows(); i++) {
      if (labels[i] < 0 || labels[i] >= classes) {
        throw new IllegalArgumentException("embed: label " + labels[i] + " at row " + i + " outside [0, " + classes + ")");
      }
      int off = out.offset() + i * d;
      java.util.Arrays.fill(o, off, off + classes, 0f);
      o[off + labels[i]] = value;
    }
  }

  /** As {@link #embed(Matrix, int[], int, float, Matrix)} with the same label on every row. */
  public static void embed(Matrix x, int label, int classes, float value, Matrix out) {
    check(x, out, classes);
    if (label < 0 || label >= classes) {
      throw new IllegalArgumentException("embed: label " + label + " outside [0, " + classes + ")");
    }
    copy(x, out);
    int d = x.cols();
    float[] o = out.data();
    for (int i = 0; i < x.rows(); i++) {
      int off = out.offset() + i * d;
      java.util.Arrays.fill(o, off, off + classes, 0f);
      o[off + label] = value;
    }
  }

  /** {@code out = x} with row i's first {@code classes} features all set to {@code value}. out: Modified. */
  public static void neutral(Matrix x, int classes, float value, Matrix out) {
    check(x, out, classes);
    copy(x, out);
    int d = x.cols();
    float[] o = out.data();
    for (int i = 0; i < x.rows(); i++) {
      int off = out.offset() + i * d;
      java.util.Arrays.fill(o, off, off + classes, value);
    }
  }

  /**
   * For each of the first n labels, a label drawn uniformly from the {@code classes - 1} wrong ones: {@code
   * (y + 1 + U{0..C-2}) mod C}, one draw per row in order.
   *
   * @param out Modified: {@code out[0..n)}.
   */
  public static void wrongLabels(int[] labels, int n, int classes, Rng rng, int[] out) {
    if (classes < 2) {
      throw new IllegalArgumentException("negative labels need at least 2 classes, got " + classes);
    }
    if (labels.length < n || out.length < n) {
      throw new IllegalArgumentException("wrongLabels: " + n + " rows, " + labels.length + " labels, output " + out.length);
    }
    for (int i = 0; i < n; i++) {
      out[i] = (labels[i] + 1 + rng.nextInt(classes - 1)) % classes;
    }
  }

  private static void check(Matrix x, Matrix out, int classes) {
    if (!x.sameShape(out)) {
      throw new IllegalArgumentException("label embedding of " + x.shape() + " into " + out.shape() + ": shapes differ");
    }
    if (classes < 1 || classes > x.cols()) {
      throw new IllegalArgumentException(
          "a label code of " + classes + " classes does not fit into " + x.cols() + " features (" + x.shape() + ")");
    }
  }

  private static void copy(Matrix x, Matrix out) {
    if (!(x.data() == out.data() && x.offset() == out.offset())) {
      out.copyFrom(x);
    }
  }
}

package org.fwdlearn.data;

import org.fwdlearn.core.Matrix;

/**
 * A labelled dataset held in memory: {@code x} is n x d (one flattened example per row, images in C,H,W
 * order with pixels in [0, 1] unless standardised), {@code labels[i]} in {@code [0, numClasses)}.
 *
 * @param name a short name such as {@code mnist-train}
 * @param x the examples, n x d
 * @param labels the class of each example (length n)
 * @param numClasses the number of classes C
 * @param shape the example's shape as {channels, height, width} (or {1, 1, d} for non-images)
 */
public record Dataset(String name, Matrix x, int[] labels, int numClasses, int[] shape) {
  public Dataset {
    if (labels.length != x.rows()) {
      throw new IllegalArgumentException(
          name + ": " + x.rows() + " examples but " + labels.length + " labels");
    }
    if (numClasses < 1) {
      throw new IllegalArgumentException(name + ": numClasses must be >= 1, got " + numClasses);
    }
    long d = (long) shape[0] * shape[1] * shape[2];
    if (d != x.cols()) {
      throw new IllegalArgumentException(name + ": shape " + shape[0] + "x" + shape[1] + "x" + shape[2] + " does not match " + x.cols() + " features");
    }
  }

  public int size() {
    return x.rows();
  }

  public int features() {
    return x.cols();
  }

  /** The first {@code n} examples (a view: shares storage). */
  public Dataset head(int n) {
    if (n < 0 || n > size()) {
      throw new IllegalArgumentException(name + ": cannot take " + n + " of " + size() + " examples");
    }
    return new Dataset(name, x.rows(0, n), java.util.Arrays.copyOf(labels, n), numClasses, shape);
  }
}

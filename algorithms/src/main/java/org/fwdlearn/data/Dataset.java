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

  /**
   * {@code n} examples drawn at random without replacement, seeded by {@code seed}, kept in their original order
   * (a copy). The draw is the first {@code n} positions of a Fisher-Yates shuffle of {@code 0..size-1} driven by
   * {@link java.util.SplittableRandom}, so it depends on the seed and the dataset size only.
   */
  public Dataset sample(int n, long seed) {
    if (n < 0 || n > size()) {
      throw new IllegalArgumentException(name + ": cannot sample " + n + " of " + size() + " examples");
    }
    int[] idx = new int[size()];
    for (int i = 0; i < idx.length; i++) {
      idx[i] = i;
    }
    java.util.SplittableRandom rng = new java.util.SplittableRandom(seed);
    for (int i = 0; i < n; i++) {
      int j = i + rng.nextInt(idx.length - i);
      int t = idx[i];
      idx[i] = idx[j];
      idx[j] = t;
    }
    int[] chosen = java.util.Arrays.copyOf(idx, n);
    java.util.Arrays.sort(chosen);
    int d = features();
    float[] out = new float[n * d];
    int[] lab = new int[n];
    float[] src = x.data();
    for (int r = 0; r < n; r++) {
      System.arraycopy(src, x.offset() + chosen[r] * d, out, r * d, d);
      lab[r] = labels[chosen[r]];
    }
    return new Dataset(name, Matrix.wrap(n, d, out), lab, numClasses, shape);
  }

  /**
   * The training examples a run uses: all of them when {@code limit} is 0 or not below the size, else the first
   * {@code limit} ({@code subset} "first") or {@code limit} drawn by {@link #sample} ({@code subset} "random").
   */
  public Dataset limit(int limit, String subset, long seed) {
    if (limit <= 0 || limit >= size()) {
      return this;
    }
    return subset.equalsIgnoreCase("random") ? sample(limit, seed) : head(limit);
  }
}

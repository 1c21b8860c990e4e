package org.fwdlearn.core.kernel;

/**
 * The row and elementwise kernels of the learning rules, on raw arrays with offsets. Unless stated
 * otherwise an output may be the same region as an input (exact aliasing), but not a partial overlap.
 * Implementations trust their arguments; {@link org.fwdlearn.core.Ops} validates them.
 */
public interface ElementwiseKernel {
  /** {@code y[i] = Math.max(x[i], 0)}: NaN stays NaN, -0 becomes +0. */
  void relu(float[] x, int xOff, float[] y, int yOff, int len);

  /** Derivative mask: {@code m[i] = x[i] > 0 ? 1 : 0}. */
  void reluMask(float[] x, int xOff, float[] m, int mOff, int len);

  /** Backward through ReLU: {@code d[i] = a[i] > 0 ? d[i] : 0}. */
  void reluBackward(float[] a, int aOff, float[] d, int dOff, int len);

  /** Row softmax of an r x c block, subtracting each row's maximum first: {@code y = softmax(x)}. */
  void softmaxRows(float[] x, int xOff, float[] y, int yOff, int rows, int cols);

  /** Index of the first maximum of each row (NaN counts as greater than everything); -1 for empty rows. */
  void argmaxRows(float[] x, int xOff, int rows, int cols, int[] out, int outOff);

  /**
   * Mean cross-entropy of logits: {@code (1/rows) sum_i [logsumexp(x_i) - x_i[label_i]]}, computed with
   * the row maximum subtracted, accumulated in double.
   */
  double meanCrossEntropy(float[] logits, int off, int rows, int cols, int[] labels, int labelsOff);

  /** {@code x[i] *= alpha}. */
  void scale(float alpha, float[] x, int xOff, int len);

  /** {@code x[i] /= d} (a true division, as in {@code X / ||X||}). */
  void divide(float[] x, int xOff, int len, float d);

  /** {@code y[i] += alpha * x[i]} (a fused multiply-add per element). */
  void axpy(float alpha, float[] x, int xOff, float[] y, int yOff, int len);

  /** {@code z[i] = x[i] * y[i]}. */
  void hadamard(float[] x, int xOff, float[] y, int yOff, float[] z, int zOff, int len);

  /** {@code z[i] = x[i] - y[i]}. */
  void sub(float[] x, int xOff, float[] y, int yOff, float[] z, int zOff, int len);

  /** Sum of squares (accumulated at least in float; the scalar reference uses double); ||x||_F = sqrt of this. */
  double sumSquares(float[] x, int xOff, int len);

  /** Euclidean norm of each row of an r x c block into {@code out[outOff + i]}. */
  void rowNorms(float[] x, int xOff, int rows, int cols, float[] out, int outOff);

  /** {@code out[outOff + j] = sum_i x[i, j]} over an r x c block. */
  void columnSums(float[] x, int xOff, int rows, int cols, float[] out, int outOff);

  /**
   * The SGD step with momentum and weight decay, PyTorch semantics (no dampening, no Nesterov):
   * {@code g = G + lambda W; V <- mu V + g; W <- W - eta V}, where a V below the smallest normal float in
   * magnitude is stored as +0 (subnormal arithmetic takes a microcode assist per operation on x86, and such a V
   * moves no weight above 2^-102 in magnitude: a geometric decay of V where G stays 0, e.g. the input pixels that
   * are 0 in every image, would otherwise run through the subnormal range at many times the cost).
   *
   * @return true if every updated W is finite (checked in the same pass, as {@link #allFinite} would)
   */
  boolean sgdStep(
      float[] w, int wOff, float[] g, int gOff, float[] v, int vOff, int len, float lr, float momentum, float weightDecay);

  /**
   * A dropout mask from the SplitMix64 stream of a generator in state {@code state}: element i gets value i + 1
   * of the stream, {@code z = Rng.mix64(state + (i + 1) GAMMA)}, and is 0 if its 24-bit float {@code (z >>> 40)
   * 2^-24} is below p, else {@code keep}; the element-by-element {@code Rng.nextFloat() < p ? 0 : keep}.
   *
   * @param threshold ceil(p 2^24): the float is below p exactly when {@code z >>> 40} is below it
   */
  void dropoutMask(float[] d, int off, int len, long threshold, float keep, long state);

  /**
   * A base plus a product of small inner dimension, row-major blocks of {@code rows x cols} (row stride ld), E
   * {@code rows x k} (stride k) and Q {@code k x cols} (stride ld): {@code out = base + (alpha E) Q}, and when h is
   * not null also {@code h = max(out, 0)}, times {@code mask} when that is not null. Per element the arithmetic of
   * {@code Ops.gemm(N, N, alpha, E, Q, 1, C)} on C = base followed by relu and the mask product: {@code acc =
   * fma(alpha e_ip, q_pj, acc)} from zero in increasing p, then {@code base + acc}. out may be base exactly; h may
   * be out exactly.
   *
   * @param scratch at least {@code (LOW_RANK_SCRATCH + rows) k} floats of working space
   */
  void addLowRank(
      float[] base, int baseOff, float alpha, float[] e, int eOff, int k, float[] q, int qOff, float[] out, int outOff,
      float[] h, int hOff, float[] mask, int maskOff, int rows, int cols, int ld, float[] scratch);

  /** The scratch of {@link #addLowRank}, in floats per unit of its inner dimension k. */
  int LOW_RANK_SCRATCH = 64;

  /** True if every element is finite (no NaN, no infinity). */
  boolean allFinite(float[] x, int xOff, int len);
}

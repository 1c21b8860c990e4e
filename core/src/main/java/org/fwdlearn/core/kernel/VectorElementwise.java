package org.fwdlearn.core.kernel;

import static jdk.incubator.vector.VectorOperators.ADD;
import static jdk.incubator.vector.VectorOperators.EQ;
import static jdk.incubator.vector.VectorOperators.EXP;
import static jdk.incubator.vector.VectorOperators.GT;
import static jdk.incubator.vector.VectorOperators.IS_NAN;
import static jdk.incubator.vector.VectorOperators.MAX;
import static jdk.incubator.vector.VectorOperators.NE;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/**
 * Vector API implementation of the elementwise and row kernels, at the width of the species it is built
 * with (128, 256 or 512 bits). Full vectors run to {@code species.loopBound(len)}; the tail runs the scalar
 * reference's loop body, except in the row kernels (maximum, softmax, argmax), whose rows are often narrower
 * than a vector and which finish under a mask.
 *
 * <p>Relation to {@link ScalarElementwise} (the property tests in {@code ElementwiseProperties} check each):
 *
 * <ul>
 *   <li><b>Bit-identical</b>: {@code relu}, {@code reluMask}, {@code reluBackward}, {@code scale}, {@code
 *       divide}, {@code axpy} (one fused multiply-add per element, as {@link Math#fma}), {@code hadamard},
 *       {@code sub}, {@code columnSums} (each column is summed over the rows in the same order), {@code
 *       sgdStep} (separate multiplies and adds, as in the Java reference, which the JIT never contracts into an
 *       fma), {@code allFinite}, {@code argmaxRows} and {@code meanCrossEntropy} (the row maximum is
 *       order-independent; the exp-sum stays in double, see there).
 *   <li><b>Reductions</b> ({@code sumSquares}, {@code rowNorms}): squares are summed in float in blocks of at
 *       most {@link #SUM_BLOCK} elements per vector lane and accumulator, and the block sums in double, so the
 *       relative error is at most {@code gamma(t) = t u / (1 - t u)}, {@code u = 2^-24}, {@code t = SUM_BLOCK
 *       + 1 + lanes - 1} (the fma chain of one accumulator, the combine of the two accumulators, the
 *       unspecified-order lane reduction), plus {@code len 2^-53} for the double part; independent of the
 *       length. The float blocks overflow if a block's sum of squares exceeds {@link Float#MAX_VALUE}, i.e.
 *       only for elements beyond about {@code 2^58}.
 *   <li><b>softmaxRows</b>: the row maximum and the final scaling are as in the reference; {@code exp} is
 *       {@link jdk.incubator.vector.VectorOperators#EXP}, which the Vector API specifies to the accuracy of
 *       {@link Math#exp} narrowed to float (we assume at most 1 float ulp), and the row sum is taken in
 *       another order. Each of the two implementations computes {@code y_j = e_j / S (1 + a)(1 + b)(1 + r_j)
 *       / (1 + s)} with {@code |a|, |b| <= u} (the reciprocal and the product), {@code |r_j| <= r} (exp, r = 2u
 *       here, u + 2^-53 in the reference) and {@code |s| <= r + gamma(cols - 1)(1 + r)} (a sum of positive
 *       terms in any order); hence {@code |y_j / y_exact - 1| <= (1 + u)^2 (1 + r) / (1 - |s|) - 1}, and the
 *       two differ by at most the sum of the two bounds, relative to the exact value. Results below the
 *       smallest normal float carry an additional absolute error of at most {@code 2^-126}.
 * </ul>
 */
final class VectorElementwise implements ElementwiseKernel {
  /**
   * The number of float fma steps one accumulator lane takes before its sum is folded into the double total
   * in {@link #sumSquares}: bounds the relative error independently of the length (see the class comment).
   */
  static final int SUM_BLOCK = 32;

  private final VectorSpecies<Float> species;
  private final int lanes;

  VectorElementwise(VectorSpecies<Float> species) {
    this.species = species;
    this.lanes = species.length();
  }

  @Override
  public void relu(float[] x, int xOff, float[] y, int yOff, int len) {
    int i = 0;
    for (int bound = species.loopBound(len); i < bound; i += lanes) {
      // Lanewise MAX has Math.max semantics (NaN propagates, -0 < +0), as the reference.
      FloatVector.fromArray(species, x, xOff + i).max(0f).intoArray(y, yOff + i);
    }
    for (; i < len; i++) {
      y[yOff + i] = Math.max(x[xOff + i], 0f);
    }
  }

  @Override
  public void reluMask(float[] x, int xOff, float[] m, int mOff, int len) {
    FloatVector zero = FloatVector.zero(species);
    int i = 0;
    for (int bound = species.loopBound(len); i < bound; i += lanes) {
      FloatVector v = FloatVector.fromArray(species, x, xOff + i);
      zero.blend(1f, v.compare(GT, 0f)).intoArray(m, mOff + i);
    }
    for (; i < len; i++) {
      m[mOff + i] = x[xOff + i] > 0f ? 1f : 0f;
    }
  }

  @Override
  public void reluBackward(float[] a, int aOff, float[] d, int dOff, int len) {
    FloatVector zero = FloatVector.zero(species);
    int i = 0;
    for (int bound = species.loopBound(len); i < bound; i += lanes) {
      FloatVector av = FloatVector.fromArray(species, a, aOff + i);
      FloatVector dv = FloatVector.fromArray(species, d, dOff + i);
      zero.blend(dv, av.compare(GT, 0f)).intoArray(d, dOff + i);
    }
    for (; i < len; i++) {
      if (!(a[aOff + i] > 0f)) {
        d[dOff + i] = 0f;
      }
    }
  }

  /**
   * {@code max} over {@code x[off .. off + len)} with {@link Math#max} semantics (NaN wins, -0 < +0), the
   * tail under a mask; -inf for an empty range. The maximum of a set does not depend on the order, so this
   * equals the reference's loop.
   */
  private float max(float[] x, int off, int len) {
    FloatVector m = FloatVector.broadcast(species, Float.NEGATIVE_INFINITY);
    int j = 0;
    for (int bound = species.loopBound(len); j < bound; j += lanes) {
      m = m.max(FloatVector.fromArray(species, x, off + j));
    }
    if (j < len) {
      VectorMask<Float> tail = species.indexInRange(j, len);
      m = m.lanewise(MAX, FloatVector.fromArray(species, x, off + j, tail), tail);
    }
    return m.reduceLanes(MAX);
  }

  /**
   * Three passes per row (maximum, exp and sum, scaling), each finishing under a mask: rows of a softmax are
   * often narrower than a vector (10 classes against 16 lanes), where a masked tail measured about four times
   * faster than a scalar one.
   */
  @Override
  public void softmaxRows(float[] x, int xOff, float[] y, int yOff, int rows, int cols) {
    int bound = species.loopBound(cols);
    VectorMask<Float> tail = species.indexInRange(bound, cols);
    for (int r = 0; r < rows; r++) {
      int xr = xOff + r * cols;
      int yr = yOff + r * cols;
      FloatVector vmax = FloatVector.broadcast(species, max(x, xr, cols));
      FloatVector acc = FloatVector.zero(species);
      int j = 0;
      for (; j < bound; j += lanes) {
        FloatVector e = FloatVector.fromArray(species, x, xr + j).sub(vmax).lanewise(EXP);
        e.intoArray(y, yr + j);
        acc = acc.add(e);
      }
      if (j < cols) {
        // Lanes outside the row compute exp(0 - max), possibly infinite; they are neither summed nor stored.
        FloatVector e = FloatVector.fromArray(species, x, xr + j, tail).sub(vmax).lanewise(EXP);
        e.intoArray(y, yr + j, tail);
        acc = acc.lanewise(ADD, e, tail);
      }
      float inv = 1f / acc.reduceLanes(ADD);
      for (j = 0; j < bound; j += lanes) {
        FloatVector.fromArray(species, y, yr + j).mul(inv).intoArray(y, yr + j);
      }
      if (j < cols) {
        FloatVector.fromArray(species, y, yr + j, tail).mul(inv).intoArray(y, yr + j, tail);
      }
    }
  }

  @Override
  public void argmaxRows(float[] x, int xOff, int rows, int cols, int[] out, int outOff) {
    for (int r = 0; r < rows; r++) {
      out[outOff + r] = cols == 0 ? -1 : argmax(x, xOff + r * cols, cols);
    }
  }

  /**
   * The reference's answer in two passes: the maximum (NaN if the row holds one, since {@link Math#max}
   * propagates NaN), then the first index holding it (the first NaN, or the first element {@code ==} the
   * maximum, so -0 and +0 tie and the first wins, as with the reference's strict {@code >}).
   */
  private int argmax(float[] x, int off, int len) {
    float max = max(x, off, len);
    boolean nan = Float.isNaN(max);
    int j = 0;
    for (int bound = species.loopBound(len); j < bound; j += lanes) {
      FloatVector v = FloatVector.fromArray(species, x, off + j);
      VectorMask<Float> hit = nan ? v.test(IS_NAN) : v.compare(EQ, max);
      if (hit.anyTrue()) {
        return j + hit.firstTrue();
      }
    }
    if (j < len) {
      VectorMask<Float> tail = species.indexInRange(j, len);
      FloatVector v = FloatVector.fromArray(species, x, off + j, tail);
      VectorMask<Float> hit = (nan ? v.test(IS_NAN) : v.compare(EQ, max)).and(tail);
      if (hit.anyTrue()) {
        return j + hit.firstTrue();
      }
    }
    throw new AssertionError("row maximum " + max + " not found");
  }

  /**
   * Vectorises the row maximum (exact); the exp-sum stays the reference's double loop, so the result is
   * bit-identical. Cross-entropy is monitoring only and its rows are class scores (10 to 100 wide): a float
   * vector exp would cost accuracy for little time.
   */
  @Override
  public double meanCrossEntropy(float[] logits, int off, int rows, int cols, int[] labels, int labelsOff) {
    if (rows == 0) {
      return 0.0;
    }
    double total = 0.0;
    for (int r = 0; r < rows; r++) {
      int xr = off + r * cols;
      float max = max(logits, xr, cols);
      double sum = 0.0;
      for (int j = 0; j < cols; j++) {
        sum += Math.exp((double) logits[xr + j] - max);
      }
      total += Math.log(sum) + max - logits[xr + labels[labelsOff + r]];
    }
    return total / rows;
  }

  @Override
  public void scale(float alpha, float[] x, int xOff, int len) {
    int i = 0;
    for (int bound = species.loopBound(len); i < bound; i += lanes) {
      FloatVector.fromArray(species, x, xOff + i).mul(alpha).intoArray(x, xOff + i);
    }
    for (; i < len; i++) {
      x[xOff + i] *= alpha;
    }
  }

  @Override
  public void divide(float[] x, int xOff, int len, float d) {
    int i = 0;
    for (int bound = species.loopBound(len); i < bound; i += lanes) {
      FloatVector.fromArray(species, x, xOff + i).div(d).intoArray(x, xOff + i);
    }
    for (; i < len; i++) {
      x[xOff + i] /= d;
    }
  }

  @Override
  public void axpy(float alpha, float[] x, int xOff, float[] y, int yOff, int len) {
    FloatVector va = FloatVector.broadcast(species, alpha);
    int i = 0;
    for (int bound = species.loopBound(len); i < bound; i += lanes) {
      FloatVector xv = FloatVector.fromArray(species, x, xOff + i);
      FloatVector yv = FloatVector.fromArray(species, y, yOff + i);
      va.fma(xv, yv).intoArray(y, yOff + i);
    }
    for (; i < len; i++) {
      y[yOff + i] = Math.fma(alpha, x[xOff + i], y[yOff + i]);
    }
  }

  @Override
  public void hadamard(float[] x, int xOff, float[] y, int yOff, float[] z, int zOff, int len) {
    int i = 0;
    for (int bound = species.loopBound(len); i < bound; i += lanes) {
      FloatVector xv = FloatVector.fromArray(species, x, xOff + i);
      FloatVector yv = FloatVector.fromArray(species, y, yOff + i);
      xv.mul(yv).intoArray(z, zOff + i);
    }
    for (; i < len; i++) {
      z[zOff + i] = x[xOff + i] * y[yOff + i];
    }
  }

  @Override
  public void sub(float[] x, int xOff, float[] y, int yOff, float[] z, int zOff, int len) {
    int i = 0;
    for (int bound = species.loopBound(len); i < bound; i += lanes) {
      FloatVector xv = FloatVector.fromArray(species, x, xOff + i);
      FloatVector yv = FloatVector.fromArray(species, y, yOff + i);
      xv.sub(yv).intoArray(z, zOff + i);
    }
    for (; i < len; i++) {
      z[zOff + i] = x[xOff + i] - y[yOff + i];
    }
  }

  /**
   * Two float fma accumulators per block of {@code 2 * SUM_BLOCK} vectors, folded into a double total after
   * each block; the tail in double as in the reference. Error bound: see the class comment.
   */
  @Override
  public double sumSquares(float[] x, int xOff, int len) {
    double total = 0.0;
    int i = 0;
    int bound = species.loopBound(len);
    int step = 2 * lanes;
    while (i < bound) {
      int blockEnd = Math.min(bound, i + SUM_BLOCK * step);
      FloatVector a0 = FloatVector.zero(species);
      FloatVector a1 = FloatVector.zero(species);
      for (; i + step <= blockEnd; i += step) {
        FloatVector v0 = FloatVector.fromArray(species, x, xOff + i);
        FloatVector v1 = FloatVector.fromArray(species, x, xOff + i + lanes);
        a0 = v0.fma(v0, a0);
        a1 = v1.fma(v1, a1);
      }
      if (i < blockEnd) {
        FloatVector v0 = FloatVector.fromArray(species, x, xOff + i);
        a0 = v0.fma(v0, a0);
        i += lanes;
      }
      total += a0.add(a1).reduceLanes(ADD);
    }
    for (; i < len; i++) {
      double v = x[xOff + i];
      total += v * v;
    }
    return total;
  }

  @Override
  public void rowNorms(float[] x, int xOff, int rows, int cols, float[] out, int outOff) {
    for (int r = 0; r < rows; r++) {
      out[outOff + r] = (float) Math.sqrt(sumSquares(x, xOff + r * cols, cols));
    }
  }

  /**
   * Strips of four vectors of columns held in registers while the rows stream past; every column adds its
   * rows in the reference's order (from +0), so the sums are bit-identical.
   */
  @Override
  public void columnSums(float[] x, int xOff, int rows, int cols, float[] out, int outOff) {
    int bound = species.loopBound(cols);
    int j = 0;
    int strip = 4 * lanes;
    for (; j + strip <= bound; j += strip) {
      FloatVector s0 = FloatVector.zero(species);
      FloatVector s1 = FloatVector.zero(species);
      FloatVector s2 = FloatVector.zero(species);
      FloatVector s3 = FloatVector.zero(species);
      for (int r = 0; r < rows; r++) {
        int xr = xOff + r * cols + j;
        s0 = s0.add(FloatVector.fromArray(species, x, xr));
        s1 = s1.add(FloatVector.fromArray(species, x, xr + lanes));
        s2 = s2.add(FloatVector.fromArray(species, x, xr + 2 * lanes));
        s3 = s3.add(FloatVector.fromArray(species, x, xr + 3 * lanes));
      }
      s0.intoArray(out, outOff + j);
      s1.intoArray(out, outOff + j + lanes);
      s2.intoArray(out, outOff + j + 2 * lanes);
      s3.intoArray(out, outOff + j + 3 * lanes);
    }
    for (; j < bound; j += lanes) {
      FloatVector s0 = FloatVector.zero(species);
      for (int r = 0; r < rows; r++) {
        s0 = s0.add(FloatVector.fromArray(species, x, xOff + r * cols + j));
      }
      s0.intoArray(out, outOff + j);
    }
    for (; j < cols; j++) {
      float s = 0f;
      for (int r = 0; r < rows; r++) {
        s += x[xOff + r * cols + j];
      }
      out[outOff + j] = s;
    }
  }

  /**
   * As the reference, one rounding per operation in the same order ({@code g = G + lambda W}; {@code V = mu V
   * + g}; {@code W = W - eta V}), hence bit-identical. Fusing the two multiply-adds would save nothing here:
   * the step streams three arrays and is bound by memory.
   */
  @Override
  public void sgdStep(
      float[] w, int wOff, float[] g, int gOff, float[] v, int vOff, int len, float lr, float momentum, float weightDecay) {
    int i = 0;
    for (int bound = species.loopBound(len); i < bound; i += lanes) {
      FloatVector wv = FloatVector.fromArray(species, w, wOff + i);
      FloatVector gv = FloatVector.fromArray(species, g, gOff + i).add(wv.mul(weightDecay));
      FloatVector vv = FloatVector.fromArray(species, v, vOff + i).mul(momentum).add(gv);
      vv.intoArray(v, vOff + i);
      wv.sub(vv.mul(lr)).intoArray(w, wOff + i);
    }
    for (; i < len; i++) {
      float wi = w[wOff + i];
      float gi = g[gOff + i] + weightDecay * wi;
      float vi = momentum * v[vOff + i] + gi;
      v[vOff + i] = vi;
      w[wOff + i] = wi - lr * vi;
    }
  }

  /** {@code x - x} is +0 for every finite x and NaN otherwise; a sum of those is NaN iff one was. */
  @Override
  public boolean allFinite(float[] x, int xOff, int len) {
    int i = 0;
    int bound = species.loopBound(len);
    if (bound > 0) {
      FloatVector acc = FloatVector.zero(species);
      for (; i < bound; i += lanes) {
        FloatVector v = FloatVector.fromArray(species, x, xOff + i);
        acc = acc.add(v.sub(v));
      }
      if (acc.compare(NE, 0f).anyTrue()) {
        return false;
      }
    }
    for (; i < len; i++) {
      float v = x[xOff + i];
      if (v - v != 0f) {
        return false;
      }
    }
    return true;
  }
}

package org.fwdlearn.core.kernel;

import static jdk.incubator.vector.VectorOperators.ADD;
import static jdk.incubator.vector.VectorOperators.EQ;
import static jdk.incubator.vector.VectorOperators.F2I;
import static jdk.incubator.vector.VectorOperators.GT;
import static jdk.incubator.vector.VectorOperators.IS_NAN;
import static jdk.incubator.vector.VectorOperators.LSHL;
import static jdk.incubator.vector.VectorOperators.LSHR;
import static jdk.incubator.vector.VectorOperators.LT;
import static jdk.incubator.vector.VectorOperators.MAX;
import static jdk.incubator.vector.VectorOperators.NE;
import static jdk.incubator.vector.VectorOperators.XOR;

import java.lang.constant.ConstantDescs;
import java.lang.invoke.MethodHandles;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * The Vector API elementwise and row kernels, written once and loaded once per species by {@link
 * VectorElementwise}, whose comment states how each result relates to the scalar reference.
 *
 * <p>The JIT compiles Vector API calls to SIMD instructions only when the species is a constant; held in an
 * instance field it falls back to slow, allocating Java code. So this class is a template: {@link
 * VectorElementwise} defines a hidden copy of it per species with the species as class data, and in each copy
 * {@link #S} is a {@code static final} constant. Loaded the ordinary way (the library never does), it uses the
 * preferred species. Rules for this file (as for {@code VectorGemmMicro}): no nested classes, lambdas or string
 * concatenation, and no vector passed to or returned from a helper method.
 */
final class VectorElementwiseTemplate implements ElementwiseKernel {
  static final VectorSpecies<Float> S = species();
  private static final int L = S.length();
  /** Longs of the same width (L / 2 lanes), and floats of half the width (as many lanes), for the RNG. */
  private static final VectorSpecies<Long> LS = VectorSpecies.of(long.class, S.vectorShape());
  private static final VectorSpecies<Float> HS =
      VectorSpecies.of(float.class, VectorShape.forBitSize(S.vectorBitSize() / 2));
  /** (j + 1) GAMMA for lane j: the SplitMix64 counters of one vector of values. */
  private static final long[] GAMMA_IOTA = gammaIota();

  private static long[] gammaIota() {
    long[] a = new long[LS.length()];
    for (int j = 0; j < a.length; j++) {
      a[j] = (j + 1) * org.fwdlearn.core.Rng.GAMMA;
    }
    return a;
  }

  private static VectorSpecies<Float> species() {
    MethodHandles.Lookup self = MethodHandles.lookup();
    if (!self.lookupClass().isHidden()) {
      return FloatVector.SPECIES_PREFERRED;
    }
    try {
      @SuppressWarnings("unchecked")
      VectorSpecies<Float> s = MethodHandles.classData(self, ConstantDescs.DEFAULT_NAME, VectorSpecies.class);
      return s;
    } catch (IllegalAccessException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void relu(float[] x, int xOff, float[] y, int yOff, int len) {
    int i = 0;
    for (int bound = S.loopBound(len); i < bound; i += L) {
      // Lanewise MAX has Math.max semantics (NaN propagates, -0 < +0), as the reference.
      FloatVector.fromArray(S, x, xOff + i).max(0f).intoArray(y, yOff + i);
    }
    for (; i < len; i++) {
      y[yOff + i] = Math.max(x[xOff + i], 0f);
    }
  }

  @Override
  public void reluMask(float[] x, int xOff, float[] m, int mOff, int len) {
    FloatVector zero = FloatVector.zero(S);
    int i = 0;
    for (int bound = S.loopBound(len); i < bound; i += L) {
      FloatVector v = FloatVector.fromArray(S, x, xOff + i);
      zero.blend(1f, v.compare(GT, 0f)).intoArray(m, mOff + i);
    }
    for (; i < len; i++) {
      m[mOff + i] = x[xOff + i] > 0f ? 1f : 0f;
    }
  }

  @Override
  public void reluBackward(float[] a, int aOff, float[] d, int dOff, int len) {
    FloatVector zero = FloatVector.zero(S);
    int i = 0;
    for (int bound = S.loopBound(len); i < bound; i += L) {
      FloatVector av = FloatVector.fromArray(S, a, aOff + i);
      FloatVector dv = FloatVector.fromArray(S, d, dOff + i);
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
    FloatVector m = FloatVector.broadcast(S, Float.NEGATIVE_INFINITY);
    int j = 0;
    for (int bound = S.loopBound(len); j < bound; j += L) {
      m = m.max(FloatVector.fromArray(S, x, off + j));
    }
    if (j < len) {
      VectorMask<Float> tail = S.indexInRange(j, len);
      m = m.lanewise(MAX, FloatVector.fromArray(S, x, off + j, tail), tail);
    }
    return m.reduceLanes(MAX);
  }

  /** Below this argument {@code exp} is subnormal in float; the kernel returns 0 there (absolute error < 2^-126). */
  private static final float EXP_MIN_ARG = -87.33654f;
  private static final float LOG2E = 1.44269504088896341f;
  /** 1.5 * 2^23: adding and subtracting it rounds a float of magnitude below 2^22 to the nearest integer. */
  private static final float ROUND_MAGIC = 12582912f;
  /** ln 2 split in two (Cody and Waite): the high part has few bits, so {@code n * LN2_HI} is exact. */
  private static final float LN2_HI = 0.693359375f;
  private static final float LN2_LO = -2.12194440e-4f;

  /**
   * Three passes per row (maximum, exp and sum, scaling), each lane group under a mask: rows of a softmax are
   * often narrower than a vector (10 classes against 16 lanes), where a masked tail measured about four times
   * faster than a scalar one.
   *
   * <p>The exponential is computed here from IEEE operations only (Cody-Waite reduction {@code x = n ln2 + r},
   * the degree-6 minimax polynomial of Cephes' {@code expf} evaluated with FMAs, and {@code 2^n} built from its
   * bits), not with {@code VectorOperators.EXP}: the latter's last bits differ between the interpreted and the
   * compiled code, which made training not reproducible bit for bit. Arguments are {@code x - max <= 0}; below
   * {@link #EXP_MIN_ARG} the result is 0. Relative error on {@code [EXP_MIN_ARG, 0]}: at most 2 float ulps
   * ({@code 4u}); an exhaustive sweep of every float in that range against {@code Math.exp} found at most 1.016
   * ulps (see ElementwiseProperties.EXP_VECTOR).
   */
  @Override
  public void softmaxRows(float[] x, int xOff, float[] y, int yOff, int rows, int cols) {
    for (int r = 0; r < rows; r++) {
      int xr = xOff + r * cols;
      int yr = yOff + r * cols;
      FloatVector vmax = FloatVector.broadcast(S, max(x, xr, cols));
      FloatVector acc = FloatVector.zero(S);
      for (int j = 0; j < cols; j += L) {
        // Lanes outside the row compute garbage from 0 - max; they are neither summed nor stored.
        VectorMask<Float> m = S.indexInRange(j, cols);
        FloatVector a = FloatVector.fromArray(S, x, xr + j, m).sub(vmax);
        FloatVector n = a.mul(LOG2E).add(ROUND_MAGIC).sub(ROUND_MAGIC);
        FloatVector t = n.fma(FloatVector.broadcast(S, -LN2_HI), a);
        t = n.fma(FloatVector.broadcast(S, -LN2_LO), t);
        FloatVector p = FloatVector.broadcast(S, 1.9875691500e-4f);
        p = p.fma(t, FloatVector.broadcast(S, 1.3981999507e-3f));
        p = p.fma(t, FloatVector.broadcast(S, 8.3334519073e-3f));
        p = p.fma(t, FloatVector.broadcast(S, 4.1665795894e-2f));
        p = p.fma(t, FloatVector.broadcast(S, 1.6666665459e-1f));
        p = p.fma(t, FloatVector.broadcast(S, 5.0000001201e-1f));
        p = p.mul(t).fma(t, t).add(1f);
        FloatVector scale =
            ((IntVector) n.convert(F2I, 0)).add(127).lanewise(LSHL, 23).reinterpretAsFloats();
        FloatVector e = p.mul(scale).blend(0f, a.compare(LT, EXP_MIN_ARG));
        e.intoArray(y, yr + j, m);
        acc = acc.lanewise(ADD, e, m);
      }
      // Lanes summed in index order: reduceLanes(ADD) leaves the order open, and its result changed between
      // the interpreted and the compiled code (no bit-for-bit reproducible training).
      float sum = 0f;
      for (int k = 0; k < L; k++) {
        sum += acc.lane(k);
      }
      float inv = 1f / sum;
      for (int j = 0; j < cols; j += L) {
        VectorMask<Float> m = S.indexInRange(j, cols);
        FloatVector.fromArray(S, y, yr + j, m).mul(inv).intoArray(y, yr + j, m);
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
    for (int bound = S.loopBound(len); j < bound; j += L) {
      FloatVector v = FloatVector.fromArray(S, x, off + j);
      VectorMask<Float> hit = nan ? v.test(IS_NAN) : v.compare(EQ, max);
      if (hit.anyTrue()) {
        return j + hit.firstTrue();
      }
    }
    if (j < len) {
      VectorMask<Float> tail = S.indexInRange(j, len);
      FloatVector v = FloatVector.fromArray(S, x, off + j, tail);
      VectorMask<Float> hit = (nan ? v.test(IS_NAN) : v.compare(EQ, max)).and(tail);
      if (hit.anyTrue()) {
        return j + hit.firstTrue();
      }
    }
    throw new AssertionError("row maximum not found");
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
    for (int bound = S.loopBound(len); i < bound; i += L) {
      FloatVector.fromArray(S, x, xOff + i).mul(alpha).intoArray(x, xOff + i);
    }
    for (; i < len; i++) {
      x[xOff + i] *= alpha;
    }
  }

  @Override
  public void divide(float[] x, int xOff, int len, float d) {
    int i = 0;
    for (int bound = S.loopBound(len); i < bound; i += L) {
      FloatVector.fromArray(S, x, xOff + i).div(d).intoArray(x, xOff + i);
    }
    for (; i < len; i++) {
      x[xOff + i] /= d;
    }
  }

  @Override
  public void axpy(float alpha, float[] x, int xOff, float[] y, int yOff, int len) {
    FloatVector va = FloatVector.broadcast(S, alpha);
    int i = 0;
    for (int bound = S.loopBound(len); i < bound; i += L) {
      FloatVector xv = FloatVector.fromArray(S, x, xOff + i);
      FloatVector yv = FloatVector.fromArray(S, y, yOff + i);
      va.fma(xv, yv).intoArray(y, yOff + i);
    }
    for (; i < len; i++) {
      y[yOff + i] = Math.fma(alpha, x[xOff + i], y[yOff + i]);
    }
  }

  @Override
  public void hadamard(float[] x, int xOff, float[] y, int yOff, float[] z, int zOff, int len) {
    int i = 0;
    for (int bound = S.loopBound(len); i < bound; i += L) {
      FloatVector xv = FloatVector.fromArray(S, x, xOff + i);
      FloatVector yv = FloatVector.fromArray(S, y, yOff + i);
      xv.mul(yv).intoArray(z, zOff + i);
    }
    for (; i < len; i++) {
      z[zOff + i] = x[xOff + i] * y[yOff + i];
    }
  }

  @Override
  public void addLowRank(
      float[] base, int baseOff, float alpha, float[] e, int eOff, int k, float[] q, int qOff, float[] out, int outOff,
      float[] h, int hOff, float[] mask, int maskOff, int rows, int cols, int ld, float[] scratch) {
    // Lanewise MAX has Math.max semantics, as relu. alpha E is computed once into the scratch (from LOW_RANK_SCRATCH k on) and broadcast from memory; column
    // panels of Q (k x 4L, then k x L) are copied to the scratch's start and run past every row, two rows at a
    // time: Q's rows read in place would be k streams a row length apart, which for 1024 columns all fall into one
    // L1 set.
    int ae = LOW_RANK_SCRATCH * k;
    for (int i = 0, n = rows * k; i < n; i++) {
      scratch[ae + i] = alpha * e[eOff + i];
    }
    int w = 4 * L;
    int j = 0;
    for (; j + w <= cols; j += w) {
      for (int p = 0; p < k; p++) {
        System.arraycopy(q, qOff + p * ld + j, scratch, p * w, w);
      }
      // Two rows at a time; an odd last row is computed twice (its second copy is not stored). The two rows' stores
      // are written out twice: a vector may not be passed to a helper here (see the class comment).
      for (int i = 0; i < rows; i += 2) {
        int a0 = ae + i * k;
        int a1 = i + 1 < rows ? a0 + k : a0;
        FloatVector c00 = FloatVector.zero(S);
        FloatVector c01 = c00;
        FloatVector c02 = c00;
        FloatVector c03 = c00;
        FloatVector c10 = c00;
        FloatVector c11 = c00;
        FloatVector c12 = c00;
        FloatVector c13 = c00;
        for (int p = 0, pi = 0; p < k; p++, pi += w) {
          FloatVector q0 = FloatVector.fromArray(S, scratch, pi);
          FloatVector q1 = FloatVector.fromArray(S, scratch, pi + L);
          FloatVector q2 = FloatVector.fromArray(S, scratch, pi + 2 * L);
          FloatVector q3 = FloatVector.fromArray(S, scratch, pi + 3 * L);
          FloatVector x0 = FloatVector.broadcast(S, scratch[a0 + p]);
          FloatVector x1 = FloatVector.broadcast(S, scratch[a1 + p]);
          c00 = q0.fma(x0, c00);
          c01 = q1.fma(x0, c01);
          c02 = q2.fma(x0, c02);
          c03 = q3.fma(x0, c03);
          c10 = q0.fma(x1, c10);
          c11 = q1.fma(x1, c11);
          c12 = q2.fma(x1, c12);
          c13 = q3.fma(x1, c13);
        }
        int at = i * ld + j;
        c00 = FloatVector.fromArray(S, base, baseOff + at).add(c00);
        c01 = FloatVector.fromArray(S, base, baseOff + at + L).add(c01);
        c02 = FloatVector.fromArray(S, base, baseOff + at + 2 * L).add(c02);
        c03 = FloatVector.fromArray(S, base, baseOff + at + 3 * L).add(c03);
        c00.intoArray(out, outOff + at);
        c01.intoArray(out, outOff + at + L);
        c02.intoArray(out, outOff + at + 2 * L);
        c03.intoArray(out, outOff + at + 3 * L);
        if (h != null) {
          c00 = c00.max(0f);
          c01 = c01.max(0f);
          c02 = c02.max(0f);
          c03 = c03.max(0f);
          if (mask != null) {
            c00 = c00.mul(FloatVector.fromArray(S, mask, maskOff + at));
            c01 = c01.mul(FloatVector.fromArray(S, mask, maskOff + at + L));
            c02 = c02.mul(FloatVector.fromArray(S, mask, maskOff + at + 2 * L));
            c03 = c03.mul(FloatVector.fromArray(S, mask, maskOff + at + 3 * L));
          }
          c00.intoArray(h, hOff + at);
          c01.intoArray(h, hOff + at + L);
          c02.intoArray(h, hOff + at + 2 * L);
          c03.intoArray(h, hOff + at + 3 * L);
        }
        if (i + 1 == rows) {
          break;
        }
        at += ld;
        c10 = FloatVector.fromArray(S, base, baseOff + at).add(c10);
        c11 = FloatVector.fromArray(S, base, baseOff + at + L).add(c11);
        c12 = FloatVector.fromArray(S, base, baseOff + at + 2 * L).add(c12);
        c13 = FloatVector.fromArray(S, base, baseOff + at + 3 * L).add(c13);
        c10.intoArray(out, outOff + at);
        c11.intoArray(out, outOff + at + L);
        c12.intoArray(out, outOff + at + 2 * L);
        c13.intoArray(out, outOff + at + 3 * L);
        if (h != null) {
          c10 = c10.max(0f);
          c11 = c11.max(0f);
          c12 = c12.max(0f);
          c13 = c13.max(0f);
          if (mask != null) {
            c10 = c10.mul(FloatVector.fromArray(S, mask, maskOff + at));
            c11 = c11.mul(FloatVector.fromArray(S, mask, maskOff + at + L));
            c12 = c12.mul(FloatVector.fromArray(S, mask, maskOff + at + 2 * L));
            c13 = c13.mul(FloatVector.fromArray(S, mask, maskOff + at + 3 * L));
          }
          c10.intoArray(h, hOff + at);
          c11.intoArray(h, hOff + at + L);
          c12.intoArray(h, hOff + at + 2 * L);
          c13.intoArray(h, hOff + at + 3 * L);
        }
      }
    }
    for (; j + L <= cols; j += L) {
      for (int p = 0; p < k; p++) {
        System.arraycopy(q, qOff + p * ld + j, scratch, p * L, L);
      }
      for (int i = 0; i < rows; i++) {
        int a0 = ae + i * k;
        FloatVector c0 = FloatVector.zero(S);
        for (int p = 0; p < k; p++) {
          c0 = FloatVector.fromArray(S, scratch, p * L).fma(FloatVector.broadcast(S, scratch[a0 + p]), c0);
        }
        int at = i * ld + j;
        c0 = FloatVector.fromArray(S, base, baseOff + at).add(c0);
        c0.intoArray(out, outOff + at);
        if (h != null) {
          c0 = c0.max(0f);
          if (mask != null) {
            c0 = c0.mul(FloatVector.fromArray(S, mask, maskOff + at));
          }
          c0.intoArray(h, hOff + at);
        }
      }
    }
    for (int i = 0; i < rows && j < cols; i++) {
      int a0 = ae + i * k;
      for (int jj = j; jj < cols; jj++) {
        float acc = 0f;
        for (int p = 0; p < k; p++) {
          acc = Math.fma(scratch[a0 + p], q[qOff + p * ld + jj], acc);
        }
        int at = i * ld + jj;
        float o = base[baseOff + at] + acc;
        out[outOff + at] = o;
        if (h != null) {
          float r = Math.max(o, 0f);
          h[hOff + at] = mask == null ? r : r * mask[maskOff + at];
        }
      }
    }
  }

  @Override
  public void sub(float[] x, int xOff, float[] y, int yOff, float[] z, int zOff, int len) {
    int i = 0;
    for (int bound = S.loopBound(len); i < bound; i += L) {
      FloatVector xv = FloatVector.fromArray(S, x, xOff + i);
      FloatVector yv = FloatVector.fromArray(S, y, yOff + i);
      xv.sub(yv).intoArray(z, zOff + i);
    }
    for (; i < len; i++) {
      z[zOff + i] = x[xOff + i] - y[yOff + i];
    }
  }

  /**
   * Two float fma accumulators per block of {@code 2 * SUM_BLOCK} vectors, folded into a double total after
   * each block; the tail in double as in the reference. Error bound: see {@link VectorElementwise}.
   */
  @Override
  public double sumSquares(float[] x, int xOff, int len) {
    double total = 0.0;
    int i = 0;
    int bound = S.loopBound(len);
    int step = 2 * L;
    while (i < bound) {
      int blockEnd = Math.min(bound, i + VectorElementwise.SUM_BLOCK * step);
      FloatVector a0 = FloatVector.zero(S);
      FloatVector a1 = FloatVector.zero(S);
      for (; i + step <= blockEnd; i += step) {
        FloatVector v0 = FloatVector.fromArray(S, x, xOff + i);
        FloatVector v1 = FloatVector.fromArray(S, x, xOff + i + L);
        a0 = v0.fma(v0, a0);
        a1 = v1.fma(v1, a1);
      }
      if (i < blockEnd) {
        FloatVector v0 = FloatVector.fromArray(S, x, xOff + i);
        a0 = v0.fma(v0, a0);
        i += L;
      }
      FloatVector block = a0.add(a1);
      for (int k = 0; k < L; k++) { // fixed order, in double: see softmaxRows on reduceLanes(ADD)
        total += block.lane(k);
      }
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
    int bound = S.loopBound(cols);
    int j = 0;
    int strip = 4 * L;
    for (; j + strip <= bound; j += strip) {
      FloatVector s0 = FloatVector.zero(S);
      FloatVector s1 = FloatVector.zero(S);
      FloatVector s2 = FloatVector.zero(S);
      FloatVector s3 = FloatVector.zero(S);
      for (int r = 0; r < rows; r++) {
        int xr = xOff + r * cols + j;
        s0 = s0.add(FloatVector.fromArray(S, x, xr));
        s1 = s1.add(FloatVector.fromArray(S, x, xr + L));
        s2 = s2.add(FloatVector.fromArray(S, x, xr + 2 * L));
        s3 = s3.add(FloatVector.fromArray(S, x, xr + 3 * L));
      }
      s0.intoArray(out, outOff + j);
      s1.intoArray(out, outOff + j + L);
      s2.intoArray(out, outOff + j + 2 * L);
      s3.intoArray(out, outOff + j + 3 * L);
    }
    for (; j < bound; j += L) {
      FloatVector s0 = FloatVector.zero(S);
      for (int r = 0; r < rows; r++) {
        s0 = s0.add(FloatVector.fromArray(S, x, xOff + r * cols + j));
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
  public boolean sgdStep(
      float[] w, int wOff, float[] g, int gOff, float[] v, int vOff, int len, float lr, float momentum, float weightDecay) {
    int i = 0;
    boolean finite = true;
    int bound = S.loopBound(len);
    if (bound > 0) {
      // the check of allFinite, in the same pass: a sum of (w - w), +0 unless some w was NaN or infinite
      FloatVector acc = FloatVector.zero(S);
      for (; i < bound; i += L) {
        FloatVector wv = FloatVector.fromArray(S, w, wOff + i);
        FloatVector gv = FloatVector.fromArray(S, g, gOff + i).add(wv.mul(weightDecay));
        FloatVector vv = FloatVector.fromArray(S, v, vOff + i).mul(momentum).add(gv);
        vv = vv.blend(0f, vv.abs().compare(LT, Float.MIN_NORMAL)); // ScalarElementwise.flush
        vv.intoArray(v, vOff + i);
        FloatVector updated = wv.sub(vv.mul(lr));
        updated.intoArray(w, wOff + i);
        acc = acc.add(updated.sub(updated));
      }
      finite = !acc.compare(NE, 0f).anyTrue();
    }
    return ScalarElementwise.sgdRange(w, wOff + i, g, gOff + i, v, vOff + i, len - i, lr, momentum, weightDecay)
        && finite;
  }

  /**
   * SplitMix64 in the lanes of a long vector: lane j of a step holds value i + j + 1 of the stream (64-bit
   * multiplies, wrapping as in Java), so the mask is bit for bit the reference's.
   */
  @Override
  public void dropoutMask(float[] d, int off, int len, long threshold, float keep, long state) {
    int ll = LS.length();
    LongVector ctr = LongVector.fromArray(LS, GAMMA_IOTA, 0).add(state);
    LongVector step = LongVector.broadcast(LS, ll * org.fwdlearn.core.Rng.GAMMA);
    FloatVector kept = FloatVector.broadcast(HS, keep);
    int i = 0;
    for (int bound = LS.loopBound(len); i < bound; i += ll) {
      LongVector z = ctr.lanewise(XOR, ctr.lanewise(LSHR, 30)).mul(0xBF58476D1CE4E5B9L);
      z = z.lanewise(XOR, z.lanewise(LSHR, 27)).mul(0x94D049BB133111EBL);
      z = z.lanewise(XOR, z.lanewise(LSHR, 31)).lanewise(LSHR, 40);
      kept.blend(0f, z.compare(LT, threshold).cast(HS)).intoArray(d, off + i);
      ctr = ctr.add(step);
    }
    long s = state + i * org.fwdlearn.core.Rng.GAMMA;
    for (; i < len; i++) {
      s += org.fwdlearn.core.Rng.GAMMA;
      d[off + i] = (org.fwdlearn.core.Rng.mix64(s) >>> 40) < threshold ? 0f : keep;
    }
  }

  /** {@code x - x} is +0 for every finite x and NaN otherwise; a sum of those is NaN iff one was. */
  @Override
  public boolean allFinite(float[] x, int xOff, int len) {
    int i = 0;
    int bound = S.loopBound(len);
    if (bound > 0) {
      FloatVector acc = FloatVector.zero(S);
      for (; i < bound; i += L) {
        FloatVector v = FloatVector.fromArray(S, x, xOff + i);
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

package org.fwdlearn.core.kernel;

import java.lang.constant.ConstantDescs;
import java.lang.invoke.MethodHandles;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The GEMM micro-kernels on the Vector API, written once and loaded once per species.
 *
 * <p>The JIT compiles Vector API calls to SIMD instructions only when the species is a constant: with a
 * species held in an instance field, every call falls back to slow, allocating Java code (measured: 2.5
 * instead of 100 GFLOP/s). So this class is a template: {@link VectorGemm} defines a hidden copy of it per
 * species, with the species as class data, and in each copy {@link #S} is a {@code static final} constant.
 * Loaded the ordinary way (the library never does), it uses the preferred species.
 *
 * <p>Rules for this file: no nested classes, lambdas or string concatenation (a hidden class cannot be
 * named by the classes they generate), and no vector passed to or returned from a helper method: a vector
 * that crosses a call the JIT does not inline is boxed, and a small helper called 24 times is not reliably
 * inlined (measured: 12% of the time in a boxed store helper). Hence the spelled-out stores.
 *
 * <p>No kernel uses masks: with masked loads and stores the one-vector kernels were too large for C1 ("out
 * of virtual registers"), and a method that C1 gives up on may run interpreted, thousands of times slower,
 * until C2 takes it. The caller stores partial vectors through a scratch tile instead.
 *
 * <p>Each kernel accumulates {@code acc = fma(a_p, b_p, acc)} from zero in increasing p, then stores
 * {@code acc}, or {@code fma(C, beta, acc)} when {@code read}: the same per-element arithmetic in every
 * kernel, so the choice of kernel for an element never changes its value. The dot-product kernels ({@link
 * #dots}, {@link #dotBlock}) are the exception, with sums split over the lanes; they share their arithmetic,
 * and {@link VectorGemm} chooses them by the product's shape alone (a transposed B against a few rows of A, or
 * narrower than one vector), so a given layer's products always take the same one.
 */
final class VectorGemmMicro implements GemmMicroKernel {
  static final VectorSpecies<Float> S = species();
  private static final int L = S.length();

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
  public int lanes() {
    return L;
  }

  @Override
  public void dots(int k, float[] a, int aIdx, float[] b, int bIdx, int ldb, int rows, float[] out, int outIdx,
      float[] scratch) {
    // Rows past the edge re-read the last row (in bounds); their sums are not stored.
    int b0 = bIdx;
    int b1 = bIdx + Math.min(1, rows - 1) * ldb;
    int b2 = bIdx + Math.min(2, rows - 1) * ldb;
    int b3 = bIdx + Math.min(3, rows - 1) * ldb;
    FloatVector c0 = FloatVector.zero(S);
    FloatVector c1 = c0;
    FloatVector c2 = c0;
    FloatVector c3 = c0;
    int p = 0;
    for (int bound = S.loopBound(k); p < bound; p += L) {
      FloatVector av = FloatVector.fromArray(S, a, aIdx + p);
      c0 = FloatVector.fromArray(S, b, b0 + p).fma(av, c0);
      c1 = FloatVector.fromArray(S, b, b1 + p).fma(av, c1);
      c2 = FloatVector.fromArray(S, b, b2 + p).fma(av, c2);
      c3 = FloatVector.fromArray(S, b, b3 + p).fma(av, c3);
    }
    // lanes in order (reduceLanes leaves the order unspecified, so it could differ between compiled and
    // interpreted code)
    c0.intoArray(scratch, 0);
    c1.intoArray(scratch, L);
    c2.intoArray(scratch, 2 * L);
    c3.intoArray(scratch, 3 * L);
    for (int r = 0; r < rows; r++) {
      float s = scratch[r * L];
      for (int l = 1; l < L; l++) {
        s += scratch[r * L + l];
      }
      int br = bIdx + r * ldb;
      for (int q = p; q < k; q++) {
        s = Math.fma(a[aIdx + q], b[br + q], s);
      }
      out[outIdx + r] = s;
    }
  }

  @Override
  public void dotBlock(int k, float[] a, int aIdx, int lda, int rowsA, float[] b, int bIdx, int ldb, int rowsB,
      float[] out, float[] scratch) {
    // Rows past the edges re-read the last row (in bounds); their sums are not stored.
    int a0 = aIdx;
    int a1 = aIdx + Math.min(1, rowsA - 1) * lda;
    int a2 = aIdx + Math.min(2, rowsA - 1) * lda;
    int a3 = aIdx + Math.min(3, rowsA - 1) * lda;
    int b0 = bIdx;
    int b1 = bIdx + Math.min(1, rowsB - 1) * ldb;
    int b2 = bIdx + Math.min(2, rowsB - 1) * ldb;
    int b3 = bIdx + Math.min(3, rowsB - 1) * ldb;
    int b4 = bIdx + Math.min(4, rowsB - 1) * ldb;
    FloatVector c00 = FloatVector.zero(S);
    FloatVector c01 = c00, c02 = c00, c03 = c00, c04 = c00, c10 = c00;
    FloatVector c11 = c00, c12 = c00, c13 = c00, c14 = c00, c20 = c00;
    FloatVector c21 = c00, c22 = c00, c23 = c00, c24 = c00, c30 = c00;
    FloatVector c31 = c00, c32 = c00, c33 = c00, c34 = c00;
    int p = 0;
    for (int bound = S.loopBound(k); p < bound; p += L) {
      FloatVector x0 = FloatVector.fromArray(S, a, a0 + p);
      FloatVector x1 = FloatVector.fromArray(S, a, a1 + p);
      FloatVector x2 = FloatVector.fromArray(S, a, a2 + p);
      FloatVector x3 = FloatVector.fromArray(S, a, a3 + p);
      FloatVector w0 = FloatVector.fromArray(S, b, b0 + p);
      c00 = w0.fma(x0, c00);
      c10 = w0.fma(x1, c10);
      c20 = w0.fma(x2, c20);
      c30 = w0.fma(x3, c30);
      FloatVector w1 = FloatVector.fromArray(S, b, b1 + p);
      c01 = w1.fma(x0, c01);
      c11 = w1.fma(x1, c11);
      c21 = w1.fma(x2, c21);
      c31 = w1.fma(x3, c31);
      FloatVector w2 = FloatVector.fromArray(S, b, b2 + p);
      c02 = w2.fma(x0, c02);
      c12 = w2.fma(x1, c12);
      c22 = w2.fma(x2, c22);
      c32 = w2.fma(x3, c32);
      FloatVector w3 = FloatVector.fromArray(S, b, b3 + p);
      c03 = w3.fma(x0, c03);
      c13 = w3.fma(x1, c13);
      c23 = w3.fma(x2, c23);
      c33 = w3.fma(x3, c33);
      FloatVector w4 = FloatVector.fromArray(S, b, b4 + p);
      c04 = w4.fma(x0, c04);
      c14 = w4.fma(x1, c14);
      c24 = w4.fma(x2, c24);
      c34 = w4.fma(x3, c34);
    }
    // lanes in order, as dots
    c00.intoArray(scratch, 0 * L);
    c01.intoArray(scratch, 1 * L);
    c02.intoArray(scratch, 2 * L);
    c03.intoArray(scratch, 3 * L);
    c04.intoArray(scratch, 4 * L);
    c10.intoArray(scratch, 5 * L);
    c11.intoArray(scratch, 6 * L);
    c12.intoArray(scratch, 7 * L);
    c13.intoArray(scratch, 8 * L);
    c14.intoArray(scratch, 9 * L);
    c20.intoArray(scratch, 10 * L);
    c21.intoArray(scratch, 11 * L);
    c22.intoArray(scratch, 12 * L);
    c23.intoArray(scratch, 13 * L);
    c24.intoArray(scratch, 14 * L);
    c30.intoArray(scratch, 15 * L);
    c31.intoArray(scratch, 16 * L);
    c32.intoArray(scratch, 17 * L);
    c33.intoArray(scratch, 18 * L);
    c34.intoArray(scratch, 19 * L);
    for (int r = 0; r < rowsA; r++) {
      int ar = aIdx + r * lda;
      for (int j = 0; j < rowsB; j++) {
        int at = (r * DOT_COLS + j) * L;
        float s = scratch[at];
        for (int l = 1; l < L; l++) {
          s += scratch[at + l];
        }
        int bj = bIdx + j * ldb;
        for (int q = p; q < k; q++) {
          s = Math.fma(a[ar + q], b[bj + q], s);
        }
        out[r * DOT_COLS + j] = s;
      }
    }
  }

  @Override
  public boolean sgdTile(
      float[] t, int ldt, int rows, int cols, float[] w, int wIdx, int ldw, float[] v, int vIdx, int ldv,
      float lr, float momentum, float weightDecay) {
    // separate multiplies and adds, as VectorElementwiseTemplate.sgdStep (Java never contracts them into fma)
    FloatVector acc = FloatVector.zero(S);
    boolean finite = true;
    for (int r = 0; r < rows; r++, wIdx += ldw, vIdx += ldv) {
      int ti = r * ldt;
      int j = 0;
      for (; j + L <= cols; j += L) {
        FloatVector wv = FloatVector.fromArray(S, w, wIdx + j);
        FloatVector gv = FloatVector.fromArray(S, t, ti + j).add(wv.mul(weightDecay));
        FloatVector vv = FloatVector.fromArray(S, v, vIdx + j).mul(momentum).add(gv);
        vv = vv.blend(0f, vv.abs().compare(jdk.incubator.vector.VectorOperators.LT, Float.MIN_NORMAL));
        vv.intoArray(v, vIdx + j);
        FloatVector updated = wv.sub(vv.mul(lr));
        updated.intoArray(w, wIdx + j);
        acc = acc.add(updated.sub(updated));
      }
      finite &= ScalarElementwise.sgdRange(
          w, wIdx + j, t, ti + j, v, vIdx + j, cols - j, lr, momentum, weightDecay);
    }
    return finite && !acc.compare(jdk.incubator.vector.VectorOperators.NE, 0f).anyTrue();
  }

  @Override
  public void packRows(float[] b, int src, int ldb, int kc, int strips, float[] bp, int dst) {
    int stripSize = kc * NV * L;
    for (int p = 0; p < kc; p++, src += ldb, dst += NV * L) {
      for (int s = 0, from = src, to = dst; s < strips; s++, from += NV * L, to += stripSize) {
        FloatVector.fromArray(S, b, from).intoArray(bp, to);
        FloatVector.fromArray(S, b, from + L).intoArray(bp, to + L);
      }
    }
  }

  @Override
  public void gatherColumns(float[] b, int src, int kc, float[] bp, int dst, int stride, int[] map) {
    for (int p = 0; p < kc; p++, dst += stride) {
      FloatVector.fromArray(S, b, src + p, map, 0).intoArray(bp, dst);
    }
  }

  /** The 12 x (2 vectors) tile on a 12-row A strip (see {@link GemmMicroKernel#tile}). */
  @Override
  public void tile(
      int kc, float[] ap, int aIdx, float[] bp, int bIdx, float[] c, int cIdx, int ldc, int rows, boolean read,
      float beta) {
    FloatVector c0v0 = FloatVector.zero(S);
    FloatVector c0v1 = c0v0, c1v0 = c0v0, c1v1 = c0v0, c2v0 = c0v0, c2v1 = c0v0, c3v0 = c0v0;
    FloatVector c3v1 = c0v0, c4v0 = c0v0, c4v1 = c0v0, c5v0 = c0v0, c5v1 = c0v0, c6v0 = c0v0;
    FloatVector c6v1 = c0v0, c7v0 = c0v0, c7v1 = c0v0, c8v0 = c0v0, c8v1 = c0v0, c9v0 = c0v0;
    FloatVector c9v1 = c0v0, c10v0 = c0v0, c10v1 = c0v0, c11v0 = c0v0, c11v1 = c0v0;
    for (int p = 0; p < kc; p++, aIdx += 12, bIdx += 2 * L) {
      FloatVector b0 = FloatVector.fromArray(S, bp, bIdx);
      FloatVector b1 = FloatVector.fromArray(S, bp, bIdx + L);
      FloatVector x0 = FloatVector.broadcast(S, ap[aIdx]);
      c0v0 = x0.fma(b0, c0v0);
      c0v1 = x0.fma(b1, c0v1);
      FloatVector x1 = FloatVector.broadcast(S, ap[aIdx + 1]);
      c1v0 = x1.fma(b0, c1v0);
      c1v1 = x1.fma(b1, c1v1);
      FloatVector x2 = FloatVector.broadcast(S, ap[aIdx + 2]);
      c2v0 = x2.fma(b0, c2v0);
      c2v1 = x2.fma(b1, c2v1);
      FloatVector x3 = FloatVector.broadcast(S, ap[aIdx + 3]);
      c3v0 = x3.fma(b0, c3v0);
      c3v1 = x3.fma(b1, c3v1);
      FloatVector x4 = FloatVector.broadcast(S, ap[aIdx + 4]);
      c4v0 = x4.fma(b0, c4v0);
      c4v1 = x4.fma(b1, c4v1);
      FloatVector x5 = FloatVector.broadcast(S, ap[aIdx + 5]);
      c5v0 = x5.fma(b0, c5v0);
      c5v1 = x5.fma(b1, c5v1);
      FloatVector x6 = FloatVector.broadcast(S, ap[aIdx + 6]);
      c6v0 = x6.fma(b0, c6v0);
      c6v1 = x6.fma(b1, c6v1);
      FloatVector x7 = FloatVector.broadcast(S, ap[aIdx + 7]);
      c7v0 = x7.fma(b0, c7v0);
      c7v1 = x7.fma(b1, c7v1);
      FloatVector x8 = FloatVector.broadcast(S, ap[aIdx + 8]);
      c8v0 = x8.fma(b0, c8v0);
      c8v1 = x8.fma(b1, c8v1);
      FloatVector x9 = FloatVector.broadcast(S, ap[aIdx + 9]);
      c9v0 = x9.fma(b0, c9v0);
      c9v1 = x9.fma(b1, c9v1);
      FloatVector x10 = FloatVector.broadcast(S, ap[aIdx + 10]);
      c10v0 = x10.fma(b0, c10v0);
      c10v1 = x10.fma(b1, c10v1);
      FloatVector x11 = FloatVector.broadcast(S, ap[aIdx + 11]);
      c11v0 = x11.fma(b0, c11v0);
      c11v1 = x11.fma(b1, c11v1);
    }
    if (read) {
      FloatVector bv = FloatVector.broadcast(S, beta);
      c0v0 = FloatVector.fromArray(S, c, cIdx).fma(bv, c0v0);
      c0v1 = FloatVector.fromArray(S, c, cIdx + L).fma(bv, c0v1);
      if (rows > 1) {
        c1v0 = FloatVector.fromArray(S, c, cIdx + ldc).fma(bv, c1v0);
        c1v1 = FloatVector.fromArray(S, c, cIdx + ldc + L).fma(bv, c1v1);
      }
      if (rows > 2) {
        c2v0 = FloatVector.fromArray(S, c, cIdx + 2 * ldc).fma(bv, c2v0);
        c2v1 = FloatVector.fromArray(S, c, cIdx + 2 * ldc + L).fma(bv, c2v1);
      }
      if (rows > 3) {
        c3v0 = FloatVector.fromArray(S, c, cIdx + 3 * ldc).fma(bv, c3v0);
        c3v1 = FloatVector.fromArray(S, c, cIdx + 3 * ldc + L).fma(bv, c3v1);
      }
      if (rows > 4) {
        c4v0 = FloatVector.fromArray(S, c, cIdx + 4 * ldc).fma(bv, c4v0);
        c4v1 = FloatVector.fromArray(S, c, cIdx + 4 * ldc + L).fma(bv, c4v1);
      }
      if (rows > 5) {
        c5v0 = FloatVector.fromArray(S, c, cIdx + 5 * ldc).fma(bv, c5v0);
        c5v1 = FloatVector.fromArray(S, c, cIdx + 5 * ldc + L).fma(bv, c5v1);
      }
      if (rows > 6) {
        c6v0 = FloatVector.fromArray(S, c, cIdx + 6 * ldc).fma(bv, c6v0);
        c6v1 = FloatVector.fromArray(S, c, cIdx + 6 * ldc + L).fma(bv, c6v1);
      }
      if (rows > 7) {
        c7v0 = FloatVector.fromArray(S, c, cIdx + 7 * ldc).fma(bv, c7v0);
        c7v1 = FloatVector.fromArray(S, c, cIdx + 7 * ldc + L).fma(bv, c7v1);
      }
      if (rows > 8) {
        c8v0 = FloatVector.fromArray(S, c, cIdx + 8 * ldc).fma(bv, c8v0);
        c8v1 = FloatVector.fromArray(S, c, cIdx + 8 * ldc + L).fma(bv, c8v1);
      }
      if (rows > 9) {
        c9v0 = FloatVector.fromArray(S, c, cIdx + 9 * ldc).fma(bv, c9v0);
        c9v1 = FloatVector.fromArray(S, c, cIdx + 9 * ldc + L).fma(bv, c9v1);
      }
      if (rows > 10) {
        c10v0 = FloatVector.fromArray(S, c, cIdx + 10 * ldc).fma(bv, c10v0);
        c10v1 = FloatVector.fromArray(S, c, cIdx + 10 * ldc + L).fma(bv, c10v1);
      }
      if (rows > 11) {
        c11v0 = FloatVector.fromArray(S, c, cIdx + 11 * ldc).fma(bv, c11v0);
        c11v1 = FloatVector.fromArray(S, c, cIdx + 11 * ldc + L).fma(bv, c11v1);
      }
    }
    c0v0.intoArray(c, cIdx);
    c0v1.intoArray(c, cIdx + L);
    if (rows > 1) {
      c1v0.intoArray(c, cIdx + ldc);
      c1v1.intoArray(c, cIdx + ldc + L);
    }
    if (rows > 2) {
      c2v0.intoArray(c, cIdx + 2 * ldc);
      c2v1.intoArray(c, cIdx + 2 * ldc + L);
    }
    if (rows > 3) {
      c3v0.intoArray(c, cIdx + 3 * ldc);
      c3v1.intoArray(c, cIdx + 3 * ldc + L);
    }
    if (rows > 4) {
      c4v0.intoArray(c, cIdx + 4 * ldc);
      c4v1.intoArray(c, cIdx + 4 * ldc + L);
    }
    if (rows > 5) {
      c5v0.intoArray(c, cIdx + 5 * ldc);
      c5v1.intoArray(c, cIdx + 5 * ldc + L);
    }
    if (rows > 6) {
      c6v0.intoArray(c, cIdx + 6 * ldc);
      c6v1.intoArray(c, cIdx + 6 * ldc + L);
    }
    if (rows > 7) {
      c7v0.intoArray(c, cIdx + 7 * ldc);
      c7v1.intoArray(c, cIdx + 7 * ldc + L);
    }
    if (rows > 8) {
      c8v0.intoArray(c, cIdx + 8 * ldc);
      c8v1.intoArray(c, cIdx + 8 * ldc + L);
    }
    if (rows > 9) {
      c9v0.intoArray(c, cIdx + 9 * ldc);
      c9v1.intoArray(c, cIdx + 9 * ldc + L);
    }
    if (rows > 10) {
      c10v0.intoArray(c, cIdx + 10 * ldc);
      c10v1.intoArray(c, cIdx + 10 * ldc + L);
    }
    if (rows > 11) {
      c11v0.intoArray(c, cIdx + 11 * ldc);
      c11v1.intoArray(c, cIdx + 11 * ldc + L);
    }
  }

  /**
   * The {@link #tile} product over the runs of steps a strip kept (see {@link GemmMicroKernel#tileSparse}), into
   * a scratch tile {@code t} of 12 rows of 2 vectors (row r at {@code r * 2 * L}).
   */
  @Override
  public void tileSparse(
      int runs, int[] ks, int ksIdx, boolean compactA, float[] ap, int aIdx, float[] bp, int bIdx, float[] t) {
    FloatVector c0v0 = FloatVector.zero(S);
    FloatVector c0v1 = c0v0, c1v0 = c0v0, c1v1 = c0v0, c2v0 = c0v0, c2v1 = c0v0, c3v0 = c0v0;
    FloatVector c3v1 = c0v0, c4v0 = c0v0, c4v1 = c0v0, c5v0 = c0v0, c5v1 = c0v0, c6v0 = c0v0;
    FloatVector c6v1 = c0v0, c7v0 = c0v0, c7v1 = c0v0, c8v0 = c0v0, c8v1 = c0v0, c9v0 = c0v0;
    FloatVector c9v1 = c0v0, c10v0 = c0v0, c10v1 = c0v0, c11v0 = c0v0, c11v1 = c0v0;
    for (int g = 0, at = ksIdx; g < runs; g++, at += 2) {
      int p = ks[at];
      int ai = compactA ? aIdx : aIdx + p * 12;
      int bi = compactA ? bIdx + p * (2 * L) : bIdx;
      for (int end = ks[at + 1]; p < end; p++, ai += 12, bi += 2 * L) {
        FloatVector b0 = FloatVector.fromArray(S, bp, bi);
        FloatVector b1 = FloatVector.fromArray(S, bp, bi + L);
        FloatVector x0 = FloatVector.broadcast(S, ap[ai]);
        c0v0 = x0.fma(b0, c0v0);
        c0v1 = x0.fma(b1, c0v1);
        FloatVector x1 = FloatVector.broadcast(S, ap[ai + 1]);
        c1v0 = x1.fma(b0, c1v0);
        c1v1 = x1.fma(b1, c1v1);
        FloatVector x2 = FloatVector.broadcast(S, ap[ai + 2]);
        c2v0 = x2.fma(b0, c2v0);
        c2v1 = x2.fma(b1, c2v1);
        FloatVector x3 = FloatVector.broadcast(S, ap[ai + 3]);
        c3v0 = x3.fma(b0, c3v0);
        c3v1 = x3.fma(b1, c3v1);
        FloatVector x4 = FloatVector.broadcast(S, ap[ai + 4]);
        c4v0 = x4.fma(b0, c4v0);
        c4v1 = x4.fma(b1, c4v1);
        FloatVector x5 = FloatVector.broadcast(S, ap[ai + 5]);
        c5v0 = x5.fma(b0, c5v0);
        c5v1 = x5.fma(b1, c5v1);
        FloatVector x6 = FloatVector.broadcast(S, ap[ai + 6]);
        c6v0 = x6.fma(b0, c6v0);
        c6v1 = x6.fma(b1, c6v1);
        FloatVector x7 = FloatVector.broadcast(S, ap[ai + 7]);
        c7v0 = x7.fma(b0, c7v0);
        c7v1 = x7.fma(b1, c7v1);
        FloatVector x8 = FloatVector.broadcast(S, ap[ai + 8]);
        c8v0 = x8.fma(b0, c8v0);
        c8v1 = x8.fma(b1, c8v1);
        FloatVector x9 = FloatVector.broadcast(S, ap[ai + 9]);
        c9v0 = x9.fma(b0, c9v0);
        c9v1 = x9.fma(b1, c9v1);
        FloatVector x10 = FloatVector.broadcast(S, ap[ai + 10]);
        c10v0 = x10.fma(b0, c10v0);
        c10v1 = x10.fma(b1, c10v1);
        FloatVector x11 = FloatVector.broadcast(S, ap[ai + 11]);
        c11v0 = x11.fma(b0, c11v0);
        c11v1 = x11.fma(b1, c11v1);
      }
      if (compactA) {
        aIdx = ai;
      } else {
        bIdx = bi;
      }
    }
    c0v0.intoArray(t, 0);
    c0v1.intoArray(t, L);
    c1v0.intoArray(t, 1 * 2 * L);
    c1v1.intoArray(t, 1 * 2 * L + L);
    c2v0.intoArray(t, 2 * 2 * L);
    c2v1.intoArray(t, 2 * 2 * L + L);
    c3v0.intoArray(t, 3 * 2 * L);
    c3v1.intoArray(t, 3 * 2 * L + L);
    c4v0.intoArray(t, 4 * 2 * L);
    c4v1.intoArray(t, 4 * 2 * L + L);
    c5v0.intoArray(t, 5 * 2 * L);
    c5v1.intoArray(t, 5 * 2 * L + L);
    c6v0.intoArray(t, 6 * 2 * L);
    c6v1.intoArray(t, 6 * 2 * L + L);
    c7v0.intoArray(t, 7 * 2 * L);
    c7v1.intoArray(t, 7 * 2 * L + L);
    c8v0.intoArray(t, 8 * 2 * L);
    c8v1.intoArray(t, 8 * 2 * L + L);
    c9v0.intoArray(t, 9 * 2 * L);
    c9v1.intoArray(t, 9 * 2 * L + L);
    c10v0.intoArray(t, 10 * 2 * L);
    c10v1.intoArray(t, 10 * 2 * L + L);
    c11v0.intoArray(t, 11 * 2 * L);
    c11v1.intoArray(t, 11 * 2 * L + L);
  }

  /**
   * The {@link #tileHalf} product over the runs of steps a strip kept, into a scratch tile {@code t} of 6 rows
   * of 2 vectors (row r at {@code r * 2 * L}).
   */
  @Override
  public void tileHalfSparse(
      int runs, int[] ks, int ksIdx, boolean compactA, float[] ap, int aIdx, float[] bp, int bIdx, float[] t) {
    FloatVector c0v0 = FloatVector.zero(S);
    FloatVector c0v1 = c0v0, c1v0 = c0v0, c1v1 = c0v0, c2v0 = c0v0, c2v1 = c0v0, c3v0 = c0v0;
    FloatVector c3v1 = c0v0, c4v0 = c0v0, c4v1 = c0v0, c5v0 = c0v0, c5v1 = c0v0;
    for (int g = 0, at = ksIdx; g < runs; g++, at += 2) {
      int p = ks[at];
      int ai = compactA ? aIdx : aIdx + p * 6;
      int bi = compactA ? bIdx + p * (2 * L) : bIdx;
      for (int end = ks[at + 1]; p < end; p++, ai += 6, bi += 2 * L) {
        FloatVector b0 = FloatVector.fromArray(S, bp, bi);
        FloatVector b1 = FloatVector.fromArray(S, bp, bi + L);
        FloatVector x0 = FloatVector.broadcast(S, ap[ai]);
        c0v0 = x0.fma(b0, c0v0);
        c0v1 = x0.fma(b1, c0v1);
        FloatVector x1 = FloatVector.broadcast(S, ap[ai + 1]);
        c1v0 = x1.fma(b0, c1v0);
        c1v1 = x1.fma(b1, c1v1);
        FloatVector x2 = FloatVector.broadcast(S, ap[ai + 2]);
        c2v0 = x2.fma(b0, c2v0);
        c2v1 = x2.fma(b1, c2v1);
        FloatVector x3 = FloatVector.broadcast(S, ap[ai + 3]);
        c3v0 = x3.fma(b0, c3v0);
        c3v1 = x3.fma(b1, c3v1);
        FloatVector x4 = FloatVector.broadcast(S, ap[ai + 4]);
        c4v0 = x4.fma(b0, c4v0);
        c4v1 = x4.fma(b1, c4v1);
        FloatVector x5 = FloatVector.broadcast(S, ap[ai + 5]);
        c5v0 = x5.fma(b0, c5v0);
        c5v1 = x5.fma(b1, c5v1);
      }
      if (compactA) {
        aIdx = ai;
      } else {
        bIdx = bi;
      }
    }
    c0v0.intoArray(t, 0);
    c0v1.intoArray(t, L);
    c1v0.intoArray(t, 1 * 2 * L);
    c1v1.intoArray(t, 1 * 2 * L + L);
    c2v0.intoArray(t, 2 * 2 * L);
    c2v1.intoArray(t, 2 * 2 * L + L);
    c3v0.intoArray(t, 3 * 2 * L);
    c3v1.intoArray(t, 3 * 2 * L + L);
    c4v0.intoArray(t, 4 * 2 * L);
    c4v1.intoArray(t, 4 * 2 * L + L);
    c5v0.intoArray(t, 5 * 2 * L);
    c5v1.intoArray(t, 5 * 2 * L + L);
  }

  @Override
  public void storeTile(float[] t, float[] c, int cIdx, int ldc, int rows, boolean read, float beta) {
    FloatVector bv = FloatVector.broadcast(S, beta);
    for (int r = 0, ti = 0; r < rows; r++, ti += 2 * L, cIdx += ldc) {
      FloatVector a0 = FloatVector.fromArray(S, t, ti);
      FloatVector a1 = FloatVector.fromArray(S, t, ti + L);
      if (read) {
        a0 = FloatVector.fromArray(S, c, cIdx).fma(bv, a0);
        a1 = FloatVector.fromArray(S, c, cIdx + L).fma(bv, a1);
      }
      a0.intoArray(c, cIdx);
      a1.intoArray(c, cIdx + L);
    }
  }

  /** The 6 x (2 vectors) tile on a 6-row A strip. */
  @Override
  public void tileHalf(
      int kc, float[] ap, int aIdx, float[] bp, int bIdx, float[] c, int cIdx, int ldc, int rows, boolean read,
      float beta) {
    FloatVector c0v0 = FloatVector.zero(S);
    FloatVector c0v1 = c0v0, c1v0 = c0v0, c1v1 = c0v0, c2v0 = c0v0, c2v1 = c0v0, c3v0 = c0v0;
    FloatVector c3v1 = c0v0, c4v0 = c0v0, c4v1 = c0v0, c5v0 = c0v0, c5v1 = c0v0;
    for (int p = 0; p < kc; p++, aIdx += 6, bIdx += 2 * L) {
      FloatVector b0 = FloatVector.fromArray(S, bp, bIdx);
      FloatVector b1 = FloatVector.fromArray(S, bp, bIdx + L);
      FloatVector x0 = FloatVector.broadcast(S, ap[aIdx]);
      c0v0 = x0.fma(b0, c0v0);
      c0v1 = x0.fma(b1, c0v1);
      FloatVector x1 = FloatVector.broadcast(S, ap[aIdx + 1]);
      c1v0 = x1.fma(b0, c1v0);
      c1v1 = x1.fma(b1, c1v1);
      FloatVector x2 = FloatVector.broadcast(S, ap[aIdx + 2]);
      c2v0 = x2.fma(b0, c2v0);
      c2v1 = x2.fma(b1, c2v1);
      FloatVector x3 = FloatVector.broadcast(S, ap[aIdx + 3]);
      c3v0 = x3.fma(b0, c3v0);
      c3v1 = x3.fma(b1, c3v1);
      FloatVector x4 = FloatVector.broadcast(S, ap[aIdx + 4]);
      c4v0 = x4.fma(b0, c4v0);
      c4v1 = x4.fma(b1, c4v1);
      FloatVector x5 = FloatVector.broadcast(S, ap[aIdx + 5]);
      c5v0 = x5.fma(b0, c5v0);
      c5v1 = x5.fma(b1, c5v1);
    }
    if (read) {
      FloatVector bv = FloatVector.broadcast(S, beta);
      c0v0 = FloatVector.fromArray(S, c, cIdx).fma(bv, c0v0);
      c0v1 = FloatVector.fromArray(S, c, cIdx + L).fma(bv, c0v1);
      if (rows > 1) {
        c1v0 = FloatVector.fromArray(S, c, cIdx + ldc).fma(bv, c1v0);
        c1v1 = FloatVector.fromArray(S, c, cIdx + ldc + L).fma(bv, c1v1);
      }
      if (rows > 2) {
        c2v0 = FloatVector.fromArray(S, c, cIdx + 2 * ldc).fma(bv, c2v0);
        c2v1 = FloatVector.fromArray(S, c, cIdx + 2 * ldc + L).fma(bv, c2v1);
      }
      if (rows > 3) {
        c3v0 = FloatVector.fromArray(S, c, cIdx + 3 * ldc).fma(bv, c3v0);
        c3v1 = FloatVector.fromArray(S, c, cIdx + 3 * ldc + L).fma(bv, c3v1);
      }
      if (rows > 4) {
        c4v0 = FloatVector.fromArray(S, c, cIdx + 4 * ldc).fma(bv, c4v0);
        c4v1 = FloatVector.fromArray(S, c, cIdx + 4 * ldc + L).fma(bv, c4v1);
      }
      if (rows > 5) {
        c5v0 = FloatVector.fromArray(S, c, cIdx + 5 * ldc).fma(bv, c5v0);
        c5v1 = FloatVector.fromArray(S, c, cIdx + 5 * ldc + L).fma(bv, c5v1);
      }
    }
    c0v0.intoArray(c, cIdx);
    c0v1.intoArray(c, cIdx + L);
    if (rows > 1) {
      c1v0.intoArray(c, cIdx + ldc);
      c1v1.intoArray(c, cIdx + ldc + L);
    }
    if (rows > 2) {
      c2v0.intoArray(c, cIdx + 2 * ldc);
      c2v1.intoArray(c, cIdx + 2 * ldc + L);
    }
    if (rows > 3) {
      c3v0.intoArray(c, cIdx + 3 * ldc);
      c3v1.intoArray(c, cIdx + 3 * ldc + L);
    }
    if (rows > 4) {
      c4v0.intoArray(c, cIdx + 4 * ldc);
      c4v1.intoArray(c, cIdx + 4 * ldc + L);
    }
    if (rows > 5) {
      c5v0.intoArray(c, cIdx + 5 * ldc);
      c5v1.intoArray(c, cIdx + 5 * ldc + L);
    }
  }

  /**
   * The 6 x (2 vectors) tile with A read in place (row-major, rows {@code aIdx + r * lda}; rows past {@code
   * rows} re-read the last row and are not stored) over the runs of steps {@code [ks[ksIdx + 2g], ks[ksIdx + 2g
   * + 1])} of a packed B strip that holds only those steps, one after the other; stores as {@link #tileHalf}.
   * Six rows, not twelve: twelve row offsets and the loop's indices do not fit the general registers.
   */
  @Override
  public void tileDirect(
      int runs, int[] ks, int ksIdx, float[] a, int aIdx, int lda, float[] bp, int bIdx, float[] c, int cIdx,
      int ldc, int rows, boolean read, float beta) {
    int a0 = aIdx;
    int a1 = aIdx + Math.min(1, rows - 1) * lda;
    int a2 = aIdx + Math.min(2, rows - 1) * lda;
    int a3 = aIdx + Math.min(3, rows - 1) * lda;
    int a4 = aIdx + Math.min(4, rows - 1) * lda;
    int a5 = aIdx + Math.min(5, rows - 1) * lda;
    FloatVector c0v0 = FloatVector.zero(S);
    FloatVector c0v1 = c0v0, c1v0 = c0v0, c1v1 = c0v0, c2v0 = c0v0, c2v1 = c0v0, c3v0 = c0v0;
    FloatVector c3v1 = c0v0, c4v0 = c0v0, c4v1 = c0v0, c5v0 = c0v0, c5v1 = c0v0;
    for (int g = 0, at = ksIdx; g < runs; g++, at += 2) {
      for (int p = ks[at], end = ks[at + 1]; p < end; p++, bIdx += 2 * L) {
        FloatVector b0 = FloatVector.fromArray(S, bp, bIdx);
        FloatVector b1 = FloatVector.fromArray(S, bp, bIdx + L);
        FloatVector x0 = FloatVector.broadcast(S, a[a0 + p]);
        c0v0 = x0.fma(b0, c0v0);
        c0v1 = x0.fma(b1, c0v1);
        FloatVector x1 = FloatVector.broadcast(S, a[a1 + p]);
        c1v0 = x1.fma(b0, c1v0);
        c1v1 = x1.fma(b1, c1v1);
        FloatVector x2 = FloatVector.broadcast(S, a[a2 + p]);
        c2v0 = x2.fma(b0, c2v0);
        c2v1 = x2.fma(b1, c2v1);
        FloatVector x3 = FloatVector.broadcast(S, a[a3 + p]);
        c3v0 = x3.fma(b0, c3v0);
        c3v1 = x3.fma(b1, c3v1);
        FloatVector x4 = FloatVector.broadcast(S, a[a4 + p]);
        c4v0 = x4.fma(b0, c4v0);
        c4v1 = x4.fma(b1, c4v1);
        FloatVector x5 = FloatVector.broadcast(S, a[a5 + p]);
        c5v0 = x5.fma(b0, c5v0);
        c5v1 = x5.fma(b1, c5v1);
      }
    }
    if (read) {
      FloatVector bv = FloatVector.broadcast(S, beta);
      c0v0 = FloatVector.fromArray(S, c, cIdx).fma(bv, c0v0);
      c0v1 = FloatVector.fromArray(S, c, cIdx + L).fma(bv, c0v1);
      if (rows > 1) {
        c1v0 = FloatVector.fromArray(S, c, cIdx + ldc).fma(bv, c1v0);
        c1v1 = FloatVector.fromArray(S, c, cIdx + ldc + L).fma(bv, c1v1);
      }
      if (rows > 2) {
        c2v0 = FloatVector.fromArray(S, c, cIdx + 2 * ldc).fma(bv, c2v0);
        c2v1 = FloatVector.fromArray(S, c, cIdx + 2 * ldc + L).fma(bv, c2v1);
      }
      if (rows > 3) {
        c3v0 = FloatVector.fromArray(S, c, cIdx + 3 * ldc).fma(bv, c3v0);
        c3v1 = FloatVector.fromArray(S, c, cIdx + 3 * ldc + L).fma(bv, c3v1);
      }
      if (rows > 4) {
        c4v0 = FloatVector.fromArray(S, c, cIdx + 4 * ldc).fma(bv, c4v0);
        c4v1 = FloatVector.fromArray(S, c, cIdx + 4 * ldc + L).fma(bv, c4v1);
      }
      if (rows > 5) {
        c5v0 = FloatVector.fromArray(S, c, cIdx + 5 * ldc).fma(bv, c5v0);
        c5v1 = FloatVector.fromArray(S, c, cIdx + 5 * ldc + L).fma(bv, c5v1);
      }
    }
    c0v0.intoArray(c, cIdx);
    c0v1.intoArray(c, cIdx + L);
    if (rows > 1) {
      c1v0.intoArray(c, cIdx + ldc);
      c1v1.intoArray(c, cIdx + ldc + L);
    }
    if (rows > 2) {
      c2v0.intoArray(c, cIdx + 2 * ldc);
      c2v1.intoArray(c, cIdx + 2 * ldc + L);
    }
    if (rows > 3) {
      c3v0.intoArray(c, cIdx + 3 * ldc);
      c3v1.intoArray(c, cIdx + 3 * ldc + L);
    }
    if (rows > 4) {
      c4v0.intoArray(c, cIdx + 4 * ldc);
      c4v1.intoArray(c, cIdx + 4 * ldc + L);
    }
    if (rows > 5) {
      c5v0.intoArray(c, cIdx + 5 * ldc);
      c5v1.intoArray(c, cIdx + 5 * ldc + L);
    }
  }


  /** The 12 x (1 vector) tile on a 12-row A strip. */
  @Override
  public void column(
      int kc, float[] ap, int aIdx, float[] bp, int bIdx, float[] c, int cIdx, int ldc, int rows, boolean read,
      float beta) {
    FloatVector c0 = FloatVector.zero(S);
    FloatVector c1 = c0, c2 = c0, c3 = c0, c4 = c0, c5 = c0, c6 = c0;
    FloatVector c7 = c0, c8 = c0, c9 = c0, c10 = c0, c11 = c0;
    for (int p = 0; p < kc; p++, aIdx += 12, bIdx += L) {
      FloatVector b0 = FloatVector.fromArray(S, bp, bIdx);
      c0 = FloatVector.broadcast(S, ap[aIdx]).fma(b0, c0);
      c1 = FloatVector.broadcast(S, ap[aIdx + 1]).fma(b0, c1);
      c2 = FloatVector.broadcast(S, ap[aIdx + 2]).fma(b0, c2);
      c3 = FloatVector.broadcast(S, ap[aIdx + 3]).fma(b0, c3);
      c4 = FloatVector.broadcast(S, ap[aIdx + 4]).fma(b0, c4);
      c5 = FloatVector.broadcast(S, ap[aIdx + 5]).fma(b0, c5);
      c6 = FloatVector.broadcast(S, ap[aIdx + 6]).fma(b0, c6);
      c7 = FloatVector.broadcast(S, ap[aIdx + 7]).fma(b0, c7);
      c8 = FloatVector.broadcast(S, ap[aIdx + 8]).fma(b0, c8);
      c9 = FloatVector.broadcast(S, ap[aIdx + 9]).fma(b0, c9);
      c10 = FloatVector.broadcast(S, ap[aIdx + 10]).fma(b0, c10);
      c11 = FloatVector.broadcast(S, ap[aIdx + 11]).fma(b0, c11);
    }
    if (read) {
      FloatVector bv = FloatVector.broadcast(S, beta);
      c0 = FloatVector.fromArray(S, c, cIdx).fma(bv, c0);
      if (rows > 1) {
        c1 = FloatVector.fromArray(S, c, cIdx + ldc).fma(bv, c1);
      }
      if (rows > 2) {
        c2 = FloatVector.fromArray(S, c, cIdx + 2 * ldc).fma(bv, c2);
      }
      if (rows > 3) {
        c3 = FloatVector.fromArray(S, c, cIdx + 3 * ldc).fma(bv, c3);
      }
      if (rows > 4) {
        c4 = FloatVector.fromArray(S, c, cIdx + 4 * ldc).fma(bv, c4);
      }
      if (rows > 5) {
        c5 = FloatVector.fromArray(S, c, cIdx + 5 * ldc).fma(bv, c5);
      }
      if (rows > 6) {
        c6 = FloatVector.fromArray(S, c, cIdx + 6 * ldc).fma(bv, c6);
      }
      if (rows > 7) {
        c7 = FloatVector.fromArray(S, c, cIdx + 7 * ldc).fma(bv, c7);
      }
      if (rows > 8) {
        c8 = FloatVector.fromArray(S, c, cIdx + 8 * ldc).fma(bv, c8);
      }
      if (rows > 9) {
        c9 = FloatVector.fromArray(S, c, cIdx + 9 * ldc).fma(bv, c9);
      }
      if (rows > 10) {
        c10 = FloatVector.fromArray(S, c, cIdx + 10 * ldc).fma(bv, c10);
      }
      if (rows > 11) {
        c11 = FloatVector.fromArray(S, c, cIdx + 11 * ldc).fma(bv, c11);
      }
    }
    c0.intoArray(c, cIdx);
    if (rows > 1) {
      c1.intoArray(c, cIdx + ldc);
    }
    if (rows > 2) {
      c2.intoArray(c, cIdx + 2 * ldc);
    }
    if (rows > 3) {
      c3.intoArray(c, cIdx + 3 * ldc);
    }
    if (rows > 4) {
      c4.intoArray(c, cIdx + 4 * ldc);
    }
    if (rows > 5) {
      c5.intoArray(c, cIdx + 5 * ldc);
    }
    if (rows > 6) {
      c6.intoArray(c, cIdx + 6 * ldc);
    }
    if (rows > 7) {
      c7.intoArray(c, cIdx + 7 * ldc);
    }
    if (rows > 8) {
      c8.intoArray(c, cIdx + 8 * ldc);
    }
    if (rows > 9) {
      c9.intoArray(c, cIdx + 9 * ldc);
    }
    if (rows > 10) {
      c10.intoArray(c, cIdx + 10 * ldc);
    }
    if (rows > 11) {
      c11.intoArray(c, cIdx + 11 * ldc);
    }
  }

  /** The 6 x (1 vector) tile on a 6-row A strip. */
  @Override
  public void columnHalf(
      int kc, float[] ap, int aIdx, float[] bp, int bIdx, float[] c, int cIdx, int ldc, int rows, boolean read,
      float beta) {
    FloatVector c0 = FloatVector.zero(S);
    FloatVector c1 = c0, c2 = c0, c3 = c0, c4 = c0, c5 = c0;
    for (int p = 0; p < kc; p++, aIdx += 6, bIdx += L) {
      FloatVector b0 = FloatVector.fromArray(S, bp, bIdx);
      c0 = FloatVector.broadcast(S, ap[aIdx]).fma(b0, c0);
      c1 = FloatVector.broadcast(S, ap[aIdx + 1]).fma(b0, c1);
      c2 = FloatVector.broadcast(S, ap[aIdx + 2]).fma(b0, c2);
      c3 = FloatVector.broadcast(S, ap[aIdx + 3]).fma(b0, c3);
      c4 = FloatVector.broadcast(S, ap[aIdx + 4]).fma(b0, c4);
      c5 = FloatVector.broadcast(S, ap[aIdx + 5]).fma(b0, c5);
    }
    if (read) {
      FloatVector bv = FloatVector.broadcast(S, beta);
      c0 = FloatVector.fromArray(S, c, cIdx).fma(bv, c0);
      if (rows > 1) {
        c1 = FloatVector.fromArray(S, c, cIdx + ldc).fma(bv, c1);
      }
      if (rows > 2) {
        c2 = FloatVector.fromArray(S, c, cIdx + 2 * ldc).fma(bv, c2);
      }
      if (rows > 3) {
        c3 = FloatVector.fromArray(S, c, cIdx + 3 * ldc).fma(bv, c3);
      }
      if (rows > 4) {
        c4 = FloatVector.fromArray(S, c, cIdx + 4 * ldc).fma(bv, c4);
      }
      if (rows > 5) {
        c5 = FloatVector.fromArray(S, c, cIdx + 5 * ldc).fma(bv, c5);
      }
    }
    c0.intoArray(c, cIdx);
    if (rows > 1) {
      c1.intoArray(c, cIdx + ldc);
    }
    if (rows > 2) {
      c2.intoArray(c, cIdx + 2 * ldc);
    }
    if (rows > 3) {
      c3.intoArray(c, cIdx + 3 * ldc);
    }
    if (rows > 4) {
      c4.intoArray(c, cIdx + 4 * ldc);
    }
    if (rows > 5) {
      c5.intoArray(c, cIdx + 5 * ldc);
    }
  }

  @Override
  public void columnDirect(
      int kc,
      float[] a,
      int aIdx,
      int lda,
      float[] bp,
      int bIdx,
      float[] c,
      int cIdx,
      int ldc,
      int rows,
      boolean read,
      float beta) {
    // Rows past the edge re-read the last row (in bounds); their sums are not stored.
    int a0 = aIdx;
    int a1 = aIdx + Math.min(1, rows - 1) * lda;
    int a2 = aIdx + Math.min(2, rows - 1) * lda;
    int a3 = aIdx + Math.min(3, rows - 1) * lda;
    int a4 = aIdx + Math.min(4, rows - 1) * lda;
    int a5 = aIdx + Math.min(5, rows - 1) * lda;
    int a6 = aIdx + Math.min(6, rows - 1) * lda;
    int a7 = aIdx + Math.min(7, rows - 1) * lda;
    int a8 = aIdx + Math.min(8, rows - 1) * lda;
    int a9 = aIdx + Math.min(9, rows - 1) * lda;
    int a10 = aIdx + Math.min(10, rows - 1) * lda;
    int a11 = aIdx + Math.min(11, rows - 1) * lda;
    FloatVector c0 = FloatVector.zero(S);
    FloatVector c1 = c0, c2 = c0, c3 = c0, c4 = c0, c5 = c0;
    FloatVector c6 = c0, c7 = c0, c8 = c0, c9 = c0, c10 = c0, c11 = c0;
    // Indices linear in p with unit stride: the JIT hoists the bounds checks.
    for (int p = 0; p < kc; p++, bIdx += L) {
      FloatVector b0 = FloatVector.fromArray(S, bp, bIdx);
      c0 = FloatVector.broadcast(S, a[a0 + p]).fma(b0, c0);
      c1 = FloatVector.broadcast(S, a[a1 + p]).fma(b0, c1);
      c2 = FloatVector.broadcast(S, a[a2 + p]).fma(b0, c2);
      c3 = FloatVector.broadcast(S, a[a3 + p]).fma(b0, c3);
      c4 = FloatVector.broadcast(S, a[a4 + p]).fma(b0, c4);
      c5 = FloatVector.broadcast(S, a[a5 + p]).fma(b0, c5);
      c6 = FloatVector.broadcast(S, a[a6 + p]).fma(b0, c6);
      c7 = FloatVector.broadcast(S, a[a7 + p]).fma(b0, c7);
      c8 = FloatVector.broadcast(S, a[a8 + p]).fma(b0, c8);
      c9 = FloatVector.broadcast(S, a[a9 + p]).fma(b0, c9);
      c10 = FloatVector.broadcast(S, a[a10 + p]).fma(b0, c10);
      c11 = FloatVector.broadcast(S, a[a11 + p]).fma(b0, c11);
    }
    if (read) {
      FloatVector bv = FloatVector.broadcast(S, beta);
      c0 = FloatVector.fromArray(S, c, cIdx).fma(bv, c0);
      if (rows > 1) {
        c1 = FloatVector.fromArray(S, c, cIdx + ldc).fma(bv, c1);
      }
      if (rows > 2) {
        c2 = FloatVector.fromArray(S, c, cIdx + 2 * ldc).fma(bv, c2);
      }
      if (rows > 3) {
        c3 = FloatVector.fromArray(S, c, cIdx + 3 * ldc).fma(bv, c3);
      }
      if (rows > 4) {
        c4 = FloatVector.fromArray(S, c, cIdx + 4 * ldc).fma(bv, c4);
      }
      if (rows > 5) {
        c5 = FloatVector.fromArray(S, c, cIdx + 5 * ldc).fma(bv, c5);
      }
      if (rows > 6) {
        c6 = FloatVector.fromArray(S, c, cIdx + 6 * ldc).fma(bv, c6);
      }
      if (rows > 7) {
        c7 = FloatVector.fromArray(S, c, cIdx + 7 * ldc).fma(bv, c7);
      }
      if (rows > 8) {
        c8 = FloatVector.fromArray(S, c, cIdx + 8 * ldc).fma(bv, c8);
      }
      if (rows > 9) {
        c9 = FloatVector.fromArray(S, c, cIdx + 9 * ldc).fma(bv, c9);
      }
      if (rows > 10) {
        c10 = FloatVector.fromArray(S, c, cIdx + 10 * ldc).fma(bv, c10);
      }
      if (rows > 11) {
        c11 = FloatVector.fromArray(S, c, cIdx + 11 * ldc).fma(bv, c11);
      }
    }
    c0.intoArray(c, cIdx);
    if (rows > 1) {
      c1.intoArray(c, cIdx + ldc);
    }
    if (rows > 2) {
      c2.intoArray(c, cIdx + 2 * ldc);
    }
    if (rows > 3) {
      c3.intoArray(c, cIdx + 3 * ldc);
    }
    if (rows > 4) {
      c4.intoArray(c, cIdx + 4 * ldc);
    }
    if (rows > 5) {
      c5.intoArray(c, cIdx + 5 * ldc);
    }
    if (rows > 6) {
      c6.intoArray(c, cIdx + 6 * ldc);
    }
    if (rows > 7) {
      c7.intoArray(c, cIdx + 7 * ldc);
    }
    if (rows > 8) {
      c8.intoArray(c, cIdx + 8 * ldc);
    }
    if (rows > 9) {
      c9.intoArray(c, cIdx + 9 * ldc);
    }
    if (rows > 10) {
      c10.intoArray(c, cIdx + 10 * ldc);
    }
    if (rows > 11) {
      c11.intoArray(c, cIdx + 11 * ldc);
    }
  }
}

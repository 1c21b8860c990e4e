package org.fwdlearn.core.kernel;

import org.fwdlearn.core.ThreadPool;

/**
 * The scalar reference GEMM: the oracle of the properties and the fallback without the Vector API.
 *
 * <p>Each row of C is computed as {@code beta * C} (skipped when beta is 0) followed by the products
 * {@code (alpha * a_ip) * b_pj} added in increasing p. Rows are split over the pool; no element's
 * arithmetic depends on the split.
 */
public final class ScalarGemm implements GemmKernel {
  @Override
  public void gemm(
      boolean transA,
      boolean transB,
      int m,
      int n,
      int k,
      float alpha,
      float[] a,
      int aOff,
      int lda,
      float[] b,
      int bOff,
      int ldb,
      float beta,
      float[] c,
      int cOff,
      int ldc,
      ThreadPool pool) {
    if (m == 0 || n == 0) {
      return;
    }
    int rowsPerTask = Math.max(1, (int) Math.min(m, (1L << 16) / Math.max(1L, (long) n * Math.max(k, 1))));
    int tasks = (m + rowsPerTask - 1) / rowsPerTask;
    pool.forEach(
        tasks,
        t -> {
          int i0 = t * rowsPerTask;
          int i1 = Math.min(m, i0 + rowsPerTask);
          for (int i = i0; i < i1; i++) {
            row(transA, transB, i, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff + i * ldc);
          }
        });
  }

  private static void row(
      boolean transA,
      boolean transB,
      int i,
      int n,
      int k,
      float alpha,
      float[] a,
      int aOff,
      int lda,
      float[] b,
      int bOff,
      int ldb,
      float beta,
      float[] c,
      int cRow) {
    if (beta == 0f) {
      for (int j = 0; j < n; j++) {
        c[cRow + j] = 0f;
      }
    } else if (beta != 1f) {
      for (int j = 0; j < n; j++) {
        c[cRow + j] *= beta;
      }
    }
    if (alpha == 0f || k == 0) {
      return;
    }
    if (!transB) {
      for (int p = 0; p < k; p++) {
        float aip = alpha * (transA ? a[aOff + p * lda + i] : a[aOff + i * lda + p]);
        int bRow = bOff + p * ldb;
        for (int j = 0; j < n; j++) {
          c[cRow + j] += aip * b[bRow + j];
        }
      }
    } else {
      for (int j = 0; j < n; j++) {
        int bRow = bOff + j * ldb;
        float acc = 0f;
        for (int p = 0; p < k; p++) {
          float aip = transA ? a[aOff + p * lda + i] : a[aOff + i * lda + p];
          acc += aip * b[bRow + p];
        }
        c[cRow + j] += alpha * acc;
      }
    }
  }
}

package org.fwdlearn.core.kernel;

import org.fwdlearn.core.ThreadPool;

/**
 * General matrix multiply on row-major float32 arrays: {@code C <- alpha * op(A) * op(B) + beta * C}, with
 * op(A) of shape m x k and op(B) of shape k x n.
 *
 * <p>Storage: element (i, j) of a row-major array with leading dimension {@code ld} lives at
 * {@code off + i * ld + j}. If {@code transA}, A is stored k x m (op(A) = A^T), else m x k; likewise B is
 * stored n x k when {@code transB}, else k x n. When {@code beta == 0}, C is not read (NaN in C does not
 * propagate), as in BLAS. When {@code k == 0} or {@code alpha == 0}, C becomes {@code beta * C}.
 *
 * <p>Implementations trust their arguments: {@link org.fwdlearn.core.Ops} validates shapes and aliasing.
 * For every output element the order of the floating-point operations is independent of the thread count.
 */
public interface GemmKernel {
  void gemm(
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
      ThreadPool pool);

  /**
   * Whether {@link #gemmSgd} can run an m x n x k product fused with the SGD step. Default: never.
   */
  default boolean fusesSgd(boolean transA, boolean transB, int m, int n, int k) {
    return false;
  }

  /**
   * {@code G = alpha * op(A) * op(B)} (m x n) followed by the SGD step of {@link ElementwiseKernel#sgdStep} on W
   * and V (m x n), without storing G: each block of G goes from the product's registers into the step. G, W
   * and V are bit for bit those of the product followed by the step. Only when {@link #fusesSgd} says so.
   *
   * @return true if every updated W is finite
   */
  default boolean gemmSgd(
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
      float[] w,
      int wOff,
      int ldw,
      float[] v,
      int vOff,
      int ldv,
      float lr,
      float momentum,
      float weightDecay,
      ThreadPool pool) {
    throw new UnsupportedOperationException(this + " does not fuse the SGD step");
  }
}

package org.fwdlearn.core.kernel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;
import org.fwdlearn.core.ThreadPool;

/** Vector API GEMM (work in progress: placeholder delegating to the reference). */
final class VectorGemm implements GemmKernel {
  private final VectorSpecies<Float> species;
  private final ScalarGemm fallback = new ScalarGemm();

  VectorGemm(VectorSpecies<Float> species) {
    this.species = species;
  }

  @Override
  public void gemm(boolean transA, boolean transB, int m, int n, int k, float alpha, float[] a, int aOff, int lda,
      float[] b, int bOff, int ldb, float beta, float[] c, int cOff, int ldc, ThreadPool pool) {
    FloatVector.zero(species);
    fallback.gemm(transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc, pool);
  }
}

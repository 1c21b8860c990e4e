package org.fwdlearn.core.kernel;

import jdk.incubator.vector.VectorSpecies;

/** Vector API elementwise kernels (work in progress: placeholder inheriting the reference). */
final class VectorElementwise implements ElementwiseKernel {
  private final VectorSpecies<Float> species;
  private final ScalarElementwise s = new ScalarElementwise();

  VectorElementwise(VectorSpecies<Float> species) {
    this.species = species;
  }
  public void relu(float[] x, int xOff, float[] y, int yOff, int len) { s.relu(x, xOff, y, yOff, len); }
  public void reluMask(float[] x, int xOff, float[] m, int mOff, int len) { s.reluMask(x, xOff, m, mOff, len); }
  public void reluBackward(float[] a, int aOff, float[] d, int dOff, int len) { s.reluBackward(a, aOff, d, dOff, len); }
  public void softmaxRows(float[] x, int xOff, float[] y, int yOff, int rows, int cols) { s.softmaxRows(x, xOff, y, yOff, rows, cols); }
  public void argmaxRows(float[] x, int xOff, int rows, int cols, int[] out, int outOff) { s.argmaxRows(x, xOff, rows, cols, out, outOff); }
  public double meanCrossEntropy(float[] l, int off, int rows, int cols, int[] lab, int lo) { return s.meanCrossEntropy(l, off, rows, cols, lab, lo); }
  public void scale(float alpha, float[] x, int xOff, int len) { s.scale(alpha, x, xOff, len); }
  public void divide(float[] x, int xOff, int len, float d) { s.divide(x, xOff, len, d); }
  public void axpy(float alpha, float[] x, int xOff, float[] y, int yOff, int len) { s.axpy(alpha, x, xOff, y, yOff, len); }
  public void hadamard(float[] x, int xOff, float[] y, int yOff, float[] z, int zOff, int len) { s.hadamard(x, xOff, y, yOff, z, zOff, len); }
  public void sub(float[] x, int xOff, float[] y, int yOff, float[] z, int zOff, int len) { s.sub(x, xOff, y, yOff, z, zOff, len); }
  public double sumSquares(float[] x, int xOff, int len) { return s.sumSquares(x, xOff, len); }
  public void rowNorms(float[] x, int xOff, int rows, int cols, float[] out, int outOff) { s.rowNorms(x, xOff, rows, cols, out, outOff); }
  public void columnSums(float[] x, int xOff, int rows, int cols, float[] out, int outOff) { s.columnSums(x, xOff, rows, cols, out, outOff); }
  public void sgdStep(float[] w, int wOff, float[] g, int gOff, float[] v, int vOff, int len, float lr, float mu, float wd) { s.sgdStep(w, wOff, g, gOff, v, vOff, len, lr, mu, wd); }
  public boolean allFinite(float[] x, int xOff, int len) { return s.allFinite(x, xOff, len); }
}

package org.fwdlearn.core.kernel;

import java.io.InputStream;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.concurrent.ConcurrentHashMap;
import jdk.incubator.vector.VectorSpecies;

/**
 * Vector API implementation of the elementwise and row kernels, at the width of the species it is built
 * with (128, 256 or 512 bits). Full vectors run to {@code species.loopBound(len)}; the tail runs the scalar
 * reference's loop body, except in the row kernels (maximum, softmax, argmax), whose rows are often narrower
 * than a vector and which finish under a mask. The code lives in {@link VectorElementwiseTemplate}, defined
 * once per width as a hidden class in which the species is a constant; this class forwards to it.
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
 *       lane reduction, now in index order and in double, so the bound is conservative), plus {@code len 2^-53} for the double part; independent of the
 *       length. The float blocks overflow if a block's sum of squares exceeds {@link Float#MAX_VALUE}, i.e.
 *       only for elements beyond about {@code 2^58}.
 *   <li><b>softmaxRows</b>: the row maximum and the final scaling are as in the reference; {@code exp} is
 *       the kernel's own Cody-Waite/Cephes polynomial built from IEEE operations only (not {@code
 *       VectorOperators.EXP}, whose last bits differ between interpreted and compiled code, which broke
 *       bit-for-bit reproducible training), within 2 float ulps (1.016 measured over every float of its
 *       range), and the row sum is taken in another order. Each of the two implementations computes {@code y_j = e_j / S (1 + a)(1 + b)(1 + r_j)
 *       / (1 + s)} with {@code |a|, |b| <= u} (the reciprocal and the product), {@code |r_j| <= r} (exp, r = 4u
 *       here, u + 2^-52 in the reference) and {@code |s| <= r + gamma(cols - 1)(1 + r)} (a sum of positive
 *       terms in any order); hence {@code |y_j / y_exact - 1| <= (1 + u)^2 (1 + r) / (1 - |s|) - 1}, and the
 *       two differ by at most the sum of the two bounds, relative to the exact value. Results below the
 *       smallest normal float carry an additional absolute error of at most {@code 2^-126}.
 * </ul>
 */
final class VectorElementwise implements ElementwiseKernel {
  /**
   * The number of float fma steps one accumulator lane takes before its sum is folded into the double total
   * in {@code sumSquares}: bounds the relative error independently of the length (see the class comment).
   */
  static final int SUM_BLOCK = 32;

  private static final ConcurrentHashMap<Integer, ElementwiseKernel> TEMPLATES = new ConcurrentHashMap<>();

  private final ElementwiseKernel k;
  private final int bits;

  VectorElementwise(VectorSpecies<Float> species) {
    this.bits = species.vectorBitSize();
    this.k = TEMPLATES.computeIfAbsent(bits, b -> load(species));
  }

  /**
   * Defines a hidden copy of {@link VectorElementwiseTemplate} whose species constant is {@code species}: the
   * JIT needs the species as a constant to emit SIMD code, and one source serves every width.
   */
  private static ElementwiseKernel load(VectorSpecies<Float> species) {
    String resource = VectorElementwiseTemplate.class.getSimpleName() + ".class";
    try (InputStream in = VectorElementwiseTemplate.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("class file " + resource + " not found");
      }
      MethodHandles.Lookup hidden =
          MethodHandles.lookup().defineHiddenClassWithClassData(in.readAllBytes(), species, true);
      return (ElementwiseKernel)
          hidden.findConstructor(hidden.lookupClass(), MethodType.methodType(void.class)).invoke();
    } catch (RuntimeException | Error e) {
      throw e;
    } catch (Throwable e) {
      throw new IllegalStateException("cannot define the elementwise kernels for " + species, e);
    }
  }

  @Override
  public String toString() {
    return "VectorElementwise(" + bits + "-bit)";
  }

  @Override
  public void relu(float[] x, int xOff, float[] y, int yOff, int len) {
    k.relu(x, xOff, y, yOff, len);
  }

  @Override
  public void reluMask(float[] x, int xOff, float[] m, int mOff, int len) {
    k.reluMask(x, xOff, m, mOff, len);
  }

  @Override
  public void reluBackward(float[] a, int aOff, float[] d, int dOff, int len) {
    k.reluBackward(a, aOff, d, dOff, len);
  }

  @Override
  public void softmaxRows(float[] x, int xOff, float[] y, int yOff, int rows, int cols) {
    k.softmaxRows(x, xOff, y, yOff, rows, cols);
  }

  @Override
  public void argmaxRows(float[] x, int xOff, int rows, int cols, int[] out, int outOff) {
    k.argmaxRows(x, xOff, rows, cols, out, outOff);
  }

  @Override
  public double meanCrossEntropy(float[] logits, int off, int rows, int cols, int[] labels, int labelsOff) {
    return k.meanCrossEntropy(logits, off, rows, cols, labels, labelsOff);
  }

  @Override
  public void scale(float alpha, float[] x, int xOff, int len) {
    k.scale(alpha, x, xOff, len);
  }

  @Override
  public void divide(float[] x, int xOff, int len, float d) {
    k.divide(x, xOff, len, d);
  }

  @Override
  public void axpy(float alpha, float[] x, int xOff, float[] y, int yOff, int len) {
    k.axpy(alpha, x, xOff, y, yOff, len);
  }

  @Override
  public void hadamard(float[] x, int xOff, float[] y, int yOff, float[] z, int zOff, int len) {
    k.hadamard(x, xOff, y, yOff, z, zOff, len);
  }

  @Override
  public void addLowRank(
      float[] base, int baseOff, float alpha, float[] e, int eOff, int k, float[] q, int qOff, float[] out, int outOff,
      float[] h, int hOff, float[] mask, int maskOff, int rows, int cols, int ld, float[] scratch) {
    this.k.addLowRank(base, baseOff, alpha, e, eOff, k, q, qOff, out, outOff, h, hOff, mask, maskOff, rows, cols, ld, scratch);
  }

  @Override
  public void sub(float[] x, int xOff, float[] y, int yOff, float[] z, int zOff, int len) {
    k.sub(x, xOff, y, yOff, z, zOff, len);
  }

  @Override
  public double sumSquares(float[] x, int xOff, int len) {
    return k.sumSquares(x, xOff, len);
  }

  @Override
  public void rowNorms(float[] x, int xOff, int rows, int cols, float[] out, int outOff) {
    k.rowNorms(x, xOff, rows, cols, out, outOff);
  }

  @Override
  public void columnSums(float[] x, int xOff, int rows, int cols, float[] out, int outOff) {
    k.columnSums(x, xOff, rows, cols, out, outOff);
  }

  @Override
  public boolean sgdStep(
      float[] w, int wOff, float[] g, int gOff, float[] v, int vOff, int len, float lr, float momentum, float weightDecay) {
    return k.sgdStep(w, wOff, g, gOff, v, vOff, len, lr, momentum, weightDecay);
  }

  @Override
  public void dropoutMask(float[] d, int off, int len, long threshold, float keep, long state) {
    k.dropoutMask(d, off, len, threshold, keep, state);
  }

  @Override
  public boolean allFinite(float[] x, int xOff, int len) {
    return k.allFinite(x, xOff, len);
  }
}

package org.fwdlearn.core.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.fwdlearn.core.Rng;
import org.junit.jupiter.api.Test;

/**
 * The vector softmax's exponential is built from IEEE operations only, so its result is fixed bit for bit
 * whether the kernel runs interpreted or compiled by C2 (the Vector API's own EXP is not: its last bits
 * changed once C2 compiled it, which broke reproducible training). Rows {@code [0, x]} expose {@code e = exp(x)}
 * exactly: {@code y_1 = e * (1 / (1 + e))} with a two-term sum. Enough rows go through each width that the
 * kernel is compiled part-way through the loop.
 */
class SoftmaxExpDeterminismTest {
  /** The kernel's exp, operation for operation, in scalar Java. */
  static float modelExp(float x) {
    if (x < -87.33654f) {
      return 0f;
    }
    float n = (x * 1.44269504088896341f + 12582912f) - 12582912f;
    float t = Math.fma(n, -0.693359375f, x);
    t = Math.fma(n, 2.12194440e-4f, t);
    float p = 1.9875691500e-4f;
    p = Math.fma(p, t, 1.3981999507e-3f);
    p = Math.fma(p, t, 8.3334519073e-3f);
    p = Math.fma(p, t, 4.1665795894e-2f);
    p = Math.fma(p, t, 1.6666665459e-1f);
    p = Math.fma(p, t, 5.0000001201e-1f);
    p = Math.fma(p * t, t, t) + 1f;
    return p * Float.intBitsToFloat(((int) n + 127) << 23);
  }

  @Test
  void vectorExpEqualsItsScalarModelBitForBitBeforeAndAfterCompilation() {
    int rows = 4096;
    float[] x = new float[2 * rows];
    float[] y = new float[2 * rows];
    for (int bits : new int[] {128, 256, 512}) {
      ElementwiseKernel k = Kernels.vector(bits).elementwise();
      Rng rng = new Rng(bits);
      for (int round = 0; round < 60; round++) {
        for (int r = 0; r < rows; r++) {
          x[2 * r + 1] = (float) (-100.0 * rng.nextDouble());
        }
        k.softmaxRows(x, 0, y, 0, rows, 2);
        for (int r = 0; r < rows; r++) {
          float e = modelExp(x[2 * r + 1]);
          float expected = e * (1f / (1f + e));
          assertEquals(
              Float.floatToRawIntBits(expected),
              Float.floatToRawIntBits(y[2 * r + 1]),
              () -> bits + "-bit softmax of [0, x] differs from the exp model");
        }
      }
    }
  }
}

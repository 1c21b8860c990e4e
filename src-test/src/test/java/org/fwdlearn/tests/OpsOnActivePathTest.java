package org.fwdlearn.tests;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.fwdlearn.core.Matrix;
import org.fwdlearn.core.Ops;
import org.fwdlearn.core.Rng;
import org.fwdlearn.core.Transpose;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The facade on whichever kernels are active, against values computed by hand or exactly: run once per
 * surefire execution, so both the vector and the scalar path are exercised end to end.
 */
@Tag("kernel-path")
class OpsOnActivePathTest {
  static final double U = 0x1p-24;

  static Matrix transpose(Matrix m) {
    return m.transpose();
  }

  @Test
  void smallGemmMatchesHandComputedProductsForEveryTranspose() {
    Matrix a = Matrix.of(new float[] {1, 2, 3}, new float[] {4, 5, 6});
    Matrix b = Matrix.of(new float[] {7, 8}, new float[] {9, 10}, new float[] {11, 12});
    float[] ab = {58, 64, 139, 154};
    for (Transpose ta : Transpose.values()) {
      for (Transpose tb : Transpose.values()) {
        Matrix sa = ta.isTransposed() ? transpose(a) : a;
        Matrix sb = tb.isTransposed() ? transpose(b) : b;
        Matrix c = new Matrix(2, 2).fill(1f);
        // Small integers: every product and partial sum is exact in float, in any order, with or without fma.
        Ops.gemm(ta, tb, 2f, sa, sb, 0.5f, c);
        assertArrayEquals(new float[] {116.5f, 128.5f, 278.5f, 308.5f}, c.toArray(), "op" + ta + " op" + tb);
        Matrix d = new Matrix(2, 2).fill(Float.NaN);
        Ops.gemm(ta, tb, 1f, sa, sb, 0f, d); // beta = 0 does not read C
        assertArrayEquals(ab, d.toArray(), "op" + ta + " op" + tb + ", beta 0");
      }
    }
  }

  /** Shapes that leave vector tails everywhere; integer entries keep every result exact, checked in long. */
  @Test
  void oddShapedGemmIsExactOnIntegers() {
    Rng r = new Rng(17);
    int m = 17;
    int k = 19;
    int n = 23;
    Matrix a = new Matrix(m, k);
    Matrix b = new Matrix(k, n);
    for (int i = 0; i < a.size(); i++) {
      a.data()[i] = r.nextInt(7) - 3;
    }
    for (int i = 0; i < b.size(); i++) {
      b.data()[i] = r.nextInt(7) - 3;
    }
    Matrix c = Ops.mul(a, b);
    for (int i = 0; i < m; i++) {
      for (int j = 0; j < n; j++) {
        long s = 0;
        for (int p = 0; p < k; p++) {
          s += (long) a.get(i, p) * (long) b.get(p, j);
        }
        assertEquals((float) s, c.get(i, j), "C(" + i + ", " + j + ")");
      }
    }
  }

  /**
   * Softmax against the exact values (double): each element within {@code (1 + u)^2 (1 + r) / (1 - s) - 1}
   * relative, r = 2u (exp, one float ulp), s = r + gamma(cols - 1)(1 + r) (the row sum), plus 1e-15 for the
   * double reference.
   */
  static void softmaxMatches(float[] row, float[] actual) {
    double max = Double.NEGATIVE_INFINITY;
    for (float v : row) {
      max = Math.max(max, v);
    }
    double sum = 0;
    for (float v : row) {
      sum += Math.exp(v - max);
    }
    int n = row.length;
    double r = 2 * U;
    double gamma = (n - 1) * U / (1 - (n - 1) * U);
    double s = r + gamma * (1 + r);
    double rel = (1 + U) * (1 + U) * (1 + r) / (1 - s) - 1 + 1e-15;
    for (int j = 0; j < n; j++) {
      double y = Math.exp(row[j] - max) / sum;
      assertTrue(
          Math.abs(actual[j] - y) <= rel * y + 0x1p-126,
          "softmax[" + j + "] = " + actual[j] + ", exact " + y + ", bound " + rel * y);
    }
  }

  @Test
  void softmaxOfKnownRows() {
    Matrix x = Matrix.of(new float[] {1f, 2f, 3f});
    Matrix y = new Matrix(1, 3);
    Ops.softmaxRows(x, y);
    softmaxMatches(x.toArray(), y.toArray());

    float[] wide = new float[41];
    for (int j = 0; j < wide.length; j++) {
      wide[j] = (j * 37 % 41) * 0.25f - 5f;
    }
    Matrix whole = Matrix.of(new float[41], wide, new float[41]);
    Matrix view = whole.rows(1, 2);
    Ops.softmaxRows(view, view);
    softmaxMatches(wide, view.toArray());
    assertArrayEquals(new float[41], whole.rows(0, 1).toArray());
    assertArrayEquals(new float[41], whole.rows(2, 3).toArray());
  }

  @Test
  void rowKernelsOnKnownValues() {
    Matrix x = Matrix.of(new float[] {-1f, 3f, 3f, 0.5f}, new float[] {2f, -0f, 7f, 7f});
    int[] arg = new int[2];
    Ops.argmaxRows(x, arg);
    assertArrayEquals(new int[] {1, 2}, arg);
    Matrix r = new Matrix(2, 4);
    Ops.relu(x, r);
    assertArrayEquals(new float[] {0f, 3f, 3f, 0.5f, 2f, 0f, 7f, 7f}, r.toArray()); // max(-0, 0) is +0
    float[] norms = new float[2];
    Ops.rowNorms(Matrix.of(new float[] {3f, 4f}, new float[] {5f, 12f}), norms);
    assertArrayEquals(new float[] {5f, 13f}, norms);

    Matrix w = Matrix.of(new float[] {1f, -2f});
    Matrix g = Matrix.of(new float[] {0.5f, 0.25f});
    Matrix v = Matrix.of(new float[] {1f, 1f});
    // g' = G + 0.5 W = (1, -0.75); V = 0.5 V + g' = (1.5, -0.25); W = W - 0.5 V = (0.25, -1.875): all exact.
    Ops.sgdStep(w, g, v, 0.5f, 0.5f, 0.5f);
    assertArrayEquals(new float[] {1.5f, -0.25f}, v.toArray());
    assertArrayEquals(new float[] {0.25f, -1.875f}, w.toArray());
  }
}

package org.fwdlearn.rules;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.fwdlearn.core.Matrix;
import org.fwdlearn.core.Ops;
import org.fwdlearn.core.Rng;
import org.fwdlearn.core.ThreadPool;
import org.junit.jupiter.api.Test;

/** F's initialisations (ALGORITHMS.md section 3.3) and normalize_B. */
class FeedbackMatrixTest {
  private static final ThreadPool SEQ = ThreadPool.sequential();

  @Test
  void sigmaFMatchesTheSpec() {
    assertEquals(2.525e-3, FeedbackMatrix.targetStd(784, 0.05f), 5e-7);
    assertEquals(1.276e-3, FeedbackMatrix.targetStd(3072, 0.05f), 5e-7);
  }

  @Test
  void uniformFHasStdSigmaFAndTheRightSupport() {
    FeedbackMatrix f = FeedbackMatrix.uniform(784, 10, 0.05f, true, new Rng(1));
    double a = 0.05 * Math.sqrt(6.0 / 784);
    for (float v : f.f(SEQ).toArray()) {
      assertTrue(Math.abs(v) <= a);
    }
    // Sample std of N = 7840 uniforms: relative standard error sqrt((kurtosis - 1) / 4N) = 0.0050; 5 sigma.
    assertEquals(1.0, f.std(SEQ) / f.targetStd(), 5 * 0.0050);
    assertEquals(1, f.factorCount());
    FeedbackMatrix pos = FeedbackMatrix.uniform(784, 10, 0.05f, false, new Rng(1));
    for (float v : pos.f(SEQ).toArray()) {
      assertTrue(v >= 0 && v <= a);
    }
  }

  @Test
  void normalFIsAProductOfOneFactorPerLayerWithTheSpecsScale() {
    int[] sizes = {300, 64, 48, 10};
    FeedbackMatrix f = FeedbackMatrix.normal(sizes, 0.05f, new Rng(2));
    assertEquals(3, f.factorCount());
    double sigma = FeedbackMatrix.targetStd(300, 0.05f);
    double s = Math.pow(sigma / Math.sqrt(64.0 * 48.0), 1.0 / 3);
    for (int l = 1; l <= 3; l++) {
      Matrix b = f.factor(l);
      assertEquals(sizes[l - 1], b.rows());
      assertEquals(sizes[l], b.cols());
      // Sample std of N normals: relative standard error 1/sqrt(2N); 5 sigma.
      assertEquals(1.0, Stats.std(b) / s, 5 / Math.sqrt(2.0 * b.size()), "std of B" + l);
    }
    Matrix expected = new Matrix(300, 10);
    Ops.mul(f.factor(1), Ops.mul(f.factor(2), f.factor(3)), expected);
    assertTrue(f.f(SEQ).contentEquals(expected), "F = B1 (B2 B3), the library's association order");
  }

  @Test
  void changedFactorsAreSeenAndNormalizeRestoresSigmaF() {
    FeedbackMatrix f = FeedbackMatrix.normal(new int[] {40, 30, 20, 5}, 0.05f, new Rng(3));
    Matrix before = f.f(SEQ).copy();
    Ops.scale(3f, f.factor(2));
    assertTrue(f.f(SEQ).contentEquals(before), "not recomputed before changed()");
    f.changed();
    Ref.V product = Ref.mul(1, Ref.mul(1, Ref.of(f.factor(1)), Ref.of(f.factor(2))), Ref.of(f.factor(3)));
    Ref.assertClose(f.f(SEQ), product, 4.0 * (30 + 20 + 8), "F after changing B2");
    double stdBefore = f.std(SEQ);
    double c = f.normalize(SEQ);
    assertEquals(f.targetStd() / stdBefore, c);
    // After normalize_B: std(F) = sigma_F up to float32 rounding: the scale c^(1/3) and each of the three
    // scalings (relative u each, before and after: 8 u), and the products of F before and after normalizing
    // (k u ||M||_F / ||F||_F each, M = |B1||B2||B3|).
    Ref.V after = Ref.mul(1, Ref.mul(1, Ref.of(f.factor(1)), Ref.of(f.factor(2))), Ref.of(f.factor(3)));
    double k = 4.0 * (30 + 20 + 8);
    double tol = (8 + 2 * k * frob(after.m()) / frob(after.v())) * Ref.U;
    assertEquals(1.0, f.std(SEQ) / f.targetStd(), tol);
    FeedbackMatrix single = FeedbackMatrix.ofFactors(List.of(before), 0.01f);
    single.normalize(SEQ);
    // One factor: the scale and the scaling round once each.
    assertEquals(1.0, single.std(SEQ) / 0.01, 4 * Ref.U);
  }

  private static double frob(double[][] a) {
    double s = 0;
    for (double[] row : a) {
      for (double v : row) {
        s += v * v;
      }
    }
    return Math.sqrt(s);
  }
}

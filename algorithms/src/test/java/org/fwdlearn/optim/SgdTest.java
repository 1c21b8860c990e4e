package org.fwdlearn.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.fwdlearn.core.Matrix;
import org.fwdlearn.core.Ops;
import org.junit.jupiter.api.Test;

/** Momentum SGD with PyTorch semantics and the step schedule. All values are short dyadic fractions, so exact. */
class SgdTest {
  @Test
  void followsPyTorchSemantics() {
    Matrix w = Matrix.of(new float[] {1f, -2f});
    Sgd sgd = new Sgd(List.of(w), 0.125f, 0.5f, 0.25f);
    // Step 1: g = G + 0.25 W = (0.5 + 0.25, 0.25 - 0.5) = (0.75, -0.25); V = g; W = W - 0.125 V.
    sgd.step(List.of(Matrix.of(new float[] {0.5f, 0.25f})));
    assertTrue(sgd.stateBuffers().get(0).contentEquals(Matrix.of(new float[] {0.75f, -0.25f})));
    assertTrue(w.contentEquals(Matrix.of(new float[] {0.90625f, -1.96875f})));
    // Step 2 with G = 0: g = 0.25 W = (0.2265625, -0.4921875); V = 0.5 V + g; W = W - 0.125 V.
    sgd.step(List.of(new Matrix(1, 2)));
    assertTrue(sgd.stateBuffers().get(0).contentEquals(Matrix.of(new float[] {0.6015625f, -0.6171875f})));
    assertTrue(w.contentEquals(Matrix.of(new float[] {0.8310546875f, -1.8916015625f})));
  }

  @Test
  void addToStepEqualsOneStepOnTheSumOfTheGradients() {
    Matrix w = Matrix.of(new float[] {1f, -2f}, new float[] {0.5f, 3f});
    Matrix ga = Matrix.of(new float[] {0.25f, 0.5f}, new float[] {-1f, 2f});
    Matrix gb = Matrix.of(new float[] {0.75f, -0.5f}, new float[] {1f, 0.25f});
    Matrix w1 = w.copy();
    Sgd split = new Sgd(List.of(w1), 0.125f, 0.5f, 0.25f);
    split.step(List.of(ga));
    split.step(List.of(ga));
    split.addToStep(List.of(gb));
    Matrix w2 = w.copy();
    Sgd one = new Sgd(List.of(w2), 0.125f, 0.5f, 0.25f);
    Matrix sum = ga.copy();
    Ops.axpy(1f, gb, sum);
    one.step(List.of(ga));
    one.step(List.of(sum));
    assertTrue(w1.contentEquals(w2), w1 + " vs " + w2);
    assertTrue(split.stateBuffers().get(0).contentEquals(one.stateBuffers().get(0)));
  }

  @Test
  void refusesNonFiniteGradientsWithoutTouchingAnything() {
    Matrix w = Matrix.of(new float[] {1f, -2f});
    Matrix w2 = Matrix.of(new float[] {3f});
    Sgd sgd = new Sgd(List.of(w, w2), 0.125f, 0.5f, 0f);
    sgd.step(List.of(Matrix.of(new float[] {0.5f, 0.5f}), Matrix.of(new float[] {1f})));
    Matrix wBefore = w.copy();
    Matrix vBefore = sgd.stateBuffers().get(0).copy();
    NonFiniteGradientException e = assertThrows(
        NonFiniteGradientException.class,
        () -> sgd.step(List.of(Matrix.of(new float[] {0.5f, 0.5f}), Matrix.of(new float[] {Float.NaN}))));
    assertEquals(1, e.parameter());
    assertEquals("gradient of W2 holds a NaN or an infinity", e.getMessage());
    assertFalse(e.parametersModified());
    assertTrue(w.contentEquals(wBefore) && sgd.stateBuffers().get(0).contentEquals(vBefore));
    NonFiniteGradientException overflow = assertThrows(
        NonFiniteGradientException.class,
        () -> new Sgd(List.of(w2), Float.MAX_VALUE, 0f, 0f).step(List.of(Matrix.of(new float[] {-4f}))));
    assertTrue(overflow.parametersModified());
  }

  /**
   * On a pool the step splits the elements over the threads: the weights and velocities are bit-identical to
   * the single-threaded step, and a NaN gradient or an overflow in the second range is still found (the matrix
   * is larger than the size below which the pool is not used).
   */
  @Test
  void onAPoolTheStepIsTheSameAndStillChecksEveryElement() {
    int rows = 300;
    int cols = 301; // 90,300 elements, ranges not a multiple of the vector width
    org.fwdlearn.core.Rng rng = new org.fwdlearn.core.Rng(5);
    Matrix w0 = org.fwdlearn.core.Init.uniform(new Matrix(rows, cols), -1f, 1f, rng);
    Matrix g = org.fwdlearn.core.Init.uniform(new Matrix(rows, cols), -1f, 1f, rng);
    try (org.fwdlearn.core.ThreadPool pool = new org.fwdlearn.core.ThreadPool(3)) {
      Matrix a = w0.copy();
      Matrix b = w0.copy();
      Sgd one = new Sgd(List.of(a), 0.1f, 0.9f, 0.01f);
      Sgd many = new Sgd(List.of(b), 0.1f, 0.9f, 0.01f).threads(pool);
      for (int step = 0; step < 3; step++) {
        one.step(List.of(g));
        many.step(List.of(g));
      }
      assertTrue(a.contentEquals(b), "weights");
      assertTrue(one.stateBuffers().get(0).contentEquals(many.stateBuffers().get(0)), "velocities");

      Matrix bad = g.copy();
      bad.set(rows - 1, cols - 1, Float.NaN);
      Matrix before = b.copy();
      NonFiniteGradientException e = assertThrows(NonFiniteGradientException.class, () -> many.step(List.of(bad)));
      assertFalse(e.parametersModified());
      assertTrue(b.contentEquals(before), "nothing modified on a NaN gradient");

      Matrix huge = new Matrix(rows, cols);
      huge.set(rows - 2, 7, -Float.MAX_VALUE);
      NonFiniteGradientException o = assertThrows(
          NonFiniteGradientException.class,
          () -> new Sgd(List.of(w0.copy()), Float.MAX_VALUE, 0f, 0f).threads(pool).step(List.of(huge)));
      assertTrue(o.parametersModified());
      assertEquals("updated W1 (overflow) holds a NaN or an infinity", o.getMessage());
    }
  }

  @Test
  void validatesItsArguments() {
    Matrix w = new Matrix(2, 3);
    assertThrows(IllegalArgumentException.class, () -> new Sgd(List.of(w), -1f, 0.9f, 0f));
    assertThrows(IllegalArgumentException.class, () -> new Sgd(List.of(w), 0.1f, 1f, 0f));
    assertThrows(IllegalArgumentException.class, () -> new Sgd(List.of(w), 0.1f, 0.9f, Float.NaN));
    Sgd sgd = new Sgd(List.of(w), 0.1f, 0.9f, 0f);
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> sgd.step(List.of(new Matrix(3, 2))));
    assertEquals("gradient of W1 is 3x2, parameter is 2x3", e.getMessage());
  }

  @Test
  void stepDecayMultipliesAtTheEndOfTheListedEpochs() {
    StepDecay paper = new StepDecay(new int[] {60, 90}, 0.1f);
    assertEquals(0.01f, paper.afterEpoch(59, 0.01f));
    assertEquals(0.01f * 0.1f, paper.afterEpoch(60, 0.01f));
    assertEquals(0.5f, paper.afterEpoch(61, 0.5f));
    assertEquals(0.25f, new StepDecay(new int[] {3, 3}, 0.5f).afterEpoch(3, 1f));
    assertThrows(IllegalArgumentException.class, () -> new StepDecay(new int[] {-1}, 0.1f));
    assertThrows(IllegalArgumentException.class, () -> new StepDecay(new int[] {1}, 0f));
  }
}

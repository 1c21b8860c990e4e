package org.fwdlearn.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.fwdlearn.core.Matrix;
import org.junit.jupiter.api.Test;

/** Adam against steps computed by hand (PyTorch's formula, written out below in double). */
class AdamTest {
  private static final double U = 0x1p-24;
  private static final double EPS = 1e-8;

  /**
   * The float result may differ from the double one by the rounding of W (u |W|) plus that of the update,
   * which passes through about ten float operations (each relative u): 2 u (|W| + 10 |delta|).
   */
  private static void assertStep(double expectedW, double delta, float actual, String what) {
    double tol = 2 * U * (Math.abs(expectedW) + 10 * Math.abs(delta));
    assertEquals(expectedW, actual, tol, what);
  }

  @Test
  void twoStepsMatchTheHandComputation() {
    Matrix w = Matrix.of(new float[] {1f, -2f});
    Adam adam = new Adam(List.of(w), 0.1f, 0.9, 0.999, (float) EPS, 0f, "W");

    // Step 1, G = (0.5, -0.25): m = 0.1 G = (0.05, -0.025), v = 0.001 G^2 = (0.00025, 0.0000625);
    // bias corrections 0.1 and 0.001 give m^ = G, v^ = G^2, so delta = 0.1 * G / (|G| + 1e-8).
    adam.step(List.of(Matrix.of(new float[] {0.5f, -0.25f})));
    double d1a = 0.1 * 0.5 / (0.5 + EPS); // 0.0999999980
    double d1b = 0.1 * -0.25 / (0.25 + EPS); // -0.0999999960
    assertStep(1 - d1a, d1a, w.get(0, 0), "W[0] after step 1");
    assertStep(-2 - d1b, d1b, w.get(0, 1), "W[1] after step 1");
    assertEquals(1, adam.steps());

    // Step 2, G = (-0.25, 0.5):
    // m = 0.9 (0.05, -0.025) + 0.1 (-0.25, 0.5) = (0.02, 0.0275)
    // v = 0.999 (0.00025, 0.0000625) + 0.001 (0.0625, 0.25) = (0.00031225, 0.0003124375)
    // bias corrections 1 - 0.9^2 = 0.19 and 1 - 0.999^2 = 0.001999
    // delta = (0.1 / 0.19) m / (sqrt(v) / sqrt(0.001999) + 1e-8) = (0.0266337, 0.0366104)
    adam.step(List.of(Matrix.of(new float[] {-0.25f, 0.5f})));
    double d2a = (0.1 / 0.19) * 0.02 / (Math.sqrt(0.00031225) / Math.sqrt(0.001999) + EPS);
    double d2b = (0.1 / 0.19) * 0.0275 / (Math.sqrt(0.0003124375) / Math.sqrt(0.001999) + EPS);
    assertEquals(0.0266337, d2a, 1e-6); // the hand value, as a check of the expression above
    assertEquals(0.0366104, d2b, 1e-6);
    assertStep(1 - d1a - d2a, d1a + d2a, w.get(0, 0), "W[0] after step 2");
    assertStep(-2 - d1b - d2b, Math.abs(d1b) + d2b, w.get(0, 1), "W[1] after step 2");
    // The moments themselves.
    List<Matrix> s = adam.stateBuffers();
    assertEquals(0.02, s.get(0).get(0, 0), 4 * U * 0.05);
    assertEquals(0.0275, s.get(0).get(0, 1), 4 * U * 0.05);
    assertEquals(0.00031225, s.get(1).get(0, 0), 4 * U * 0.00032);
    assertEquals(0.0003124375, s.get(1).get(0, 1), 4 * U * 0.00032);
  }

  @Test
  void weightDecayIsAddedToTheGradient() {
    // g = G + 0.5 W = (0.5 + 0.5, -0.25 - 1) = (1, -1.25): first step delta = 0.1 g / (|g| + 1e-8).
    Matrix w = Matrix.of(new float[] {1f, -2f});
    Adam adam = new Adam(List.of(w), 0.1f, 0.9, 0.999, (float) EPS, 0.5f, "W");
    adam.step(List.of(Matrix.of(new float[] {0.5f, -0.25f})));
    double da = 0.1 * 1.0 / (1.0 + EPS);
    double db = 0.1 * -1.25 / (1.25 + EPS);
    assertStep(1 - da, da, w.get(0, 0), "W[0]");
    assertStep(-2 - db, db, w.get(0, 1), "W[1]");
  }

  @Test
  void theStepSizeIsTheLearningRateWhateverTheGradientScale() {
    // Adam's first step moves every coordinate by lr * sign(G) (up to epsilon), for tiny and large G alike.
    Matrix w = new Matrix(1, 3);
    Adam adam = new Adam(List.of(w), 0.01f, 0f);
    adam.step(List.of(Matrix.of(new float[] {1e-3f, -1e3f, 7f})));
    assertEquals(-0.01 * 1e-3 / (1e-3 + EPS), w.get(0, 0), 2 * U * 0.01 * 10);
    assertEquals(0.01, w.get(0, 1), 2 * U * 0.01 * 10);
    assertEquals(-0.01, w.get(0, 2), 2 * U * 0.01 * 10);
  }

  @Test
  void aNonFiniteGradientChangesNothing() {
    Matrix w = Matrix.of(new float[] {1f, 2f});
    Adam adam = new Adam(List.of(w), 0.1f, 0f);
    assertThrows(NonFiniteGradientException.class, () -> adam.step(List.of(Matrix.of(new float[] {Float.NaN, 1f}))));
    assertTrue(w.contentEquals(Matrix.of(new float[] {1f, 2f})));
    assertEquals(0, adam.steps());
    for (Matrix m : adam.stateBuffers()) {
      assertTrue(m.contentEquals(new Matrix(1, 2)));
    }
  }

  @Test
  void rejectsBadSettingsAndShapes() {
    Matrix w = new Matrix(2, 2);
    assertThrows(IllegalArgumentException.class, () -> new Adam(List.of(w), -1f, 0f));
    assertThrows(IllegalArgumentException.class, () -> new Adam(List.of(w), 0.1f, 1.0, 0.999, 1e-8f, 0f, "W"));
    assertThrows(IllegalArgumentException.class, () -> new Adam(List.of(w), 0.1f, 0.9, 0.999, 0f, 0f, "W"));
    Adam adam = new Adam(List.of(w), 0.1f, 0f);
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> adam.step(List.of(new Matrix(2, 3))));
    assertTrue(e.getMessage().contains("2x3") && e.getMessage().contains("2x2"), e.getMessage());
    assertThrows(UnsupportedOperationException.class, () -> adam.addToStep(List.of(new Matrix(2, 2))));
  }
}

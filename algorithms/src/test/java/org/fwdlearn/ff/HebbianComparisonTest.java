package org.fwdlearn.ff;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.fwdlearn.core.Matrix;
import org.fwdlearn.train.TrainingListener;
import org.junit.jupiter.api.Test;

/** The FF-PEPITA comparison: its decompositions add up to the rules' updates, and its rows are well formed. */
class HebbianComparisonTest {
  private static final double U = 0x1p-24;

  private static HebbianComparison.Settings settings(int probeEvery) {
    FfNetwork.Options o = new FfNetwork.Options(3, Goodness.SUM, Float.NaN, InputNormalization.RMS, true, 1f, 1f / 3);
    return new HebbianComparison.Settings(
        new int[] {16, 12}, 2, 30, 5, 1, probeEvery, 0.01f, 0.9f, 0.1f, 0.05f, 0.001f, 3e-4f, o, 0.01f, true);
  }

  @Test
  void thePartsOfEveryUpdateAddUpToIt() {
    try (HebbianComparison h = new HebbianComparison(settings(1), FfTrainerTest.toy(30, 30, 9), 0, 0)) {
      assertTrue(h.ffNetwork().weight(1).contentEquals(h.pepitaNetwork().weight(1)), "shared initial weights");
      h.runEpoch(new TrainingListener() {});
      for (int m = 0; m < 3; m++) {
        int layers = m < 2 ? 3 : 2;
        for (int l = 1; l <= layers; l++) {
          Matrix[] p = h.lastParts(m, l);
          Matrix hebb = p[0];
          Matrix anti = p[1];
          Matrix g = p[2];
          // Each part is a product over n = 30 rows (error gamma_30 of its magnitude); the rule computed the same
          // sum in another order or as a difference first.
          double worst = 0;
          for (int i = 0; i < g.rows(); i++) {
            for (int j = 0; j < g.cols(); j++) {
              double a = hebb.get(i, j);
              double b = anti.get(i, j);
              double tol = 4 * 34 * U * (Math.abs(a) + Math.abs(b)) + 1e-12;
              assertEquals(g.get(i, j), a + b, tol, HebbianComparison.MODELS.get(m) + " G" + l + "[" + i + "," + j + "]");
              worst = Math.max(worst, Math.abs(a) + Math.abs(b));
            }
          }
          assertTrue(worst > 0, "model " + m + " layer " + l + " has a non-zero update");
        }
      }
    }
  }

  @Test
  void rowsCoverEveryModelAndLayerWithSaneFigures() {
    try (HebbianComparison h = new HebbianComparison(settings(1), FfTrainerTest.toy(60, 30, 10), 0, 0)) {
      List<HebbianComparison.LayerRow> rows = h.run(new TrainingListener() {});
      assertEquals(2 * (3 + 3 + 2), rows.size());
      for (HebbianComparison.LayerRow r : rows) {
        assertEquals(2, r.probes(), r.toString());
        assertTrue(r.updateNorm() > 0 && r.hebbianNorm() > 0 && r.antiHebbianNorm() > 0, r.toString());
        assertTrue(r.cancellation() <= 1 + 1e-6, r.toString()); // |H + A| <= |H| + |A|
        assertTrue(Math.abs(r.hebbianAntiCosine()) <= 1 + 1e-9, r.toString());
        boolean hidden = !r.model().equals("ff") && r.layer() <= 2;
        assertEquals(hidden, Double.isFinite(r.crossCosine()), r.toString());
        assertEquals(r.model().equals("ff"), Double.isFinite(r.unweightedCosine()), r.toString());
      }
      assertEquals(2, h.epochRows().size());
      for (HebbianComparison.EpochRow e : h.epochRows()) {
        assertTrue(e.pepitaAccuracy() >= 0 && e.hebbianAccuracy() >= 0 && e.ffAccuracy() >= 0);
      }
    }
  }

  @Test
  void cosineOfKnownVectors() {
    Matrix a = Matrix.of(new float[] {1f, 0f}, new float[] {0f, 1f});
    Matrix b = Matrix.of(new float[] {1f, 1f}, new float[] {0f, 0f});
    assertEquals(0.5, HebbianComparison.cosine(a, b), 1e-15);
    Matrix c = Matrix.of(new float[] {-2f, 0f}, new float[] {0f, -2f});
    assertEquals(-1.0, HebbianComparison.cosine(a, c), 1e-15);
  }
}

package org.fwdlearn.ff;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.fwdlearn.core.Matrix;
import org.fwdlearn.core.Rng;
import org.fwdlearn.core.ThreadPool;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Label codes, goodness and prediction on tiny examples worked out by hand. */
class FfHandExamplesTest {
  private static final double U = 0x1p-24;
  private static final ThreadPool SEQ = ThreadPool.sequential();

  @Test
  void labelCodesReplaceTheFirstFeatures() {
    Matrix x = Matrix.of(new float[] {0.5f, 0.25f, 0.75f, 2f, 3f}, new float[] {1f, 1f, 1f, 4f, 5f});
    Matrix out = new Matrix(2, 5);
    LabelEmbedding.embed(x, new int[] {2, 0}, 3, 1f, out);
    assertArrayEquals(new float[] {0f, 0f, 1f, 2f, 3f, 1f, 0f, 0f, 4f, 5f}, out.toArray());
    LabelEmbedding.embed(x, 1, 3, 2.5f, out);
    assertArrayEquals(new float[] {0f, 2.5f, 0f, 2f, 3f, 0f, 2.5f, 0f, 4f, 5f}, out.toArray());
    LabelEmbedding.neutral(x, 3, 0.1f, out);
    assertArrayEquals(new float[] {0.1f, 0.1f, 0.1f, 2f, 3f, 0.1f, 0.1f, 0.1f, 4f, 5f}, out.toArray());
    // The input is untouched.
    assertArrayEquals(new float[] {0.5f, 0.25f, 0.75f, 2f, 3f, 1f, 1f, 1f, 4f, 5f}, x.toArray());
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> LabelEmbedding.embed(x, new int[] {3, 0}, 3, 1f, out));
    assertTrue(e.getMessage().contains("label 3"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> LabelEmbedding.neutral(x, 6, 1f, new Matrix(2, 5)));
  }

  @Test
  void wrongLabelsAreUniformOverTheOtherClasses() {
    int n = 9000;
    int[] y = new int[n];
    java.util.Arrays.fill(y, 3);
    int[] wrong = new int[n];
    LabelEmbedding.wrongLabels(y, n, 10, new Rng(5), wrong);
    int[] count = new int[10];
    for (int w : wrong) {
      count[w]++;
    }
    assertEquals(0, count[3], "the true label is never drawn");
    // Each of the 9 wrong labels: Binomial(9000, 1/9), mean 1000, sd 29.8; allow 5 sd.
    for (int c = 0; c < 10; c++) {
      if (c != 3) {
        assertEquals(1000, count[c], 149, "count of label " + c);
      }
    }
  }

  /**
   * One layer, d_0 = 4, C = 2, W = [[1, 0, 0, 0.5], [0, 3, -1, 0]], b = [0.1, -0.2], image x = [5, 5, 2, 2].
   * Label 1: input [0, 1, 2, 2], |.| = 3 (L2) or rms 1.5, z = input / (norm + eps);
   * a = [0.5*2 / N + 0.1, (3*1 - 2) / N - 0.2] = [1/N + 0.1, 1/N - 0.2] with N = norm + eps.
   * Label 0: input [1, 0, 2, 2], same norm; a = [(1 + 1)/N + 0.1, -2/N - 0.2], the second unit silent.
   */
  @ParameterizedTest(name = "{0} normalisation, {1} goodness")
  @CsvSource({"L2, SUM", "L2, MEAN", "RMS, SUM", "RMS, MEAN"})
  void goodnessOfATinyLayer(InputNormalization norm, Goodness goodness) {
    FfNetwork.Options o = new FfNetwork.Options(2, goodness, 0f, norm, true, 1f, 0.5f);
    FfNetwork net = FfNetwork.of(
        List.of(Matrix.of(new float[] {1f, 0f, 0f, 0.5f}, new float[] {0f, 3f, -1f, 0f})),
        List.of(Matrix.of(new float[] {0.1f, -0.2f})), o);
    Matrix scores = net.goodnessScores(Matrix.of(new float[] {5f, 5f, 2f, 2f}), 1, SEQ);
    double nn = norm == InputNormalization.L2 ? 3 + 1e-4 : 1.5 + 1e-8;
    double label1 = sq(1 / nn + 0.1) + sq(1 / nn - 0.2);
    double label0 = sq(2 / nn + 0.1);
    double div = goodness == Goodness.MEAN ? 2 : 1;
    // float error: the activities carry ~ 8 u relative error (norm, scale, 4-term dot, bias).
    assertEquals(label0 / div, scores.get(0, 0), 32 * U * label0);
    assertEquals(label1 / div, scores.get(0, 1), 32 * U * label1);
    int[] pred = new int[1];
    net.predictByGoodness(Matrix.of(new float[] {5f, 5f, 2f, 2f}), pred, 1, SEQ);
    assertEquals(label0 > label1 ? 0 : 1, pred[0]);
    // Threshold defaults: the width for sum goodness, 1 for mean goodness.
    FfNetwork auto = FfNetwork.create(new int[] {4, 7}, new FfNetwork.Options(2, goodness, Float.NaN, norm, false, 1f, 0.5f),
        FfNetwork.InitScheme.HE_UNIFORM, new Rng(1));
    assertEquals(goodness == Goodness.SUM ? 7f : 1f, auto.threshold(1));
  }

  private static double sq(double v) {
    return v * v;
  }

  /**
   * A two-layer network built so that only the true label makes layer 1 active. Inputs: features 0..2 the label
   * code, features 3..5 a one-hot code of the class. Unit j of layer 1 sums features j and 3 + j and has bias
   * -1/sqrt 2: with label = class = j its input is (e_j + e_{3+j}) / (sqrt 2 + eps), so a_j = 2/(sqrt 2 + eps) -
   * 1/sqrt 2 ~ 0.7071; with a wrong label every a is at most 1/(sqrt 2 + eps) - 1/sqrt 2 &lt; 0. Layer 2 (W =
   * [[1, 1, 1], [-1, -1, -1]], no bias) sees the normalised layer-1 activity: e_c a_1 / (a_1 + eps) for the true
   * label (a_1 e_c / (a_1 + eps)), 0 otherwise.
   */
  @Test
  void predictionPicksTheLabelTheNetworkWasBuiltFor() {
    float t = (float) (1 / Math.sqrt(2));
    Matrix w1 = new Matrix(3, 6);
    for (int j = 0; j < 3; j++) {
      w1.set(j, j, 1f);
      w1.set(j, 3 + j, 1f);
    }
    Matrix b1 = Matrix.of(new float[] {-t, -t, -t});
    Matrix w2 = Matrix.of(new float[] {1f, 1f, 1f}, new float[] {-1f, -1f, -1f});
    Matrix b2 = new Matrix(1, 2);
    FfNetwork net = FfNetwork.of(List.of(w1, w2), List.of(b1, b2),
        new FfNetwork.Options(3, Goodness.SUM, 0f, InputNormalization.L2, true, 1f, 1f / 3));
    Matrix x = new Matrix(3, 6);
    for (int c = 0; c < 3; c++) {
      x.set(c, 3 + c, 1f);
      x.set(c, c, 0.7f); // whatever the first features hold is overwritten by the label code
    }
    int[] pred = new int[3];
    net.predictByGoodness(x, pred, 1, SEQ);
    assertArrayEquals(new int[] {0, 1, 2}, pred);
    net.predictByGoodness(x, pred, 2, SEQ);
    assertArrayEquals(new int[] {0, 1, 2}, pred);

    double a1 = 2 / (Math.sqrt(2) + 1e-4) - t; // layer 1's one active unit
    double g2 = sq(a1 / (a1 + 1e-4)); // layer 2: [1, -1] a1 / (a1 + eps) -> relu -> first unit only
    Matrix all = net.goodnessScores(x, 1, SEQ);
    Matrix upper = net.goodnessScores(x, 2, SEQ);
    for (int c = 0; c < 3; c++) {
      for (int label = 0; label < 3; label++) {
        double expectAll = label == c ? sq(a1) + g2 : 0;
        double expectUpper = label == c ? g2 : 0;
        assertEquals(expectAll, all.get(c, label), 32 * U, "all layers, image " + c + ", label " + label);
        assertEquals(expectUpper, upper.get(c, label), 32 * U, "layer 2, image " + c + ", label " + label);
      }
    }
  }

  @Test
  void linearReadoutPredictsFromTheNeutralPass() {
    // One layer of 3 units copying features 3..5 (the class code); the neutral code adds the same to all.
    Matrix w1 = new Matrix(3, 6);
    for (int j = 0; j < 3; j++) {
      w1.set(j, 3 + j, 1f);
    }
    FfNetwork net = FfNetwork.of(List.of(w1), null,
        new FfNetwork.Options(3, Goodness.SUM, Float.NaN, InputNormalization.RMS, false, 1f, 1f / 3));
    LinearReadout r = new LinearReadout(net, 1);
    r.block(1).set(0, 2, 1f); // class 0 <- unit 2, class 1 <- unit 0, class 2 <- unit 1
    r.block(1).set(1, 0, 1f);
    r.block(1).set(2, 1, 1f);
    Matrix x = new Matrix(3, 6);
    for (int c = 0; c < 3; c++) {
      x.set(c, 3 + c, 1f);
    }
    int[] pred = new int[3];
    r.predict(net, x, null, pred, SEQ);
    assertArrayEquals(new int[] {1, 2, 0}, pred);
  }
}

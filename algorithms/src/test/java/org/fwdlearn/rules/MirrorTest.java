package org.fwdlearn.rules;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.fwdlearn.core.Matrix;
import org.fwdlearn.core.Ops;
import org.fwdlearn.core.Rng;
import org.fwdlearn.core.ThreadPool;
import org.fwdlearn.core.Transpose;
import org.fwdlearn.nn.Network;
import org.fwdlearn.nn.WeightInit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Weight mirroring turns the feedback matrices towards the transposed forward weights. */
class MirrorTest {
  private static final ThreadPool SEQ = ThreadPool.sequential();

  private static Matrix totalWeights(Network net) {
    Matrix acc = net.weight(1);
    for (int l = 2; l <= net.layers(); l++) {
      Matrix next = new Matrix(net.size(l), net.inputSize());
      Ops.gemm(Transpose.N, Transpose.N, 1f, net.weight(l), acc, 0f, next);
      acc = next;
    }
    return acc;
  }

  /**
   * With the spec's defaults (eta_B 0.1, lambda_B 0.5) normalize_B undoes the decay each step, so B turns
   * slowly (about 2e-3 of its norm per step); eta_B = 1 turns it within a few hundred steps.
   */
  @ParameterizedTest(name = "dropout {0}, normalization {1}, eta_B {2}, {3} steps: F angle below {4}, B angles down by {5}")
  @CsvSource({
    "0.1, false, 1.0, 300, 50, 50",
    "0.0, true, 1.0, 300, 50, 50",
    "0.1, false, 0.1, 400, 88, 5"
  })
  void pepitaMirroringAlignsFWithTheTransposedWeightProduct(
      float dropout, boolean normalize, float lr, int steps, double maxAngle, double minLayerDrop) {
    int[] sizes = {40, 32, 24, 10};
    Network net = Network.create(sizes, WeightInit.HE_UNIFORM, normalize, new Rng(201));
    FeedbackMatrix f = FeedbackMatrix.normal(sizes, 0.05f, new Rng(202));
    PepitaMirror mirror = new PepitaMirror(net, f, 64, lr, 0.5f, dropout, new Rng(203), SEQ);
    Matrix wTotal = totalWeights(net);
    double before = Stats.angleTransposedDeg(wTotal, f.f(SEQ));
    double[] layerBefore = new double[4];
    for (int l = 1; l <= 3; l++) {
      double a = Stats.angleTransposedDeg(net.weight(l), f.factor(l));
      assertTrue(a > 80, "random B" + l + " should be nearly orthogonal to W" + l + "^T, angle " + a);
      layerBefore[l] = a;
    }
    for (int step = 0; step < steps; step++) {
      mirror.mirror();
    }
    double after = Stats.angleTransposedDeg(wTotal, f.f(SEQ));
    assertTrue(before > 85 && after < maxAngle, "angle of F and (W3 W2 W1)^T: " + before + " -> " + after);
    for (int l = 1; l <= 3; l++) {
      double a = Stats.angleTransposedDeg(net.weight(l), f.factor(l));
      assertTrue(
          a < layerBefore[l] - minLayerDrop, "angle of B" + l + " and W" + l + "^T: " + layerBefore[l] + " -> " + a);
    }
    // normalize_B keeps std(F) at sigma_F (FeedbackMatrixTest bounds the rounding; here about 10^-5).
    assertEquals(1.0, f.std(SEQ) / f.targetStd(), 1e-4, "std(F) / sigma_F");
  }

  @org.junit.jupiter.api.Test
  void feedbackAlignmentMirroringAlignsEachBWithItsTransposedWeight() {
    int[] sizes = {30, 24, 16, 10};
    Network net = Network.create(sizes, WeightInit.HE_UNIFORM, false, new Rng(211));
    FeedbackAlignment fa = new FeedbackAlignment(
        new RuleContext(net, 32, 0f, SEQ, new Rng(212)), WeightInit.HE_UNIFORM, new Rng(213));
    double[] before = new double[4];
    for (int l = 2; l <= 3; l++) {
      before[l] = Stats.angleTransposedDeg(net.weight(l), fa.feedback(l));
    }
    FeedbackAlignmentMirror mirror = new FeedbackAlignmentMirror(net, fa, 32, 0.1f, 0.5f, new Rng(214), SEQ);
    for (int step = 0; step < 300; step++) {
      mirror.mirror();
    }
    for (int l = 2; l <= 3; l++) {
      double after = Stats.angleTransposedDeg(net.weight(l), fa.feedback(l));
      assertTrue(before[l] > 80 && after < 30, "angle of B" + l + " and W" + l + "^T: " + before[l] + " -> " + after);
      // Fixed point about (0.01 / lambda_B) W^T = 0.02 W^T: compare Frobenius norms.
      double ratio = Ops.frobeniusNorm(fa.feedback(l)) / Ops.frobeniusNorm(net.weight(l));
      assertTrue(ratio > 0.01 && ratio < 0.04, "|B" + l + "| / |W" + l + "| = " + ratio + ", expected about 0.02");
    }
  }
}

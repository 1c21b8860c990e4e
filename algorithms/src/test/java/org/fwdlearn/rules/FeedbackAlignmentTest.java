package org.fwdlearn.rules;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.fwdlearn.core.Init;
import org.fwdlearn.core.Matrix;
import org.fwdlearn.core.Rng;
import org.fwdlearn.nn.Network;
import org.fwdlearn.nn.WeightInit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** FA, DFA and DRTP against backpropagation and against the spec's equations computed in double. */
class FeedbackAlignmentTest {
  private static final int N = 6;

  @ParameterizedTest(name = "dropout {0}, normalization {1}")
  @CsvSource({"0.0, false", "0.25, false", "0.25, true"})
  void faWithTransposedWeightsIsBackprop(float dropout, boolean normalize) {
    Network net = RuleFixtures.network(21, normalize, 7, 6, 5, 4);
    Matrix x = RuleFixtures.inputs(22, N, 7);
    int[] y = RuleFixtures.labels(23, N, 4);
    List<Matrix> b = new ArrayList<>();
    for (int l = 2; l <= net.layers(); l++) {
      b.add(net.weight(l).transpose());
    }
    FeedbackAlignment fa = new FeedbackAlignment(RuleFixtures.context(net, N, dropout, 24), b);
    Backpropagation bp = new Backpropagation(RuleFixtures.context(net, N, dropout, 24));
    fa.computeGradients(x, y);
    bp.computeGradients(x, y);

    // Both are float computations of the same exact value: each lies within the bound of the double BP.
    double k = RuleFixtures.growth(net, N);
    double[][][] masks = Ref.masks(bp.masks(), net.layers());
    Ref.V[] w = Ref.weights(net);
    Ref.V[] ref = Ref.backprop(w, new Ref.Pass(w, Ref.of(x), masks, normalize), masks, normalize, y, k);
    for (int l = 1; l <= net.layers(); l++) {
      Ref.assertClose(fa.gradient(l), ref[l], k, "FA G" + l);
      Ref.assertClose(bp.gradient(l), ref[l], k, "BP G" + l);
      assertTrue(fa.masks().mask(1) == null || fa.masks().mask(1).contentEquals(bp.masks().mask(1)));
    }
  }

  @Test
  void faWithRandomFeedbackFollowsTheSpec() {
    Network net = RuleFixtures.network(31, false, 7, 6, 5, 4);
    Matrix x = RuleFixtures.inputs(32, N, 7);
    int[] y = RuleFixtures.labels(33, N, 4);
    FeedbackAlignment fa = new FeedbackAlignment(RuleFixtures.context(net, N, 0.2f, 34), WeightInit.HE_UNIFORM, new Rng(35));
    fa.computeGradients(x, y);
    double k = RuleFixtures.growth(net, N);
    double[][][] masks = Ref.masks(fa.masks(), net.layers());
    Ref.V[] w = Ref.weights(net);
    Ref.V[] back = new Ref.V[net.layers() + 1];
    for (int l = 2; l <= net.layers(); l++) {
      back[l] = Ref.t(Ref.of(fa.feedback(l)));
      // He-uniform bound of B_l: sqrt(6 / d_{l-1}).
      double bound = Math.sqrt(6.0 / net.size(l - 1));
      for (float v : fa.feedback(l).toArray()) {
        assertTrue(Math.abs(v) <= bound, "B" + l + " entry " + v + " outside +-" + bound);
      }
    }
    Ref.V[] ref = Ref.backprop(back, new Ref.Pass(w, Ref.of(x), masks, false), masks, false, y, k);
    for (int l = 1; l <= net.layers(); l++) {
      Ref.assertClose(fa.gradient(l), ref[l], k, "FA G" + l);
    }
    // Random feedback is not backprop: the first layer's update differs.
    Ref.V[] bpRef = Ref.backprop(w, new Ref.Pass(w, Ref.of(x), masks, false), masks, false, y, k);
    double diff = 0;
    for (int i = 0; i < fa.gradient(1).rows(); i++) {
      for (int j = 0; j < fa.gradient(1).cols(); j++) {
        diff = Math.max(diff, Math.abs(fa.gradient(1).get(i, j) - bpRef[1].v()[i][j]));
      }
    }
    assertTrue(diff > 1e-3, "FA with random B should differ from BP, max diff " + diff);
  }

  @ParameterizedTest(name = "dropout {0}, normalization {1}")
  @CsvSource({"0.0, false", "0.3, false", "0.3, true"})
  void dfaWithOneHiddenLayerAndKEqualW2IsBackprop(float dropout, boolean normalize) {
    Network net = RuleFixtures.network(41, normalize, 8, 6, 3);
    Matrix x = RuleFixtures.inputs(42, N, 8);
    int[] y = RuleFixtures.labels(43, N, 3);
    DirectFeedbackAlignment dfa =
        new DirectFeedbackAlignment(RuleFixtures.context(net, N, dropout, 44), List.of(net.weight(2).copy()));
    Backpropagation bp = new Backpropagation(RuleFixtures.context(net, N, dropout, 44));
    dfa.computeGradients(x, y);
    bp.computeGradients(x, y);
    // The same kernel calls on the same operands: bit-for-bit equal.
    for (int l = 1; l <= 2; l++) {
      assertTrue(dfa.gradient(l).contentEquals(bp.gradient(l)), "G" + l + " differs");
    }
  }

  @Test
  void dfaAndDrtpFollowTheSpec() {
    Network net = RuleFixtures.network(51, false, 7, 6, 5, 3);
    Matrix x = RuleFixtures.inputs(52, N, 7);
    int[] y = RuleFixtures.labels(53, N, 3);
    for (boolean target : new boolean[] {false, true}) {
      RuleContext ctx = RuleFixtures.context(net, N, 0.2f, 54);
      DirectFeedbackAlignment rule =
          target ? new DirectRandomTargetProjection(ctx, new Rng(55)) : new DirectFeedbackAlignment(ctx, new Rng(55));
      rule.computeGradients(x, y);
      double k = RuleFixtures.growth(net, N);
      double[][][] masks = Ref.masks(rule.masks(), net.layers());
      Ref.V[] w = Ref.weights(net);
      Ref.Pass pass = new Ref.Pass(w, Ref.of(x), masks, false);
      Ref.V t = Ref.of(Ref.oneHot(y, N, 3));
      Ref.V e = Ref.add(1, pass.p, -1, t);
      Ref.V signal = target ? t : e;
      for (int l = 1; l < net.layers(); l++) {
        Ref.V kl = Ref.of(rule.feedback(l));
        double bound = Math.sqrt(6.0 / net.size(l));
        for (float v : rule.feedback(l).toArray()) {
          assertTrue(Math.abs(v) <= bound);
        }
        Ref.V d = Ref.reluBackward(pass.a[l], Ref.mask(Ref.mul(1, signal, kl), masks[l]), k);
        Ref.assertClose(rule.gradient(l), Ref.mul(1.0 / N, Ref.t(d), pass.h[l - 1]), k, rule.name() + " G" + l);
      }
      Ref.assertClose(rule.gradient(3), Ref.mul(1.0 / N, Ref.t(e), pass.h[2]), k, rule.name() + " G3");
    }
  }

  @Test
  void rejectsFeedbackOfTheWrongShape() {
    Network net = RuleFixtures.network(61, false, 7, 6, 3);
    RuleContext ctx = RuleFixtures.context(net, N, 0f, 1);
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> new FeedbackAlignment(ctx, List.of(new Matrix(3, 6))));
    assertEquals("B2 is 3x6, expected 6x3 (the shape of W2^T)", e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> new DirectFeedbackAlignment(ctx, List.of()));
    assertThrows(
        IllegalArgumentException.class,
        () -> new DirectFeedbackAlignment(ctx, List.of(Init.uniform(new Matrix(6, 3), -1, 1, new Rng(1)))));
  }
}

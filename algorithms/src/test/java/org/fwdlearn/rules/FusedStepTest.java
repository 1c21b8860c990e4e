package org.fwdlearn.rules;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.function.Function;
import org.fwdlearn.core.Matrix;
import org.fwdlearn.core.Rng;
import org.fwdlearn.core.ThreadPool;
import org.fwdlearn.nn.Network;
import org.fwdlearn.nn.WeightInit;
import org.fwdlearn.optim.NonFiniteGradientException;
import org.fwdlearn.optim.Sgd;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@code rule.step(x, y, sgd)} runs G_1's product fused with W_1's SGD step ({@code Ops.gemmSgd}); it must leave
 * the weights and velocities bit for bit where {@code computeGradients} followed by {@code sgd.step} leaves
 * them, for every rule that makes one update per batch, over several steps (momentum and weight decay on), on
 * one and two threads, with the batch fused (n <= the GEMM's K block) and not (n above it).
 */
class FusedStepTest {

  static List<Function<RuleContext, LearningRule>> rules(int[] d) {
    FeedbackMatrix f = RuleFixtures.feedback(74, d[0], d[d.length - 1], 0.5f);
    return List.of(
        ctx -> new Pepita(ctx, f),
        ctx -> new Pepita(ctx, f).firstLayer(Pepita.FirstLayer.DIRECT),
        ctx -> new PepitaHebbian(ctx, f, Pepita.Sign.MINUS, Pepita.Presynaptic.MODULATED, false),
        ctx -> new Backpropagation(ctx),
        ctx -> new FeedbackAlignment(ctx, WeightInit.HE_UNIFORM, new Rng(8)),
        ctx -> new DirectFeedbackAlignment(ctx, new Rng(9)),
        ctx -> new AdaptiveFeedbackAlignment(ctx, f));
  }

  @ParameterizedTest(name = "sizes {0}, batch {1}, threads {2}")
  @CsvSource({"'40,33,20,7', 24, 1", "'40,33,20,7', 24, 2", "'50,70,10', 64, 2", "'30,17,5', 300, 1"})
  void stepEqualsComputeGradientsThenSgdStep(String sizes, int n, int threads) {
    int[] d = java.util.Arrays.stream(sizes.split(",")).mapToInt(Integer::parseInt).toArray();
    try (ThreadPool pool = new ThreadPool(threads)) {
      for (int r = 0; r < rules(d).size(); r++) {
        Network a = RuleFixtures.network(71, false, d);
        Network b = RuleFixtures.network(71, false, d);
        GradientRule plain = (GradientRule) rules(d).get(r).apply(new RuleContext(a, n, 0.2f, pool, new Rng(5)));
        LearningRule fused = rules(d).get(r).apply(new RuleContext(b, n, 0.2f, pool, new Rng(5)));
        Sgd sa = new Sgd(a.weights(), 0.05f, 0.9f, 1e-3f).threads(pool);
        Sgd sb = new Sgd(b.weights(), 0.05f, 0.9f, 1e-3f).threads(pool);
        for (int step = 0; step < 3; step++) {
          Matrix x = RuleFixtures.inputs(100 + step, n, d[0]);
          int[] y = RuleFixtures.labels(200 + step, n, d[d.length - 1]);
          plain.computeGradients(x, y);
          sa.step(plain.gradients());
          fused.step(x, y, sb);
        }
        for (int l = 1; l <= a.layers(); l++) {
          assertTrue(a.weight(l).contentEquals(b.weight(l)), fused.name() + " (rule " + r + "): W" + l);
          assertTrue(sa.stateBuffers().get(l - 1).contentEquals(sb.stateBuffers().get(l - 1)),
              fused.name() + " (rule " + r + "): V" + l);
        }
      }
    }
  }

  /** An optimiser that is not Sgd, so the rules take their plain path: computeGradients-like products, then step. */
  private static org.fwdlearn.optim.Optimizer plain(Sgd sgd) {
    return new org.fwdlearn.optim.Optimizer() {
      @Override
      public void step(List<Matrix> grads) {
        sgd.step(grads);
      }

      @Override
      public void addToStep(List<Matrix> grads) {
        sgd.addToStep(grads);
      }

      @Override
      public float learningRate() {
        return sgd.learningRate();
      }

      @Override
      public void setLearningRate(float lr) {
        sgd.setLearningRate(lr);
      }

      @Override
      public List<Matrix> parameters() {
        return sgd.parameters();
      }

      @Override
      public List<Matrix> stateBuffers() {
        return sgd.stateBuffers();
      }
    };
  }

  /** Time-local PEPITA fuses its first update (step (a)); its weights are those of the plain path bit for bit. */
  @ParameterizedTest(name = "shared masks {0}, quirks {1}, threads {2}")
  @CsvSource({"false, false, 1", "true, false, 2", "false, true, 2"})
  void timeLocalStepEqualsThePlainPath(boolean shared, boolean quirks, int threads) {
    int[] d = {40, 33, 20, 7};
    int n = 24;
    FeedbackMatrix f = RuleFixtures.feedback(74, d[0], d[d.length - 1], 0.5f);
    try (ThreadPool pool = new ThreadPool(threads)) {
      Network a = RuleFixtures.network(71, false, d);
      Network b = RuleFixtures.network(71, false, d);
      LearningRule ra = new PepitaTimeLocal(new RuleContext(a, n, 0.2f, pool, new Rng(5)), f, Pepita.Sign.MINUS, shared, quirks);
      LearningRule rb = new PepitaTimeLocal(new RuleContext(b, n, 0.2f, pool, new Rng(5)), f, Pepita.Sign.MINUS, shared, quirks);
      Sgd sa = new Sgd(a.weights(), 0.05f, 0.9f, 1e-3f).threads(pool);
      Sgd sb = new Sgd(b.weights(), 0.05f, 0.9f, 1e-3f).threads(pool);
      for (int step = 0; step < 3; step++) {
        Matrix x = RuleFixtures.inputs(100 + step, n, d[0]);
        int[] y = RuleFixtures.labels(200 + step, n, d[d.length - 1]);
        ra.step(x, y, plain(sa));
        rb.step(x, y, sb);
      }
      for (int l = 1; l <= a.layers(); l++) {
        assertTrue(a.weight(l).contentEquals(b.weight(l)), "W" + l);
        assertTrue(sa.stateBuffers().get(l - 1).contentEquals(sb.stateBuffers().get(l - 1)), "V" + l);
      }
    }
  }

  /**
   * Sgd.stepFused checks the stored gradients before touching anything (as step does), and reports a NaN that
   * reaches the fused parameter's product, with the parameters marked modified; fused (n 24) or not (n 300).
   */
  @ParameterizedTest(name = "batch {0}")
  @CsvSource({"24", "300"})
  void stepFusedReportsNonFiniteGradients(int n) {
    Rng rng = new Rng(3);
    Matrix w1 = org.fwdlearn.core.Init.uniform(new Matrix(5, 4), -1f, 1f, rng);
    Matrix w2 = org.fwdlearn.core.Init.uniform(new Matrix(3, 5), -1f, 1f, rng);
    Matrix delta = org.fwdlearn.core.Init.uniform(new Matrix(n, 5), -1f, 1f, rng);
    Matrix pre = org.fwdlearn.core.Init.uniform(new Matrix(n, 4), -1f, 1f, rng);
    List<Matrix> grads = List.of(new Matrix(5, 4), org.fwdlearn.core.Init.uniform(new Matrix(3, 5), -1f, 1f, rng));
    Sgd sgd = new Sgd(List.of(w1, w2), 0.1f, 0.9f, 0f);

    grads.get(1).set(2, 2, Float.POSITIVE_INFINITY);
    Matrix before = w1.copy();
    NonFiniteGradientException stored = assertThrows(NonFiniteGradientException.class,
        () -> sgd.stepFused(grads, 0, org.fwdlearn.core.Transpose.T, org.fwdlearn.core.Transpose.N, 1f / n, delta, pre));
    assertEquals(1, stored.parameter());
    assertTrue(!stored.parametersModified() && w1.contentEquals(before), "nothing modified: " + stored.getMessage());

    grads.get(1).set(2, 2, 0f);
    delta.set(n - 1, 3, Float.NaN);
    NonFiniteGradientException product = assertThrows(NonFiniteGradientException.class,
        () -> sgd.stepFused(grads, 0, org.fwdlearn.core.Transpose.T, org.fwdlearn.core.Transpose.N, 1f / n, delta, pre));
    assertEquals(0, product.parameter());
    assertTrue(product.parametersModified());
    assertEquals("gradient or updated W1 (a non-finite gradient or an overflow: the fused step applies the update"
        + " before it can check) holds a NaN or an infinity", product.getMessage());
  }
}

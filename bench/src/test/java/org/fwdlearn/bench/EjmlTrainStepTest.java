package org.fwdlearn.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import org.ejml.data.FMatrixRMaj;
import org.fwdlearn.core.Init;
import org.fwdlearn.core.Matrix;
import org.fwdlearn.core.Ops;
import org.fwdlearn.core.Rng;
import org.fwdlearn.core.ThreadPool;
import org.fwdlearn.nn.ForwardPass;
import org.fwdlearn.nn.Network;
import org.fwdlearn.nn.WeightInit;
import org.fwdlearn.optim.Sgd;
import org.fwdlearn.rules.Backpropagation;
import org.fwdlearn.rules.FeedbackAlignment;
import org.fwdlearn.rules.FeedbackMatrix;
import org.fwdlearn.rules.LearningRule;
import org.fwdlearn.rules.Pepita;
import org.fwdlearn.rules.PepitaTimeLocal;
import org.fwdlearn.rules.RuleContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The EJML implementations of {@link TrainStepBench} and {@link ForwardPassBench} compute what fwdlearn does.
 *
 * <p>Training steps ({@link EjmlTrainStep} against fwdlearn's rules with {@code Sgd}): from the same weights,
 * momentum buffers, F and B_l, on the same batch and dropout masks (both draw them from generators of the same
 * seed), every weight and momentum entry of both after the step lies within its float32 error bound of a
 * double-precision reference computed here from the spec ({@link BoundedRef}), so the two differ by at most
 * twice that bound. Three steps are taken; before each, EJML and the reference are set to fwdlearn's state, so
 * that every step (with momentum from the second on) is compared from one state and the bound stays that of
 * one step. The bound of an entry is k u m, with m the magnitude of the terms that built it (propagated through
 * every operation) and k = 4 (K + 6 L + 16): K the largest dimension (bounding a product's inner dimension)
 * plus a chain of about 6 L + 16 further roundings, as the rule tests of the algorithms module
 * ({@code RuleFixtures.growth}). So that the comparison sees the updates and not only the weights, at least
 * half of the entries the rule updates must change by more than their bound ({@link #RESOLVE}): an
 * implementation that skipped the update would be outside the bound there.
 *
 * <p>The worst-case bound grows with the width (each product adds K u times the sum of |terms|), so the step is
 * checked on small shapes, one of them (48-44-10) wide enough (>= 40) for EJML's large-matrix "reorder" products
 * that the benchmark shapes use. At 784-1024-10 the bound of a step exceeds its update (for PEPITA and BP, by
 * 2x to 10^4x over the entries, in a trial while writing this test), so a comparison there would not see the
 * update. The forward pass is also checked at the benchmark's MNIST shape.
 */
class EjmlTrainStepTest {
  private static final float MOMENTUM = 0.9f;
  /** Changes must exceed this many times their bound (see the class comment). */
  private static final double RESOLVE = 1;

  static Stream<Arguments> stepCases() {
    List<Arguments> cases = new ArrayList<>();
    for (String rule : EjmlTrainStep.RULES) {
      for (String shape : List.of("20-16-5", "20-12-12-5", "48-44-10")) {
        cases.add(Arguments.of(rule, shape, 0f, 0f, 1));
        cases.add(Arguments.of(rule, shape, 0.1f, 1e-3f, 1));
      }
      // The multi-threaded paths: fwdlearn on two threads, EJML's CommonOps_MT_FDRM.
      cases.add(Arguments.of(rule, "20-12-12-5", 0.1f, 0f, 2));
    }
    return cases.stream();
  }

  @ParameterizedTest(name = "{0} {1}, dropout {2}, weight decay {3}, threads {4}")
  @MethodSource("stepCases")
  void threeStepsGiveTheSameWeights(String rule, String shape, float dropout, float weightDecay, int threads) {
    check(rule, TrainStepBench.sizes(shape), 8, 3, dropout, weightDecay, threads, 0.05f, 1f, RESOLVE);
  }

  /**
   * The inference pass of {@link ForwardPassBench} ({@link EjmlMlp.Pass}): fwdlearn's and EJML's logits within
   * their bound of the reference, and the same predicted class wherever the top two reference logits are further
   * apart than twice the bound. The bound must stay below a quarter of the logits' root mean square (else the
   * check would see little); the worst-case bound grows with width and depth, so the benchmark's MNIST shape is
   * checked, its deeper and wider shapes are not (at 784-1024-1024-1024-10 the bound is about 270 on logits of
   * about 1, at 3072-1024-10 about 1).
   */
  @ParameterizedTest(name = "{0}, batch {1}, threads {2}")
  @CsvSource({"784-1024-10, 64, 1", "784-1024-10, 1, 2", "64-48-48-48-10, 16, 1"})
  void forwardPassGivesTheSameLogits(String shape, int batch, int threads) {
    int[] d = TrainStepBench.sizes(shape);
    int layers = d.length - 1;
    int classes = d[layers];
    Network net = Network.create(d, WeightInit.HE_UNIFORM, false, new Rng(21));
    Matrix x = Init.uniform(new Matrix(batch, d[0]), 0f, 1f, new Rng(22));
    int[] byFwd = new int[batch];
    int[] byEjml = new int[batch];
    Matrix logits;
    try (ThreadPool pool = new ThreadPool(threads)) {
      ForwardPass pass = new ForwardPass(net, batch);
      pass.run(x, null, pool);
      Ops.argmaxRows(pass.logits(), byFwd);
      logits = pass.logits().copy();
    }
    EjmlMlp.Pass ejml = new EjmlMlp(net.weights(), threads).new Pass(batch);
    ejml.run(EjmlMlp.ejml(x), null);
    ejml.predict(byEjml);

    BoundedRef.T[] w = new BoundedRef.T[layers + 1];
    for (int l = 1; l <= layers; l++) {
      w[l] = BoundedRef.T.exact(net.weight(l));
    }
    BoundedRef.T ref = new BoundedRef.Pass(w, BoundedRef.T.exact(x), null).a[layers];
    double k = 4.0 * (Math.max(batch, Arrays.stream(d).max().orElseThrow()) + 6 * layers + 16);
    compare(shape + " batch " + batch + ": logits", logits, ejml.preActivation(layers), ref, k, null, null, 0);
    double sumSquares = 0;
    double maxBound = 0;
    for (int idx = 0; idx < batch * classes; idx++) {
      sumSquares += ref.v()[idx] * ref.v()[idx];
      maxBound = Math.max(maxBound, k * BoundedRef.U * ref.m()[idx]);
    }
    double rms = Math.sqrt(sumSquares / (batch * classes));
    System.out.printf(Locale.ROOT, "%s batch %d: logits' rms %.3g, largest bound %.3g%n", shape, batch, rms, maxBound);
    assertTrue(maxBound < 0.25 * rms, shape + ": the bound " + maxBound + " is not small against the logits (rms " + rms + ")");
    for (int i = 0; i < batch; i++) {
      double[] row = Arrays.copyOfRange(ref.v(), i * classes, (i + 1) * classes);
      Arrays.sort(row);
      if (row[classes - 1] - row[classes - 2] > 2 * maxBound) {
        assertEquals(byFwd[i], byEjml[i], shape + ": predicted class of row " + i);
      }
    }
  }

  @Test
  void rejectsAnUnknownRuleAndAMissingFeedback() {
    EjmlMlp mlp = new EjmlMlp(Network.create(new int[] {4, 3, 2}, WeightInit.HE_UNIFORM, false, new Rng(1)).weights(), 1);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new EjmlTrainStep(mlp, "dfa", 2, 0f, new Rng(2), null, null, 0.1f, 0f, 0f));
    assertTrue(e.getMessage().contains("dfa"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> new EjmlTrainStep(mlp, "pepita", 2, 0f, new Rng(2), null, null, 0.1f, 0f, 0f));
    assertTrue(e.getMessage().contains("4x2"), e.getMessage());
    EjmlTrainStep bp = new EjmlTrainStep(mlp, "bp", 2, 0f, new Rng(2), null, null, 0.1f, 0f, 0f);
    e = assertThrows(IllegalArgumentException.class, () -> bp.step(new FMatrixRMaj(3, 4), new int[3]));
    assertTrue(e.getMessage().contains("3x4"), e.getMessage());
  }

  /**
   * Trains {@code steps} batches with fwdlearn; before each step, EJML and the reference are set to fwdlearn's
   * weights and momentum buffers, so that the three take the step from the same state (with momentum from the
   * second step on), and after it the weights and momentum buffers are compared.
   *
   * @param resolve in every layer, at least half of the weights the rule updates must change by more than this
   *     many times their bound
   */
  private static void check(
      String rule, int[] d, int n, int steps, float dropout, float weightDecay, int threads, float lr, float fScale,
      double resolve) {
    int layers = d.length - 1;
    int classes = d[layers];
    Network net = Network.create(d, WeightInit.HE_UNIFORM, false, new Rng(11));
    Matrix f = FeedbackMatrix.uniform(d[0], classes, fScale, true, new Rng(12)).f(ThreadPool.sequential());
    List<Matrix> b = new ArrayList<>();
    Rng bRng = new Rng(13);
    for (int l = 2; l <= layers; l++) {
      b.add(WeightInit.HE_UNIFORM.fill(new Matrix(d[l], d[l - 1]), bRng).transpose());
    }
    Rng data = new Rng(14);
    long maskSeed = 15;
    int maxDim = Math.max(n, Arrays.stream(d).max().orElseThrow());
    double k = 4.0 * (maxDim + 6 * layers + 16);
    BoundedRef.T fr = BoundedRef.T.exact(f);
    BoundedRef.T[] br = new BoundedRef.T[layers + 1];
    for (int l = 2; l <= layers; l++) {
      br[l] = BoundedRef.T.exact(b.get(l - 2));
    }

    try (ThreadPool pool = new ThreadPool(threads)) {
      RuleContext ctx = new RuleContext(net, n, dropout, pool, new Rng(maskSeed));
      LearningRule fwd = switch (rule) {
        case "pepita" -> new Pepita(ctx, FeedbackMatrix.of(f));
        case "pepita-tl" -> new PepitaTimeLocal(ctx, FeedbackMatrix.of(f), Pepita.Sign.MINUS, false, false);
        case "fa" -> new FeedbackAlignment(ctx, b);
        case "bp" -> new Backpropagation(ctx);
        default -> throw new IllegalArgumentException(rule);
      };
      Sgd sgd = new Sgd(net.weights(), lr, MOMENTUM, weightDecay);
      EjmlMlp mlp = new EjmlMlp(net.weights(), threads);
      EjmlTrainStep ejml = new EjmlTrainStep(mlp, rule, n, dropout, new Rng(maskSeed), f, b, lr, MOMENTUM, weightDecay);
      assertEquals(rule, ejml.rule());
      Rng refMasks = new Rng(maskSeed);

      for (int s = 0; s < steps; s++) {
        Matrix x = Init.uniform(new Matrix(n, d[0]), 0f, 1f, data);
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
          y[i] = data.nextInt(classes);
        }
        List<Matrix> w0 = copies(net.weights());
        List<Matrix> v0 = copies(sgd.stateBuffers());
        mlp.setWeights(w0);
        for (int l = 1; l <= layers; l++) {
          System.arraycopy(v0.get(l - 1).data(), 0, ejml.velocity(l).data, 0, v0.get(l - 1).size());
        }
        BoundedRef.Trainer ref = new BoundedRef.Trainer(w0, v0, lr, MOMENTUM, weightDecay, k);

        fwd.step(x, y, sgd);
        ejml.step(EjmlMlp.ejml(x), y);
        double[][] m1 = masks(d, n, dropout, refMasks);
        double[][] m2 = rule.equals("pepita-tl") ? masks(d, n, dropout, refMasks) : null;
        ref.step(rule, BoundedRef.T.exact(x), y, m1, m2, fr, br);

        String what = rule + " " + Arrays.toString(d) + " dropout " + dropout + " threads " + threads + " step " + (s + 1);
        for (int l = 1; l <= layers; l++) {
          compare(what + ": V" + l, sgd.stateBuffers().get(l - 1), ejml.velocity(l), ref.vel[l], k, null, null, 0);
          compare(what + ": W" + l, net.weight(l), mlp.weight(l), ref.w[l], k, w0.get(l - 1), ref.touched[l], resolve);
        }
      }
    }
  }

  private static List<Matrix> copies(List<Matrix> ms) {
    List<Matrix> c = new ArrayList<>();
    for (Matrix m : ms) {
      c.add(m.copy());
    }
    return c;
  }

  /**
   * |ejml - ref| and |fwd - ref| within k u m, hence |fwd - ejml| within 2 k u m, entry by entry; with {@code
   * before}, at least half of the entries the rule updated ({@code touched}) change by more than {@code resolve}
   * times their bound.
   */
  private static void compare(
      String what, Matrix fwd, FMatrixRMaj ejml, BoundedRef.T ref, double k, Matrix before, boolean[] touched,
      double resolve) {
    int changed = 0;
    int resolved = 0;
    List<Double> ratios = new ArrayList<>();
    for (int i = 0; i < fwd.rows(); i++) {
      for (int j = 0; j < fwd.cols(); j++) {
        int idx = i * fwd.cols() + j;
        double tol = k * BoundedRef.U * ref.m()[idx];
        double expected = ref.v()[idx];
        double byFwd = fwd.get(i, j);
        double byEjml = ejml.get(i, j);
        if (!(Math.abs(byEjml - expected) <= tol)) {
          fail(what + "(" + i + "," + j + "): EJML " + byEjml + ", reference " + expected + " +- " + tol);
        }
        if (!(Math.abs(byFwd - expected) <= tol)) {
          fail(what + "(" + i + "," + j + "): fwdlearn " + byFwd + ", reference " + expected + " +- " + tol);
        }
        if (!(Math.abs(byFwd - byEjml) <= 2 * tol)) {
          fail(what + "(" + i + "," + j + "): fwdlearn " + byFwd + " vs EJML " + byEjml + ", allowed +- " + 2 * tol);
        }
        if (before != null && touched[idx]) {
          double change = Math.abs(expected - before.get(i, j));
          ratios.add(change / tol);
          changed++;
          if (change > resolve * tol) {
            resolved++;
          }
        }
      }
    }
    if (before != null) {
      Collections.sort(ratios);
      System.out.printf(Locale.ROOT, "%s: %d of %d updated entries resolved; change / bound: 10%% %.3g, median %.3g%n",
          what, resolved, changed, ratios.get(ratios.size() / 10), ratios.get(ratios.size() / 2));
      assertTrue(changed > 0 && 2 * resolved >= changed,
          what + ": only " + resolved + " of the " + changed + " changed entries change by more than " + resolve
              + " times their tolerance");
    }
  }

  /** The masks of one pass as fwdlearn and EJML draw them: layer 1 first, row-major, u < p ? 0 : 1/(1-p). */
  private static double[][] masks(int[] d, int n, float p, Rng rng) {
    if (p == 0f) {
      return null;
    }
    float keep = 1f / (1f - p);
    double[][] m = new double[d.length - 1][];
    for (int l = 1; l < d.length - 1; l++) {
      m[l] = new double[n * d[l]];
      for (int i = 0; i < m[l].length; i++) {
        m[l][i] = rng.nextFloat() < p ? 0f : keep;
      }
    }
    return m;
  }
}

package org.fwdlearn.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.fwdlearn.core.Init;
import org.fwdlearn.core.Matrix;
import org.fwdlearn.core.Ops;
import org.fwdlearn.core.Rng;
import org.fwdlearn.core.ThreadPool;
import org.junit.jupiter.api.Test;

class NetworkTest {
  @Test
  void initialisesWithinTheHeBounds() {
    Network net = Network.create(new int[] {50, 40, 10}, WeightInit.HE_UNIFORM, false, new Rng(1));
    for (int l = 1; l <= 2; l++) {
      double a = Math.sqrt(6.0 / net.size(l - 1));
      for (float v : net.weight(l).toArray()) {
        assertTrue(Math.abs(v) <= a, "W" + l + " entry " + v + " outside +-" + a);
      }
    }
    assertArrayEquals(new int[] {50, 40, 10}, net.sizes());
    assertEquals(2, net.layers());
    Network same = Network.create(new int[] {50, 40, 10}, WeightInit.HE_UNIFORM, false, new Rng(1));
    assertTrue(same.weight(2).contentEquals(net.weight(2)), "same seed, same weights");
  }

  @Test
  void fromWeightsChecksTheChainOfShapes() {
    IllegalArgumentException e = assertThrows(
        IllegalArgumentException.class, () -> Network.fromWeights(List.of(new Matrix(4, 3), new Matrix(2, 5))));
    assertEquals("W2 is 2x5 but must be d_2x4 (its columns = the rows of W1, all sizes >= 1)", e.getMessage());
    Network net = Network.fromWeights(List.of(new Matrix(4, 3), new Matrix(2, 4)));
    assertArrayEquals(new int[] {3, 4, 2}, net.sizes());
    IllegalArgumentException in = assertThrows(IllegalArgumentException.class, () -> net.logits(new Matrix(2, 5)));
    assertEquals("input 2x5 has 5 features, the network expects 3", in.getMessage());
  }

  @Test
  void logitsAreTheBiasFreeReluForwardPass() {
    Matrix w1 = Matrix.of(new float[] {1f, -1f}, new float[] {0.5f, 2f}, new float[] {-1f, -1f});
    Matrix w2 = Matrix.of(new float[] {1f, 0f, 3f}, new float[] {-2f, 1f, 1f});
    Network net = Network.fromWeights(List.of(w1, w2));
    Matrix x = Matrix.of(new float[] {1f, 2f}, new float[] {-1f, 0.5f});
    // Row 1: A1 = (-1, 4.5, -3), H1 = (0, 4.5, 0), logits = (0, 4.5). Row 2: A1 = (-1.5, 0.5, 0.5),
    // H1 = (0, 0.5, 0.5), logits = (1.5, 1).
    assertTrue(net.logits(x).contentEquals(Matrix.of(new float[] {0f, 4.5f}, new float[] {1.5f, 1f})));
    int[] p = new int[2];
    net.predict(x, p);
    assertArrayEquals(new int[] {1, 0}, p);
  }

  @Test
  void normalizationScalesLogitsButNeverChangesPredictions() {
    Network plain = Network.create(new int[] {12, 16, 8, 5}, WeightInit.HE_NORMAL, false, new Rng(3));
    Network norm = Network.fromWeights(plain.weights(), true);
    Matrix x = Init.uniform(new Matrix(30, 12), 0f, 1f, new Rng(4));
    int[] a = new int[30];
    int[] b = new int[30];
    plain.predict(x, a);
    norm.predict(x, b);
    assertArrayEquals(a, b);
    // Each layer divides by one positive scalar: logits scale by the product of the scalars.
    Matrix la = plain.logits(x);
    Matrix lb = norm.logits(x);
    double ratio = Ops.frobeniusNorm(lb) / Ops.frobeniusNorm(la);
    assertTrue(ratio < 0.5, "normalized logits are smaller, ratio " + ratio);
  }

  @Test
  void predictsFromManyThreadsAtOnce() throws Exception {
    Network net = Network.create(new int[] {20, 32, 6}, WeightInit.HE_UNIFORM, true, new Rng(5));
    List<Matrix> inputs = new ArrayList<>();
    List<int[]> expected = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      Matrix x = Init.uniform(new Matrix(50, 20), 0f, 1f, new Rng(100 + i));
      inputs.add(x);
      int[] p = new int[50];
      net.predict(x, p);
      expected.add(p);
    }
    ExecutorService ex = Executors.newFixedThreadPool(4);
    try (ThreadPool pool = new ThreadPool(2)) {
      List<Future<Boolean>> results = new ArrayList<>();
      for (int rep = 0; rep < 20; rep++) {
        for (int i = 0; i < 8; i++) {
          int k = i;
          boolean usePool = rep % 2 == 0;
          results.add(ex.submit(() -> {
            int[] p = new int[50];
            if (usePool) {
              net.predict(inputs.get(k), p, pool);
            } else {
              net.predict(inputs.get(k), p);
            }
            return java.util.Arrays.equals(p, expected.get(k))
                && net.logits(inputs.get(k)).contentEquals(net.logits(inputs.get(k)));
          }));
        }
      }
      for (Future<Boolean> f : results) {
        assertTrue(f.get());
      }
    } finally {
      ex.shutdownNow();
    }
  }

  @Test
  void dropoutMasksAreInvertedBernoulli() {
    DropoutMasks masks = new DropoutMasks(new int[] {4, 100, 50, 3}, 64, 0.25f);
    masks.draw(new Rng(9));
    int zeros = 0;
    for (int l = 1; l <= 2; l++) {
      for (float v : masks.mask(l).toArray()) {
        assertTrue(v == 0f || v == 1f / 0.75f, "mask entry " + v);
        zeros += v == 0f ? 1 : 0;
      }
    }
    // 64 x 150 Bernoulli(0.25) draws: mean 2400, standard deviation about 42.4; 5 sigma.
    assertEquals(2400, zeros, 5 * 42.4);
    DropoutMasks off = new DropoutMasks(new int[] {4, 100, 3}, 64, 0f);
    assertTrue(!off.active() && off.mask(1) == null);
  }
}

package org.fwdlearn.ff;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Map;
import org.fwdlearn.core.Matrix;
import org.fwdlearn.core.Rng;
import org.fwdlearn.data.Dataset;
import org.fwdlearn.data.DatasetSplit;
import org.fwdlearn.train.TrainConfig;
import org.fwdlearn.train.TrainingResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The Forward-Forward trainer on a small seeded problem: learning, schedules, determinism and resuming. */
class FfTrainerTest {
  private static final int C = 3;
  private static final int D = 24;

  /** C classes of D features: the first C features 0 (they will hold the label code), the rest a class prototype plus noise. */
  static DatasetSplit toy(int trainN, int testN, long seed) {
    Rng r = new Rng(seed);
    float[][] proto = new float[C][D];
    for (int c = 0; c < C; c++) {
      for (int k = C; k < D; k++) {
        proto[c][k] = r.nextFloat();
      }
    }
    return new DatasetSplit(make("toy-train", trainN, proto, r), make("toy-test", testN, proto, r));
  }

  private static Dataset make(String name, int n, float[][] proto, Rng r) {
    Matrix x = new Matrix(n, D);
    int[] y = new int[n];
    for (int i = 0; i < n; i++) {
      y[i] = r.nextInt(C);
      for (int k = C; k < D; k++) {
        x.set(i, k, (float) (proto[y[i]][k] + 0.3 * r.nextGaussian()));
      }
    }
    return new Dataset(name, x, y, C, new int[] {1, 1, D});
  }

  static TrainConfig config() {
    TrainConfig c = new TrainConfig();
    c.rule = "ff";
    c.hidden = new int[] {32, 32};
    c.epochs = 12;
    c.batch = 30;
    c.testBatch = 50;
    c.dropout = 0f;
    c.decayEpochs = new int[0];
    c.ffOptimizer = "adam";
    c.lr = 0.01f;
    c.ffReadoutLr = 0.05f;
    c.threads = 1;
    c.seed = 7;
    return c;
  }

  @ParameterizedTest(name = "{0} read-out, {1} schedule, {2} goodness, {3} normalisation, {4} lr {5}")
  @CsvSource({
    "linear, simultaneous, sum, rms, adam, 0.01",
    "goodness, simultaneous, sum, rms, adam, 0.01",
    "goodness, layerwise, mean, l2, adam, 0.1",
    "linear, simultaneous, sum, rms, sgd, 0.003"
  })
  void learnsASeparableProblem(String readout, String schedule, String goodness, String norm, String optimizer, float lr) {
    TrainConfig c = config();
    c.lr = lr;
    c.ffReadout = readout;
    c.ffSchedule = schedule;
    c.ffGoodness = goodness;
    c.ffNorm = norm;
    c.ffOptimizer = optimizer;
    if (goodness.equals("mean")) {
      c.ffThreshold = 2f; // mpezeshki's
      c.ffSkipFirst = false;
    }
    try (FfTrainer t = new FfTrainer(c, toy(300, 150, 1))) {
      TrainingResult r = t.run();
      assertEquals(12, r.epochs().size());
      assertTrue(r.finalTestAccuracy() >= 0.9, "test accuracy " + r.finalTestAccuracy());
      FfEpochStats last = t.stats().get(11);
      for (int l = last.firstTrained(); l <= last.lastTrained(); l++) {
        assertTrue(last.separation()[l - 1] > 0.7, "layer " + l + " separates positive and negative data: "
            + last.separation()[l - 1]);
        assertTrue(last.positiveGoodness()[l - 1] > last.negativeGoodness()[l - 1]);
      }
      assertTrue(Double.isFinite(last.testAccuracyGoodness()), "the goodness read-out is evaluated after the last epoch");
    }
  }

  @Test
  void layerwiseScheduleTrainsOneLayerAfterTheOtherAndLeavesTheOthersAlone() {
    TrainConfig c = config();
    c.ffSchedule = "layerwise";
    c.hidden = new int[] {16, 16, 16};
    c.epochs = 7; // 2 epochs each for layers 1 and 2, 3 for layer 3
    c.ffReadout = "goodness";
    try (FfTrainer t = new FfTrainer(c, toy(90, 30, 2))) {
      int[][] expect = {{1, 1}, {1, 1}, {2, 2}, {2, 2}, {3, 3}, {3, 3}, {3, 3}};
      for (int e = 0; e < 7; e++) {
        assertArrayEquals(expect[e], t.trainedLayers(e), "epoch " + e);
      }
      Matrix w1 = t.network().weight(1).copy();
      Matrix w3 = t.network().weight(3).copy();
      t.run(new org.fwdlearn.train.TrainingListener() {
        @Override
        public void epochDone(org.fwdlearn.train.EpochReport r) {
          if (r.epoch() == 1) {
            assertTrue(t.network().weight(3).contentEquals(w3), "layer 3 must not change while layer 1 trains");
          }
        }
      });
      assertTrue(!t.network().weight(1).contentEquals(w1));
      FfEpochStats s = t.stats().get(3);
      assertTrue(Double.isNaN(s.loss()[0]) && Double.isFinite(s.loss()[1]) && Double.isNaN(s.loss()[2]));
    }
  }

  @Test
  void learningRateFollowsStepDecayAndTheLinearCoolDown() {
    TrainConfig c = config();
    c.epochs = 100;
    c.decayEpochs = new int[] {10};
    c.lrDecay = 0.5f;
    try (FfTrainer t = new FfTrainer(c, toy(60, 30, 3))) {
      assertEquals(1.0, t.lrFactor(0));
      assertEquals(1.0, t.lrFactor(10)); // decays at the END of epoch 10
      assertEquals(0.5, t.lrFactor(11));
      assertEquals(0.5, t.lrFactor(50)); // loeweX: cool-down only for epoch > E/2
      assertEquals(0.5 * 2 * 50 / 100.0, t.lrFactor(51), 1e-15);
      assertEquals(0.5 * 2 * 2 / 100.0, t.lrFactor(99), 1e-15);
    }
  }

  @Test
  void permutedNegativesAreTheLabelsOfARandomPermutationDrawnOncePerSeed() {
    int[] labels = new int[500];
    for (int i = 0; i < labels.length; i++) {
      labels[i] = (i * 7) % 10;
    }
    int[] a = FfTrainer.permutedLabels(labels, new org.fwdlearn.core.Rng(3).stream(7));
    int[] b = FfTrainer.permutedLabels(labels, new org.fwdlearn.core.Rng(3).stream(7));
    int[] other = FfTrainer.permutedLabels(labels, new org.fwdlearn.core.Rng(4).stream(7));
    assertTrue(java.util.Arrays.equals(a, b), "same seed, different negatives");
    assertTrue(!java.util.Arrays.equals(a, other), "another seed gave the same negatives");
    int[] sortedA = a.clone();
    int[] sortedLabels = labels.clone();
    java.util.Arrays.sort(sortedA);
    java.util.Arrays.sort(sortedLabels);
    assertTrue(java.util.Arrays.equals(sortedA, sortedLabels), "not a permutation of the labels");
  }

  @Test
  void permutedNegativesChangeTheRunAndBadSettingsAreRejected() {
    TrainConfig c = config();
    c.epochs = 2;
    DatasetSplit data = toy(120, 60, 6);
    Map<String, Matrix> fresh;
    try (FfTrainer t = new FfTrainer(c, data)) {
      t.run();
      fresh = copy(t.namedTensors());
    }
    TrainConfig p = c.copy();
    p.ffNegatives = "permuted";
    try (FfTrainer t = new FfTrainer(p, data)) {
      t.run();
      assertTrue(!t.namedTensors().get("W1").contentEquals(fresh.get("W1")),
          "permuted negatives trained the same weights as fresh ones");
    }
    TrainConfig bad = c.copy();
    bad.ffNegatives = "shuffled";
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, bad::validate);
    assertTrue(e.getMessage().contains("ff-negatives"), e.getMessage());
  }

  @ParameterizedTest(name = "{0} negatives")
  @CsvSource({"fresh", "permuted"})
  void sameSeedSameWeightsAndAResumedRunEndsWhereAnUninterruptedOneEnds(String negatives) throws IOException {
    TrainConfig c = config();
    c.ffNegatives = negatives;
    c.epochs = 4;
    c.ffPeer = 0.03f;
    DatasetSplit data = toy(120, 60, 4);
    Map<String, Matrix> full;
    try (FfTrainer t = new FfTrainer(c, data)) {
      t.run();
      full = copy(t.namedTensors());
    }
    TrainConfig two = c.copy();
    two.threads = 2; // the thread count does not change the results
    byte[] checkpoint;
    try (FfTrainer a = new FfTrainer(c, data)) {
      try {
        a.run(new StopAfter(2)); // a killed run: epochs 0 and 1 complete
      } catch (StopAfter.Stop s) {
        // expected
      }
      assertEquals(2, a.nextEpoch());
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      a.saveCheckpoint(bytes);
      checkpoint = bytes.toByteArray();
    }
    try (FfTrainer b = new FfTrainer(two, data)) {
      b.loadCheckpoint(new ByteArrayInputStream(checkpoint));
      assertEquals(2, b.nextEpoch());
      b.run();
      assertEquals(4, b.reports().size());
      for (Map.Entry<String, Matrix> e : b.namedTensors().entrySet()) {
        assertTrue(e.getValue().contentEquals(full.get(e.getKey())), e.getKey() + " differs after resuming");
      }
    }
  }

  /** Stops a run after a number of epochs by throwing from the listener (after the epoch is complete). */
  private static final class StopAfter implements org.fwdlearn.train.TrainingListener {
    static final class Stop extends RuntimeException {
      private static final long serialVersionUID = 1L;
    }

    private final int epochs;

    StopAfter(int epochs) {
      this.epochs = epochs;
    }

    @Override
    public void epochDone(org.fwdlearn.train.EpochReport r) {
      if (r.epoch() + 1 == epochs) {
        throw new Stop();
      }
    }
  }

  private static Map<String, Matrix> copy(Map<String, Matrix> m) {
    Map<String, Matrix> c = new java.util.LinkedHashMap<>();
    m.forEach((k, v) -> c.put(k, v.copy()));
    return c;
  }

  @Test
  void settingsThatDoNotApplyToFfAreRejectedByName() {
    TrainConfig c = config();
    c.dropout = 0.1f;
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new FfTrainer(c, toy(60, 30, 5)));
    assertTrue(e.getMessage().contains("dropout") && e.getMessage().contains("--dropout 0"), e.getMessage());
    TrainConfig d = config();
    d.hidden = new int[] {8};
    e = assertThrows(IllegalArgumentException.class, () -> new FfTrainer(d, toy(60, 30, 5)));
    assertTrue(e.getMessage().contains("ff-skip-first"), e.getMessage());
    TrainConfig m = config();
    m.mirror = true;
    e = assertThrows(IllegalArgumentException.class, () -> new FfTrainer(m, toy(60, 30, 5)));
    assertTrue(e.getMessage().contains("mirror"), e.getMessage());
  }
}

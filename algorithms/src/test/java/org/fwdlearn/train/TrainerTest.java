package org.fwdlearn.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.fwdlearn.core.Matrix;
import org.fwdlearn.core.Ops;
import org.fwdlearn.data.DatasetSplit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The trainer's protocol: learning, determinism, checkpoints, divergence, schedule and evaluation. */
class TrainerTest {
  private static final DatasetSplit DATA = Tasks.clusters(1, 16, 4, 960, 400, 0.35);

  private static TrainingResult train(TrainConfig c) {
    try (Trainer t = new Trainer(c, DATA)) {
      return t.run();
    }
  }

  /** Every rule learns the cluster task: test loss falls and accuracy ends well above chance (0.25). */
  @ParameterizedTest(name = "{0} (lr {1}, mirror {2}, quirks {3})")
  @CsvSource({
    "bp, 0.01, false, false",
    "fa, 0.01, false, false",
    "fa, 0.01, true, false",
    "dfa, 0.01, false, false",
    "drtp, 0.003, false, false",
    "pepita, 0.1, false, false",
    "pepita, 0.1, true, false",
    "pepita-hebbian, 0.1, false, false",
    "pepita-hebbian, 0.1, false, true",
    "pepita-tl, 0.01, false, false",
    "pepita-tl, 0.01, false, true",
    "afa, 0.1, false, false"
  })
  void everyRuleLearnsASmallGeneratedTask(String rule, float lr, boolean mirror, boolean quirks) {
    TrainConfig c = Tasks.config(rule);
    c.lr = lr;
    c.mirror = mirror;
    c.referenceQuirks = quirks;
    c.epochs = mirror ? 5 : 4;
    try (Trainer t = new Trainer(c, DATA)) {
      Evaluation before = t.evaluate(DATA.test());
      TrainingResult r = t.run();
      EpochReport last = r.epochs().get(r.epochs().size() - 1);
      assertTrue(last.testLoss() < 0.7 * before.loss(), rule + ": test loss " + before.loss() + " -> " + last.testLoss());
      assertTrue(last.testAccuracy() > 0.6, rule + ": test accuracy " + before.accuracy() + " -> " + last.testAccuracy());
      assertTrue(last.trainAccuracy() > 0.5, rule + ": train accuracy " + last.trainAccuracy());
      assertEquals(last.testAccuracy(), r.finalTestAccuracy());
    }
  }

  @Test
  void sameSeedGivesTheSameWeightsBitForBitWithOneOrTwoThreads() {
    for (String rule : List.of("pepita", "bp", "pepita-tl")) {
      TrainConfig c = Tasks.config(rule);
      c.epochs = 2;
      c.hidden = new int[] {40, 24};
      c.mirror = rule.equals("pepita");
      List<Map<String, Matrix>> tensors = new ArrayList<>();
      List<List<EpochReport>> reports = new ArrayList<>();
      for (int threads : new int[] {1, 2}) {
        c.threads = threads;
        try (Trainer t = new Trainer(c, DATA)) {
          reports.add(t.run().epochs());
          tensors.add(copy(t.namedTensors()));
        }
      }
      assertSameTensors(tensors.get(0), tensors.get(1), rule + " threads 1 vs 2");
      for (int e = 0; e < 2; e++) {
        assertEquals(reports.get(0).get(e).testLoss(), reports.get(1).get(e).testLoss());
        assertEquals(reports.get(0).get(e).trainLoss(), reports.get(1).get(e).trainLoss());
      }
    }
  }

  private static Map<String, Matrix> copy(Map<String, Matrix> m) {
    Map<String, Matrix> c = new java.util.LinkedHashMap<>();
    m.forEach((k, v) -> c.put(k, v.copy()));
    return c;
  }

  private static void assertSameTensors(Map<String, Matrix> a, Map<String, Matrix> b, String what) {
    assertEquals(a.keySet(), b.keySet(), what);
    for (String k : a.keySet()) {
      assertTrue(a.get(k).contentEquals(b.get(k)), what + ": tensor " + k + " differs");
    }
  }

  /** Stop after epoch e, restore into a fresh trainer, continue: the same end state as an uninterrupted run. */
  @ParameterizedTest(name = "{0}, mirror {1}")
  @CsvSource({"pepita, true", "pepita-tl, false", "fa, true", "drtp, false"})
  void checkpointResumeIsBitForBit(String rule, boolean mirror) throws IOException {
    TrainConfig c = Tasks.config(rule);
    c.epochs = 3;
    c.mirror = mirror;
    c.decayEpochs = new int[] {0};
    c.lrDecay = 0.5f;
    Map<String, Matrix> uninterrupted;
    List<EpochReport> full;
    try (Trainer t = new Trainer(c, DATA)) {
      full = t.run().epochs();
      uninterrupted = copy(t.namedTensors());
    }
    TrainConfig first = c.copy();
    first.epochs = 2;
    byte[] checkpoint;
    try (Trainer t = new Trainer(first, DATA)) {
      t.run();
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      t.saveCheckpoint(out);
      checkpoint = out.toByteArray();
    }
    try (Trainer t = new Trainer(c, DATA)) {
      t.loadCheckpoint(new ByteArrayInputStream(checkpoint));
      assertEquals(2, t.nextEpoch());
      TrainingResult r = t.run();
      assertSameTensors(uninterrupted, t.namedTensors(), rule + " resumed");
      assertEquals(3, r.epochs().size());
      for (int e = 0; e < 3; e++) {
        assertEquals(full.get(e).testLoss(), r.epochs().get(e).testLoss(), "epoch " + e);
        assertEquals(full.get(e).lr(), r.epochs().get(e).lr(), "epoch " + e);
      }
      assertEquals(3, t.nextEpoch());
      assertTrue(t.run().epochs().size() == 3, "nothing left to train");
    }
  }

  @Test
  void checkpointOfAnotherRunShapeIsRefused() throws IOException {
    TrainConfig c = Tasks.config("bp");
    c.epochs = 1;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (Trainer t = new Trainer(c, DATA)) {
      t.run();
      t.saveCheckpoint(out);
    }
    TrainConfig other = c.copy();
    other.hidden = new int[] {20};
    try (Trainer t = new Trainer(other, DATA)) {
      IllegalArgumentException e = assertThrows(
          IllegalArgumentException.class, () -> t.loadCheckpoint(new ByteArrayInputStream(out.toByteArray())));
      assertTrue(e.getMessage().contains("sizes [16, 32, 4]") && e.getMessage().contains("sizes [16, 20, 4]"), e.getMessage());
      assertEquals(0, t.nextEpoch());
    }
  }

  @Test
  void aNonFiniteGradientIsNotAppliedAndTheErrorNamesEpochAndStep() {
    // One training example holds a NaN: the step whose batch contains it yields a NaN gradient.
    org.fwdlearn.data.Dataset train = DATA.train();
    Matrix x = train.x().copy();
    x.set(500, 3, Float.NaN);
    DatasetSplit poisoned = new DatasetSplit(
        new org.fwdlearn.data.Dataset("poisoned", x, train.labels(), 4, train.shape()), DATA.test());
    TrainConfig c = Tasks.config("pepita");
    c.epochs = 2;
    try (Trainer t = new Trainer(c, poisoned)) {
      TrainingDivergedException e = assertThrows(TrainingDivergedException.class, t::run);
      assertEquals(0, e.epoch());
      assertTrue(e.getMessage().startsWith("training diverged at epoch 0, step " + e.step() + " of 60"), e.getMessage());
      assertTrue(e.getMessage().contains("not applied"), e.getMessage());
      for (Matrix m : t.namedTensors().values()) {
        assertTrue(Ops.allFinite(m), "weights after divergence must be finite");
      }
      assertEquals(0, t.nextEpoch());
    }
  }

  @Test
  void anOverflowingUpdateRestoresTheStartOfTheEpoch() {
    // Finite gradients, but lambda W (about 1e37) times lr 100 exceeds the float range at the first step.
    TrainConfig c = Tasks.config("bp");
    c.lr = 100f;
    c.weightDecay = 1e38f;
    c.epochs = 3;
    try (Trainer t = new Trainer(c, DATA); Trainer fresh = new Trainer(c, DATA)) {
      TrainingDivergedException e = assertThrows(TrainingDivergedException.class, t::run);
      assertEquals(0, e.epoch());
      assertTrue(e.getMessage().contains("overflow") && e.getMessage().contains("restored to the start of epoch 0"), e.getMessage());
      assertSameTensors(fresh.namedTensors(), t.namedTensors(), "weights restored to the start of epoch 0");
    }
  }

  @Test
  void learningRateDecaysAtTheEndOfTheGivenEpochs() {
    TrainConfig c = Tasks.config("bp");
    c.lr = 0.02f;
    c.epochs = 4;
    c.decayEpochs = new int[] {0, 2};
    c.lrDecay = 0.5f;
    List<EpochReport> r = train(c).epochs();
    assertEquals(0.02f, (float) r.get(0).lr());
    assertEquals(0.01f, (float) r.get(1).lr());
    assertEquals(0.01f, (float) r.get(2).lr());
    assertEquals(0.005f, (float) r.get(3).lr());
  }

  @Test
  void reportsHoldTheDiagnostics() {
    TrainConfig c = Tasks.config("pepita");
    c.hidden = new int[] {24, 20};
    c.mirror = true;
    c.epochs = 2;
    try (Trainer t = new Trainer(c, DATA)) {
      List<EpochReport> r = t.run().epochs();
      EpochReport first = r.get(0);
      assertEquals(3, first.layerAnglesDeg().length);
      assertEquals(3, first.weightNorms().length);
      // Mirror-only first epoch: no forward update, F's std kept at sigma_F by normalize_B.
      float sigma = org.fwdlearn.rules.FeedbackMatrix.targetStd(16, 0.05f);
      assertTrue(Math.abs(first.fStd() / sigma - 1) < 1e-4, "std(F) " + first.fStd() + " vs " + sigma);
      assertTrue(first.fAngleDeg() > 0 && first.fAngleDeg() < 180);
      assertTrue(r.get(1).weightNorms()[0] != first.weightNorms()[0], "epoch 1 updates the weights");
      assertTrue(first.seconds() >= 0);
      assertEquals(Ops.frobeniusNorm(t.network().weight(2)), r.get(1).weightNorms()[1], 0.0);
    }
    TrainConfig bp = Tasks.config("bp");
    bp.epochs = 1;
    EpochReport e = train(bp).epochs().get(0);
    assertTrue(Double.isNaN(e.fAngleDeg()) && Double.isNaN(e.fStd()) && e.layerAnglesDeg().length == 0);
  }

  @Test
  void mirrorOnlyEpochsLeaveTheForwardWeightsUntouched() {
    TrainConfig c = Tasks.config("pepita");
    c.mirror = true;
    c.mirrorPreEpochs = 1;
    c.epochs = 1;
    try (Trainer t = new Trainer(c, DATA); Trainer fresh = new Trainer(c, DATA)) {
      Matrix b1 = t.namedTensors().get("B1").copy();
      t.run();
      assertTrue(t.network().weight(1).contentEquals(fresh.network().weight(1)));
      assertTrue(t.network().weight(2).contentEquals(fresh.network().weight(2)));
      assertFalse(t.namedTensors().get("B1").contentEquals(b1), "B1 is mirrored");
    }
  }

  @Test
  void evaluationCountsEveryExample() {
    TrainConfig c = Tasks.config("bp");
    c.epochs = 1;
    c.testBatch = 64; // 400 test examples: 6 full batches and one of 16
    try (Trainer t = new Trainer(c, DATA)) {
      t.run();
      Evaluation e = t.evaluate(DATA.test());
      int total = 0;
      int diagonal = 0;
      for (int i = 0; i < 4; i++) {
        for (int j = 0; j < 4; j++) {
          total += e.confusion()[i][j];
        }
        diagonal += e.confusion()[i][i];
      }
      assertEquals(400, total);
      assertEquals(400, e.count());
      assertEquals(diagonal / 400.0, e.accuracy());
      int[] predicted = new int[400];
      t.network().predict(DATA.test().x(), predicted);
      int agree = 0;
      for (int i = 0; i < 400; i++) {
        agree += predicted[i] == DATA.test().labels()[i] ? 1 : 0;
      }
      assertEquals(diagonal, agree);
      assertEquals(Ops.meanCrossEntropy(t.network().logits(DATA.test().x()), DATA.test().labels()), e.loss(), 1e-5);
    }
  }

  @Test
  void rejectsWhatItCannotTrain() {
    TrainConfig ff = Tasks.config("ff");
    assertTrue(assertThrows(IllegalArgumentException.class, () -> new Trainer(ff, DATA)).getMessage().contains("'ff'"));
    TrainConfig bp = Tasks.config("bp");
    bp.mirror = true;
    assertTrue(assertThrows(IllegalArgumentException.class, () -> new Trainer(bp, DATA)).getMessage().startsWith("mirror:"));
    TrainConfig big = Tasks.config("bp");
    big.batch = 2000;
    assertTrue(assertThrows(IllegalArgumentException.class, () -> new Trainer(big, DATA)).getMessage().startsWith("batch: 2000"));
    TrainConfig bad = Tasks.config("bp");
    bad.momentum = 1.5f;
    assertThrows(IllegalArgumentException.class, () -> new Trainer(bad, DATA));
  }

  @Test
  void limitsTakeTheFirstExamples() {
    TrainConfig c = Tasks.config("bp");
    c.trainLimit = 100;
    c.testLimit = 50;
    try (Trainer t = new Trainer(c, DATA)) {
      assertEquals(100, t.trainSet().size());
      assertEquals(50, t.testSet().size());
      assertEquals(6, t.batchesPerEpoch());
      assertArrayEquals(new int[] {16, 32, 4}, t.network().sizes());
    }
  }

  @Test
  void evaluationInPassesOfManyTestBatchesIsTheBatchByBatchOneBitForBit() {
    // 2,500 test rows: two whole passes of 1,024 rows and a rest, with test batches whose last one has 4 rows or fewer
    DatasetSplit big = Tasks.clusters(2, 16, 4, 960, 2500, 0.35);
    for (int testBatch : new int[] {64, 7, 3, 1, 2000}) {
      TrainConfig c = Tasks.config("pepita");
      c.epochs = 1;
      c.testBatch = testBatch;
      try (Trainer t = new Trainer(c, big)) {
        t.run();
        Evaluation e = t.evaluate(big.test());
        Matrix x = big.test().x();
        int[] labels = big.test().labels();
        double loss = 0;
        long correct = 0;
        int[][] confusion = new int[4][4];
        for (int from = 0; from < x.rows(); from += testBatch) {
          int n = Math.min(testBatch, x.rows() - from);
          org.fwdlearn.nn.ForwardPass pass = new org.fwdlearn.nn.ForwardPass(t.network(), n);
          pass.run(x.rows(from, from + n), null, org.fwdlearn.core.ThreadPool.sequential());
          int[] y = java.util.Arrays.copyOfRange(labels, from, from + n);
          loss += Ops.meanCrossEntropy(pass.logits(), y) * n;
          int[] predicted = new int[n];
          Ops.argmaxRows(pass.logits(), predicted);
          for (int i = 0; i < n; i++) {
            confusion[y[i]][predicted[i]]++;
            correct += predicted[i] == y[i] ? 1 : 0;
          }
        }
        assertEquals(loss / x.rows(), e.loss(), 0.0, "test batch " + testBatch);
        assertEquals((double) correct / x.rows(), e.accuracy(), 0.0, "test batch " + testBatch);
        for (int k = 0; k < 4; k++) {
          assertArrayEquals(confusion[k], e.confusion()[k], "test batch " + testBatch + ", label " + k);
        }
      }
    }
  }
}

package org.fwdlearn.train;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Locale;
import org.fwdlearn.data.DatasetSplit;
import org.fwdlearn.data.Datasets;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * One MNIST epoch per rule (1 x 1024, batch 64, lr 0.01, the paper's protocol otherwise) against the figures
 * of a faithful PyTorch re-implementation (ALGORITHMS.md section 13: BP 94.5%, FA 92.7%, PEPITA 91.9%,
 * PEPITA-Hebbian as the reference runs it 91.9%, time-local 57.7%). Slow and needs the MNIST files: runs
 * only with {@code -Dfwdlearn.mnist=true} (threads: {@code -Dfwdlearn.mnist.threads}, default 2). The
 * accepted ranges allow for one run's seed-to-seed spread of about a point.
 */
@Tag("slow")
@EnabledIfSystemProperty(named = "fwdlearn.mnist", matches = "true")
class MnistOneEpochTest {
  private static DatasetSplit mnist;

  @BeforeAll
  static void load() {
    mnist = Datasets.load("mnist", null, false);
  }

  @ParameterizedTest(name = "{0} (reference quirks {1}): test accuracy in [{2}, {3}]")
  @CsvSource({
    "bp, false, 0.930, 0.960",
    "fa, false, 0.910, 0.945",
    "pepita, false, 0.900, 0.940",
    "pepita-hebbian, true, 0.900, 0.940",
    "pepita-tl, true, 0.450, 0.700",
    "pepita-hebbian, false, 0.0, 1.0",
    "pepita-tl, false, 0.0, 1.0",
    "afa, false, 0.0, 1.0",
    "dfa, false, 0.0, 1.0",
    "drtp, false, 0.0, 1.0"
  })
  void oneEpoch(String rule, boolean quirks, double low, double high) {
    TrainConfig c = new TrainConfig();
    c.rule = rule;
    c.referenceQuirks = quirks;
    c.lr = 0.01f;
    c.epochs = 1;
    c.seed = 0;
    c.threads = Integer.getInteger("fwdlearn.mnist.threads", 2);
    long t0 = System.nanoTime();
    try (Trainer t = new Trainer(c, mnist)) {
      EpochReport r = t.run().epochs().get(0);
      double wall = (System.nanoTime() - t0) * 1e-9;
      System.out.println(String.format(Locale.ROOT,
          "MNIST1 %-15s quirks=%-5s threads=%d train %.4f/%.4f test %.4f/%.4f F-angle %.1f epoch %.1f s (wall %.1f s)",
          rule, quirks, c.threads, r.trainLoss(), r.trainAccuracy(), r.testLoss(), r.testAccuracy(), r.fAngleDeg(),
          r.seconds(), wall));
      assertTrue(r.testAccuracy() >= low && r.testAccuracy() <= high,
          rule + ": test accuracy " + r.testAccuracy() + " outside [" + low + ", " + high + "]");
    }
  }
}

package org.fwdlearn.train;

import org.fwdlearn.core.Matrix;
import org.fwdlearn.core.Rng;
import org.fwdlearn.data.Dataset;
import org.fwdlearn.data.DatasetSplit;

/** Small generated classification tasks for trainer tests. */
final class Tasks {
  private Tasks() {}

  /**
   * Gaussian clusters: class c has a random centre in [0, 1)^d; an example is its centre plus N(0, noise^2)
   * per feature. Train and test are drawn from the same centres.
   */
  static DatasetSplit clusters(long seed, int d, int classes, int nTrain, int nTest, double noise) {
    Rng rng = new Rng(seed);
    double[][] centre = new double[classes][d];
    for (double[] c : centre) {
      for (int j = 0; j < d; j++) {
        c[j] = rng.nextDouble();
      }
    }
    return new DatasetSplit(draw("clusters-train", rng, centre, nTrain, noise), draw("clusters-test", rng, centre, nTest, noise));
  }

  private static Dataset draw(String name, Rng rng, double[][] centre, int n, double noise) {
    int d = centre[0].length;
    Matrix x = new Matrix(n, d);
    int[] y = new int[n];
    for (int i = 0; i < n; i++) {
      y[i] = rng.nextInt(centre.length);
      for (int j = 0; j < d; j++) {
        x.set(i, j, (float) (centre[y[i]][j] + noise * rng.nextGaussian()));
      }
    }
    if ((n * d & 1) == 1) {
      rng.nextGaussian();
    }
    return new Dataset(name, x, y, centre.length, new int[] {1, 1, d});
  }

  /** A config for the cluster task: one hidden layer of 32, batch 16, 4 epochs, 1 thread. */
  static TrainConfig config(String rule) {
    TrainConfig c = new TrainConfig();
    c.rule = rule;
    c.dataset = "clusters";
    c.hidden = new int[] {32};
    c.batch = 16;
    c.testBatch = 64;
    c.epochs = 4;
    c.threads = 1;
    c.seed = 5;
    return c;
  }
}

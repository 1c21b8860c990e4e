package org.fwdlearn.cli;

import org.fwdlearn.core.Matrix;
import org.fwdlearn.core.Rng;
import org.fwdlearn.data.Dataset;
import org.fwdlearn.data.DatasetSplit;

/**
 * The {@code synthetic} dataset: a small generated classification problem for smoke tests and the CLI tests,
 * needing no files. {@value #CLASSES} classes of 4x4 "images" (16 features in [0, 1]): each class has a fixed
 * random prototype with entries in [0.15, 0.85], and an example is its prototype plus N(0, 0.3^2) noise, clipped
 * to [0, 1]. {@value #TRAIN} training and {@value #TEST} test examples, the same for every run (a fixed seed,
 * independent of the training seed).
 */
public final class SyntheticData {
  private SyntheticData() {}

  public static final String NAME = "synthetic";
  public static final int CLASSES = 4;
  public static final int SIDE = 4;
  public static final int TRAIN = 512;
  public static final int TEST = 256;
  public static final String DESCRIPTION =
      TRAIN + " train, " + TEST + " test examples of 1x" + SIDE + "x" + SIDE + ", noisy copies of one prototype per class";

  private static final long SEED = 0x5EEDDA7AL;
  private static final float NOISE = 0.3f;

  /** The train and test sets (pixel standardisation does not apply: the features are already in [0, 1]). */
  public static DatasetSplit split() {
    Rng rng = new Rng(SEED);
    int d = SIDE * SIDE;
    float[][] proto = new float[CLASSES][d];
    for (int c = 0; c < CLASSES; c++) {
      for (int j = 0; j < d; j++) {
        proto[c][j] = 0.15f + 0.7f * rng.nextFloat();
      }
    }
    return new DatasetSplit(make("synthetic-train", TRAIN, proto, rng), make("synthetic-test", TEST, proto, rng));
  }

  private static Dataset make(String name, int n, float[][] proto, Rng rng) {
    int d = proto[0].length;
    Matrix x = new Matrix(n, d);
    int[] labels = new int[n];
    for (int i = 0; i < n; i++) {
      int c = rng.nextInt(CLASSES);
      labels[i] = c;
      for (int j = 0; j < d; j++) {
        float v = proto[c][j] + NOISE * (float) rng.nextGaussian();
        x.set(i, j, Math.min(1f, Math.max(0f, v)));
      }
    }
    return new Dataset(name, x, labels, CLASSES, new int[] {1, SIDE, SIDE});
  }
}

package org.fwdlearn.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The real MNIST (in the cache, see {@link MnistFetcher}) and Fashion-MNIST (Debian package
 * {@code dataset-fashion-mnist}), when present. The figures were computed once from the files with an
 * independent Python script (label histograms, sum of all pixel bytes, first labels) and are pinned here.
 */
class RealDatasetsTest {
  private static final Path MNIST_DIR = Datasets.cacheDir().resolve(MnistFetcher.SUBDIR);

  /** Constants are given to 4 decimals: they differ from the exact statistics by at most half a unit. */
  private static final double CONSTANT_ROUNDING = 0.5e-4;

  private static void assumeMnist() {
    assumeTrue(MnistFetcher.isPresent(MNIST_DIR), "MNIST is not in " + MNIST_DIR + ": run java -cp "
        + "core/target/classes:algorithms/target/classes org.fwdlearn.data.DataMain fetch mnist");
  }

  private static void assumeFashion() {
    assumeTrue(Files.isDirectory(Datasets.FASHION_MNIST_SYSTEM_DIR), "Fashion-MNIST is not in "
        + Datasets.FASHION_MNIST_SYSTEM_DIR + ": apt-get install dataset-fashion-mnist");
  }

  @Test
  void mnistVerifiesAndMatchesItsPinnedFigures() {
    assumeMnist();
    assertEquals(List.of(), MnistFetcher.verify(MNIST_DIR));
    DatasetSplit s = Datasets.load(Datasets.MNIST, MNIST_DIR, false);
    check(s.train(), 60000, new int[] {5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949}, 1567298545L,
        new int[] {5, 0, 4, 1, 9, 2, 1, 3, 1, 4}, 27525);
    check(s.test(), 10000, new int[] {980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009}, 264923200L,
        new int[] {7, 2, 1, 0, 4, 1, 4, 9, 5, 9}, 18454);
    checkConstants(s.train(), Standardization.MNIST, 342590800147L);
  }

  @Test
  void fashionMnistVerifiesAndMatchesItsPinnedFigures() {
    assumeFashion();
    assertEquals(List.of(), Datasets.verify(Datasets.FASHION_MNIST, null));
    DatasetSplit s = Datasets.load(Datasets.FASHION_MNIST, null, false);
    int[] sixThousand = new int[10];
    java.util.Arrays.fill(sixThousand, 6000);
    int[] thousand = new int[10];
    java.util.Arrays.fill(thousand, 1000);
    check(s.train(), 60000, sixThousand, 3431114169L, new int[] {9, 0, 0, 3, 0, 2, 7, 2, 5, 5}, 76247);
    check(s.test(), 10000, thousand, 573469082L, new int[] {9, 2, 1, 1, 6, 1, 4, 6, 5, 7}, 33456);
    checkConstants(s.train(), Standardization.FASHION_MNIST, 631470052347L);
  }

  @Test
  void standardisedLoadAppliesTheNamedConstants() {
    assumeMnist();
    DatasetSplit plain = Datasets.load(Datasets.MNIST, MNIST_DIR, false);
    DatasetSplit std = Datasets.load(Datasets.MNIST, MNIST_DIR, true);
    float[] a = plain.test().x().toArray();
    float[] b = std.test().x().toArray();
    for (int i = 0; i < a.length; i += 997) {
      assertEquals((a[i] - 0.1307f) / 0.3081f, b[i], "element " + i);
    }
  }

  private static void check(Dataset d, int n, int[] histogram, long byteSum, int[] firstLabels, long firstImageSum) {
    assertEquals(n, d.size());
    assertArrayEquals(new int[] {1, 28, 28}, d.shape());
    int[] h = new int[10];
    for (int y : d.labels()) {
      h[y]++;
    }
    assertArrayEquals(histogram, h, d.name() + " label histogram");
    assertArrayEquals(firstLabels, java.util.Arrays.copyOf(d.labels(), 10), d.name() + " first labels");
    float[] x = d.x().toArray();
    long sum = 0;
    long first = 0;
    for (int i = 0; i < x.length; i++) {
      int b = Math.round(x[i] * 255f); // exact: b / 255f * 255f rounds back to b
      sum += b;
      if (i < 784) {
        first += b;
      }
    }
    assertEquals(byteSum, sum, d.name() + " sum of pixel bytes");
    assertEquals(firstImageSum, first, d.name() + " first image's byte sum");
  }

  /** The 4-decimal constants agree with the exact mean and std of the training pixels (as b / 255). */
  private static void checkConstants(Dataset train, Standardization s, long byteSquares) {
    float[] x = train.x().toArray();
    long sum = 0;
    long sq = 0;
    for (float v : x) {
      long b = Math.round(v * 255f);
      sum += b;
      sq += b * b;
    }
    assertEquals(byteSquares, sq, train.name() + " sum of squared pixel bytes");
    double mean = sum / 255.0 / x.length;
    double std = Math.sqrt(sq / 255.0 / 255.0 / x.length - mean * mean);
    assertEquals(s.mean()[0], mean, CONSTANT_ROUNDING + Math.ulp(s.mean()[0]), train.name() + " mean");
    assertEquals(s.std()[0], std, CONSTANT_ROUNDING + Math.ulp(s.std()[0]), train.name() + " std");
  }
}

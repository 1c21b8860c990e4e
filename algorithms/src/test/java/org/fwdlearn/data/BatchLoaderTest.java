package org.fwdlearn.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.fwdlearn.core.Matrix;
import org.fwdlearn.core.Rng;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class BatchLoaderTest {
  /** n examples of d features; row i holds i*d .. i*d+d-1, label i % classes, so rows are identifiable. */
  static Dataset numbered(int n, int d) {
    float[] x = new float[n * d];
    for (int i = 0; i < x.length; i++) {
      x[i] = i;
    }
    int[] y = new int[n];
    for (int i = 0; i < n; i++) {
      y[i] = i % 7;
    }
    return new Dataset("numbered", Matrix.wrap(n, d, x), y, 7, new int[] {1, 1, d});
  }

  /** The rows visited in one epoch, batch by batch, checking that each batch holds its rows and labels. */
  static List<int[]> epoch(BatchLoader loader) {
    List<int[]> batches = new ArrayList<>();
    Dataset data = loader.dataset();
    int d = data.features();
    while (loader.next()) {
      int[] rows = new int[loader.batchSize()];
      for (int k = 0; k < rows.length; k++) {
        rows[k] = (int) loader.x().get(k, 0) / d;
        for (int j = 0; j < d; j++) {
          assertEquals(rows[k] * d + j, loader.x().get(k, j));
        }
        assertEquals(data.labels()[rows[k]], loader.labels()[k]);
      }
      assertEquals(rows.length, loader.x().rows());
      assertEquals(rows.length, loader.labels().length);
      batches.add(rows);
    }
    return batches;
  }

  @ParameterizedTest
  @CsvSource({"10,3,true", "10,3,false", "9,3,true", "9,3,false", "5,8,false", "1,1,true", "64,64,true"})
  void everyEpochIsAPermutationCutIntoBatches(int n, int batch, boolean dropLast) {
    BatchLoader loader = new BatchLoader(numbered(n, 3), batch, true, dropLast, new Rng(1));
    for (int e = 0; e < 3; e++) {
      loader.startEpoch();
      List<int[]> batches = epoch(loader);
      int expectedBatches = dropLast ? n / batch : (n + batch - 1) / batch;
      assertEquals(expectedBatches, batches.size());
      assertEquals(expectedBatches, loader.numBatches());
      int[] seen = batches.stream().flatMapToInt(Arrays::stream).toArray();
      for (int b = 0; b < batches.size(); b++) {
        int expectedSize = b < n / batch ? batch : n % batch;
        assertEquals(expectedSize, batches.get(b).length);
      }
      int[] order = loader.order();
      assertArrayEquals(Arrays.copyOf(order, seen.length), seen, "batches follow the epoch's order");
      int[] sorted = order.clone();
      Arrays.sort(sorted);
      for (int i = 0; i < n; i++) {
        assertEquals(i, sorted[i], "order is a permutation");
      }
      assertFalse(loader.next(), "an exhausted epoch stays exhausted");
    }
  }

  @Test
  void withoutShufflingTheOrderIsTheDatasetOrderAndNoGeneratorIsNeeded() {
    BatchLoader loader = new BatchLoader(numbered(7, 2), 3, false, false, null);
    assertEquals(0L, loader.startEpoch());
    List<int[]> b = epoch(loader);
    assertArrayEquals(new int[] {0, 1, 2}, b.get(0));
    assertArrayEquals(new int[] {3, 4, 5}, b.get(1));
    assertArrayEquals(new int[] {6}, b.get(2));
  }

  @Test
  void theSameSeedGivesTheSameBatchesAndTheEpochsDiffer() {
    Dataset data = numbered(50, 2);
    BatchLoader a = new BatchLoader(data, 8, true, true, new Rng(42));
    BatchLoader b = new BatchLoader(data, 8, true, true, new Rng(42));
    List<int[]> previous = null;
    for (int e = 0; e < 4; e++) {
      assertEquals(a.startEpoch(), b.startEpoch());
      List<int[]> ea = epoch(a);
      List<int[]> eb = epoch(b);
      for (int k = 0; k < ea.size(); k++) {
        assertArrayEquals(ea.get(k), eb.get(k));
      }
      if (previous != null) {
        assertNotEquals(Arrays.toString(previous.get(0)), Arrays.toString(ea.get(0)), "epochs are reshuffled");
      }
      previous = ea;
    }
  }

  @Test
  void theFirstPermutationIsPinnedSoEveryMachineSeesTheSameBatches() {
    // Rng and Fisher-Yates are fully specified; this pins their composition for seed 2024, n = 10
    BatchLoader loader = new BatchLoader(numbered(10, 1), 4, true, true, new Rng(2024));
    loader.startEpoch();
    assertArrayEquals(PINNED_ORDER_SEED_2024, loader.order());
  }

  static final int[] PINNED_ORDER_SEED_2024 = {3, 2, 5, 4, 0, 8, 9, 1, 6, 7};

  @Test
  void currentRowNamesTheDatasetRowOfEachExampleOfTheBatch() {
    Dataset data = numbered(11, 3);
    BatchLoader loader = new BatchLoader(data, 4, true, false, new Rng(9));
    loader.startEpoch();
    int[] order = loader.order();
    int seen = 0;
    while (loader.next()) {
      for (int k = 0; k < loader.batchSize(); k++) {
        int row = loader.currentRow(k);
        assertEquals(order[seen + k], row);
        for (int j = 0; j < 3; j++) {
          assertEquals(data.x().get(row, j), loader.x().get(k, j));
        }
        assertEquals(data.labels()[row], loader.labels()[k]);
      }
      int size = loader.batchSize();
      assertThrows(IndexOutOfBoundsException.class, () -> loader.currentRow(size));
      seen += size;
    }
    assertEquals(11, seen);
  }

  @Test
  void buffersAreReusedBatchAfterBatch() {
    BatchLoader loader = new BatchLoader(numbered(10, 4), 4, true, false, new Rng(3));
    loader.startEpoch();
    assertTrue(loader.next());
    Matrix x = loader.x();
    int[] y = loader.labels();
    assertTrue(loader.next());
    assertSame(x, loader.x());
    assertSame(y, loader.labels());
    assertTrue(loader.next()); // the partial batch of 2 has its own pair of buffers
    Matrix tail = loader.x();
    assertEquals(2, loader.batchSize());
    loader.startEpoch();
    loader.next();
    assertSame(x, loader.x());
    loader.next();
    loader.next();
    assertSame(tail, loader.x());
  }

  @Test
  void aResumedLoaderSeesExactlyTheBatchesOfAnUninterruptedOne() {
    Dataset data = numbered(30, 2);
    Rng rngA = new Rng(99);
    BatchLoader a = new BatchLoader(data, 4, true, true, rngA);
    a.startEpoch();
    a.next();
    a.next();
    a.next();
    // checkpoint after 3 batches of the first epoch
    BatchLoader.Position pos = a.position();
    long rngState = rngA.state();
    List<int[]> restA = epoch(a);
    a.startEpoch();
    List<int[]> nextEpochA = epoch(a);

    Rng rngB = new Rng(12345); // a different generator, restored from the checkpoint
    rngB.restore(rngState);
    BatchLoader b = new BatchLoader(data, 4, true, true, rngB);
    b.resume(pos);
    List<int[]> restB = epoch(b);
    b.startEpoch();
    List<int[]> nextEpochB = epoch(b);
    assertEquals(restA.size(), restB.size());
    assertEquals(4, restB.size()); // 30 / 4 = 7 batches, 3 done
    for (int k = 0; k < restA.size(); k++) {
      assertArrayEquals(restA.get(k), restB.get(k));
    }
    for (int k = 0; k < nextEpochA.size(); k++) {
      assertArrayEquals(nextEpochA.get(k), nextEpochB.get(k));
    }
  }

  @Test
  void misuseIsExplained() {
    Dataset data = numbered(5, 1);
    assertThrows(IllegalArgumentException.class, () -> new BatchLoader(data, 0, false, false, null));
    IllegalArgumentException big =
        assertThrows(IllegalArgumentException.class, () -> new BatchLoader(data, 6, false, true, null));
    assertTrue(big.getMessage().contains("batch size 6") && big.getMessage().contains("5 examples"), big.getMessage());
    assertThrows(IllegalArgumentException.class, () -> new BatchLoader(data, 2, true, true, null));
    BatchLoader loader = new BatchLoader(data, 2, false, false, null);
    assertThrows(IllegalStateException.class, loader::next);
    loader.startEpoch();
    assertThrows(IllegalStateException.class, loader::x);
    assertThrows(IllegalArgumentException.class, () -> loader.resume(new BatchLoader.Position(0, 4)));
  }
}

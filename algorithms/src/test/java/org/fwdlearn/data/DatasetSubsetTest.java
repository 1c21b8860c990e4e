package org.fwdlearn.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Set;
import org.fwdlearn.core.Matrix;
import org.junit.jupiter.api.Test;

class DatasetSubsetTest {

  /** Row i holds (i, 10 i + 1, -i) and label i mod 3, so every row names its origin. */
  private static Dataset numbered(int n) {
    Matrix x = new Matrix(n, 3);
    int[] labels = new int[n];
    for (int i = 0; i < n; i++) {
      x.set(i, 0, i);
      x.set(i, 1, 10 * i + 1);
      x.set(i, 2, -i);
      labels[i] = i % 3;
    }
    return new Dataset("numbered", x, labels, 3, new int[] {1, 1, 3});
  }

  @Test
  void sampleDrawsDistinctRowsInOriginalOrderWithTheirLabels() {
    Dataset d = numbered(1000);
    Dataset s = d.sample(300, 7);
    assertEquals(300, s.size());
    Set<Integer> seen = new HashSet<>();
    int previous = -1;
    for (int r = 0; r < s.size(); r++) {
      int origin = (int) s.x().get(r, 0);
      assertTrue(origin > previous, "rows keep their original order");
      previous = origin;
      assertTrue(seen.add(origin));
      assertEquals(10 * origin + 1, s.x().get(r, 1));
      assertEquals(-origin, s.x().get(r, 2));
      assertEquals(origin % 3, s.labels()[r]);
    }
    // not the first 300: a uniform draw of 300 of 1000 has its largest index below 300 with probability
    // C(300,300)/C(1000,300), i.e. never
    assertTrue(previous >= 300);
  }

  @Test
  void sampleIsDeterministicForASeedAndDiffersAcrossSeeds() {
    Dataset d = numbered(500);
    assertArrayEquals(d.sample(100, 3).x().toArray(), d.sample(100, 3).x().toArray());
    assertFalse(java.util.Arrays.equals(d.sample(100, 3).x().toArray(), d.sample(100, 4).x().toArray()));
  }

  @Test
  void sampleOfAViewReadsTheViewsRows() {
    Dataset view = new Dataset("tail", numbered(50).x().rows(20, 50), new int[30], 3, new int[] {1, 1, 3});
    Dataset s = view.sample(30, 1);
    for (int r = 0; r < 30; r++) {
      assertEquals(20 + r, (int) s.x().get(r, 0), "all 30 rows of the view, in order");
    }
  }

  @Test
  void limitChoosesFirstOrRandomAndKeepsEverythingWhenItCannotCut() {
    Dataset d = numbered(100);
    assertSame(d, d.limit(0, "random", 1));
    assertSame(d, d.limit(100, "random", 1));
    assertSame(d, d.limit(200, "first", 1));
    assertArrayEquals(d.head(10).x().toArray(), d.limit(10, "first", 1).x().toArray());
    assertArrayEquals(d.sample(10, 1).x().toArray(), d.limit(10, "random", 1).x().toArray());
    assertThrows(IllegalArgumentException.class, () -> d.sample(101, 1));
    assertThrows(IllegalArgumentException.class, () -> d.sample(-1, 1));
  }
}

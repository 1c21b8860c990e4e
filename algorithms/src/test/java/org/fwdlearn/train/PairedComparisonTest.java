package org.fwdlearn.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class PairedComparisonTest {
  // Small cases: a handful of log-space terms of size <= 10 ln 2, so a few ulps; 1e-13 leaves room.
  private static final double REL = 1e-13;

  @Test
  void countsTheDiscordantExamples() {
    boolean[] a = {true, true, false, false, true, true};
    boolean[] b = {true, false, true, false, false, true};
    PairedComparison c = PairedComparison.of(a, b);
    assertEquals(6, c.examples());
    assertEquals(2, c.onlyA());
    assertEquals(1, c.onlyB());
    assertEquals(1.0 / 6, c.accuracyDifference(), 1e-15);
  }

  @Test
  void exactPValuesComputedByHand() {
    assertEquals(1.0, new PairedComparison(100, 0, 0).pValue());
    // 5 vs 0: 2 * 2^-5 = 0.0625
    assertEquals(0.0625, new PairedComparison(100, 5, 0).pValue(), 0.0625 * REL);
    // 1 vs 4: 2 * (1 + 5) / 32 = 0.375
    assertEquals(0.375, new PairedComparison(100, 1, 4).pValue(), 0.375 * REL);
    // 2 vs 8: 2 * (1 + 10 + 45) / 1024 = 0.109375
    assertEquals(0.109375, new PairedComparison(100, 8, 2).pValue(), 0.109375 * REL);
    // equal counts: capped at 1
    assertEquals(1.0, new PairedComparison(100, 10, 10).pValue());
  }

  @Test
  void largeCountsMatchAnExactBigIntegerSum() {
    for (int[] ab : new int[][] {{470, 530}, {9000, 11000}, {1, 2000}, {600, 601}}) {
      int n = ab[0] + ab[1];
      int k = Math.min(ab[0], ab[1]);
      java.math.BigInteger sum = java.math.BigInteger.ZERO;
      java.math.BigInteger term = java.math.BigInteger.ONE; // C(n, 0)
      for (int i = 0; i <= k; i++) {
        sum = sum.add(term);
        term = term.multiply(java.math.BigInteger.valueOf(n - i)).divide(java.math.BigInteger.valueOf(i + 1));
      }
      java.math.BigDecimal exact = new java.math.BigDecimal(sum.shiftLeft(1))
          .divide(new java.math.BigDecimal(java.math.BigInteger.ONE.shiftLeft(n)), new java.math.MathContext(40));
      double expected = Math.min(1.0, exact.doubleValue());
      double p = new PairedComparison(n, ab[0], ab[1]).pValue();
      // Each log-space term carries the rounding of up to k + 1 additions of logs of size <= n ln 2, and the final
      // exponentials and sum a few more: relative error <= 4 (k + 2) eps n ln 2.
      double rel = 4.0 * (k + 2) * Math.ulp(1.0) * n * Math.log(2);
      assertEquals(expected, p, expected * rel, ab[0] + " vs " + ab[1]);
    }
  }

  @Test
  void rejectsInconsistentInput() {
    assertThrows(IllegalArgumentException.class, () -> new PairedComparison(5, 3, 3));
    assertThrows(IllegalArgumentException.class, () -> PairedComparison.of(new boolean[2], new boolean[3]));
  }
}

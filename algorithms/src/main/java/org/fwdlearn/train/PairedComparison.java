package org.fwdlearn.train;

/**
 * Two classifiers compared on the same test examples (McNemar's test, exact form): of the examples exactly one
 * of them classifies correctly, {@code onlyA} are A's and {@code onlyB} are B's. Under the hypothesis that both
 * are equally accurate, each such example is A's with probability 1/2, so the two-sided p-value is
 * {@code min(1, 2 P(X <= min(onlyA, onlyB)))} for X ~ Binomial(onlyA + onlyB, 1/2). Two accuracies measured on the
 * same 10,000 images are judged by this, not by their difference alone.
 *
 * <pre>{@code
 * PairedComparison c = PairedComparison.of(correctA, correctB);
 * if (c.pValue() < 0.05) { ... the accuracies differ ... }
 * }</pre>
 *
 * @param examples the number of examples
 * @param onlyA examples A classifies correctly and B does not
 * @param onlyB examples B classifies correctly and A does not
 */
public record PairedComparison(int examples, int onlyA, int onlyB) {
  /** Validates the counts. */
  public PairedComparison {
    if (examples < 0 || onlyA < 0 || onlyB < 0 || (long) onlyA + onlyB > examples) {
      throw new IllegalArgumentException(
          "paired comparison: " + onlyA + " + " + onlyB + " discordant of " + examples + " examples");
    }
  }

  /** Counts the discordant examples of two per-example correctness vectors of the same length. */
  public static PairedComparison of(boolean[] correctA, boolean[] correctB) {
    if (correctA.length != correctB.length) {
      throw new IllegalArgumentException(
          "paired comparison needs the same examples: " + correctA.length + " vs " + correctB.length + " results");
    }
    int a = 0;
    int b = 0;
    for (int i = 0; i < correctA.length; i++) {
      if (correctA[i] && !correctB[i]) {
        a++;
      } else if (correctB[i] && !correctA[i]) {
        b++;
      }
    }
    return new PairedComparison(correctA.length, a, b);
  }

  /** The difference of the accuracies, A minus B, as a fraction of the examples. */
  public double accuracyDifference() {
    return examples == 0 ? Double.NaN : (double) (onlyA - onlyB) / examples;
  }

  /** The exact two-sided McNemar p-value (1 when no example is discordant). */
  public double pValue() {
    int n = onlyA + onlyB;
    int k = Math.min(onlyA, onlyB);
    if (n == 0) {
      return 1.0;
    }
    // P(X <= k) = 2^-n sum_{i<=k} C(n, i), summed in log space: ln C(n, i) from ln C(n, i-1).
    double logTerm = -n * Math.log(2); // i = 0
    double max = logTerm;
    double[] logs = new double[k + 1];
    logs[0] = logTerm;
    for (int i = 1; i <= k; i++) {
      logTerm += Math.log(n - i + 1) - Math.log(i);
      logs[i] = logTerm;
      max = Math.max(max, logTerm);
    }
    double sum = 0;
    for (double l : logs) {
      sum += Math.exp(l - max);
    }
    double tail = Math.exp(max) * sum;
    return Math.min(1.0, 2 * tail);
  }
}

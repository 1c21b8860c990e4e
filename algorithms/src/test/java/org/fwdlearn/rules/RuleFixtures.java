package org.fwdlearn.rules;

import org.fwdlearn.core.Init;
import org.fwdlearn.core.Matrix;
import org.fwdlearn.core.Rng;
import org.fwdlearn.core.ThreadPool;
import org.fwdlearn.nn.Network;
import org.fwdlearn.nn.WeightInit;

/** Small seeded networks and batches for the rule tests. */
final class RuleFixtures {
  private RuleFixtures() {}

  static Network network(long seed, boolean normalize, int... sizes) {
    return Network.create(sizes, WeightInit.HE_UNIFORM, normalize, new Rng(seed));
  }

  /** n x d inputs in [0, 1). */
  static Matrix inputs(long seed, int n, int d) {
    return Init.uniform(new Matrix(n, d), 0f, 1f, new Rng(seed));
  }

  static int[] labels(long seed, int n, int classes) {
    Rng r = new Rng(seed);
    int[] y = new int[n];
    for (int i = 0; i < n; i++) {
      y[i] = r.nextInt(classes);
    }
    return y;
  }

  static RuleContext context(Network net, int n, float dropout, long maskSeed) {
    return new RuleContext(net, n, dropout, ThreadPool.sequential(), new Rng(maskSeed));
  }

  /** A factor-free F with N(0, scale^2) entries. */
  static FeedbackMatrix feedback(long seed, int d0, int c, float scale) {
    return FeedbackMatrix.of(Init.normal(new Matrix(d0, c), 0f, scale, new Rng(seed)));
  }

  /** Error-growth factor for {@link Ref#assertClose}: 4 x (largest inner dimension + chain length). */
  static double growth(Network net, int n) {
    int max = n;
    for (int s : net.sizes()) {
      max = Math.max(max, s);
    }
    return 4.0 * (max + 6 * net.layers() + 16);
  }
}

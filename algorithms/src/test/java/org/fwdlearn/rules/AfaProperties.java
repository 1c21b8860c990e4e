package org.fwdlearn.rules;

import static org.junit.jupiter.api.Assertions.assertTrue;

import net.jqwik.api.Assume;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.fwdlearn.core.Init;
import org.fwdlearn.core.Matrix;
import org.fwdlearn.core.Ops;
import org.fwdlearn.core.Rng;
import org.fwdlearn.nn.Network;

/**
 * AFA is the first-order expansion of PEPITA in F (ALGORITHMS.md section 6): with F = c F0, PEPITA's G_1 /
 * c tends to AFA's G_1 (computed with F0) as c -&gt; 0.
 *
 * <p>A bias-free ReLU network is piecewise linear, so while no hidden unit changes sign between the clean and
 * the modulated pass, h - h~ = c D exactly and G_1^PEPITA / c - G_1^AFA = -c D^T E F0^T / n: the relative
 * error falls linearly with c. The property picks scales below the first sign change (computed here in
 * double); the float32 rounding is bounded with {@link Ref}'s error magnitudes.
 */
class AfaProperties {

  @Property(tries = 80)
  void pepitaFirstLayerUpdateOverScaleConvergesToAfa(
      @ForAll @IntRange(min = 2, max = 7) int d0,
      @ForAll @IntRange(min = 2, max = 6) int d1,
      @ForAll @IntRange(min = 0, max = 5) int d2,
      @ForAll @IntRange(min = 2, max = 4) int classes,
      @ForAll @IntRange(min = 1, max = 4) int n,
      @ForAll @IntRange(min = 0, max = 1) int withDropout,
      @ForAll long seed) {
    int[] sizes = d2 == 0 ? new int[] {d0, d1, classes} : new int[] {d0, d1, d2, classes};
    float dropout = withDropout == 1 ? 0.25f : 0f;
    Rng rng = new Rng(seed);
    Network net = RuleFixtures.network(rng.nextLong(), false, sizes);
    Matrix x = RuleFixtures.inputs(rng.nextLong(), n, d0);
    int[] y = RuleFixtures.labels(rng.nextLong(), n, classes);
    Matrix f0 = Init.normal(new Matrix(d0, classes), 0f, 1f, new Rng(rng.nextLong()));
    long maskSeed = rng.nextLong();

    AdaptiveFeedbackAlignment afa = new AdaptiveFeedbackAlignment(RuleFixtures.context(net, n, dropout, maskSeed), FeedbackMatrix.of(f0));
    afa.computeGradients(x, y);
    Matrix gAfa = afa.gradient(1);
    double afaNorm = Ops.frobeniusNorm(gAfa);
    Assume.that(afaNorm > 1e-3); // AFA's update must not vanish (e.g. all first-layer units dropped or dead)

    // The largest scale at which no hidden unit that is kept by dropout changes sign, from the linearisation.
    int layers = net.layers();
    double[][][] masks = Ref.masks(afa.masks(), layers);
    Ref.V[] w = Ref.weights(net);
    Ref.Pass clean = new Ref.Pass(w, Ref.of(x), masks, false);
    Ref.V e = Ref.add(1, clean.p, -1, Ref.of(Ref.oneHot(y, n, classes)));
    Ref.V delta = Ref.mul(1, e, Ref.t(Ref.of(f0))); // D_0 = E F0^T
    double ratio = Double.POSITIVE_INFINITY;
    for (int l = 1; l < layers; l++) {
      Ref.V da = Ref.mul(1, delta, Ref.t(w[l]));
      double[][] a = clean.a[l].v();
      for (int i = 0; i < n; i++) {
        for (int j = 0; j < a[i].length; j++) {
          boolean kept = masks[l] == null || masks[l][i][j] != 0;
          if (kept && da.v()[i][j] != 0) {
            ratio = Math.min(ratio, Math.abs(a[i][j]) / Math.abs(da.v()[i][j]));
          }
        }
      }
      delta = Ref.reluBackward(clean.a[l], Ref.mask(da, masks[l]), 1);
    }
    double big = Math.min(1.0, 0.5 * ratio);
    Assume.that(big > 1e-6); // a unit exactly at its kink has no linear neighbourhood
    double[] scales = {big, big / 4, big / 16};

    double k = RuleFixtures.growth(net, n);
    double[] r = new double[scales.length];
    double[] floor = new double[scales.length];
    for (int s = 0; s < scales.length; s++) {
      Matrix f = f0.copy();
      Ops.scale((float) scales[s], f);
      Pepita pepita = new Pepita(RuleFixtures.context(net, n, dropout, maskSeed), FeedbackMatrix.of(f));
      pepita.computeGradients(x, y);
      Matrix diff = pepita.gradient(1).copy();
      Ops.scale((float) (1 / scales[s]), diff);
      Ops.sub(diff, gAfa, diff);
      r[s] = Ops.frobeniusNorm(diff) / afaNorm;
      // Bound of the float32 rounding of PEPITA's G_1 / c and AFA's G_1, relative to |G_1^AFA|.
      floor[s] = (roundingFloor(w, x, f, masks, y, n, k) / scales[s] + afaFloor(w, x, f0, masks, y, n, k)) / afaNorm;
    }
    for (int s = 1; s < scales.length; s++) {
      // Below the first sign change the error is exactly linear in c: quartering c quarters it.
      double predicted = r[s - 1] / 4;
      double slack = floor[s] + floor[s - 1] / 4;
      assertTrue(
          Math.abs(r[s] - predicted) <= slack,
          "relative error " + r[s] + " at scale " + scales[s] + " should be a quarter of " + r[s - 1] + " at scale "
              + scales[s - 1] + " (+- " + slack + ")");
      assertTrue(r[s] <= r[s - 1] + slack, "relative error grew from " + r[s - 1] + " to " + r[s]);
    }
  }

  /** ||k u M||_F where M bounds the float32 rounding error of AFA's G_1 with feedback f0. */
  private static double afaFloor(Ref.V[] w, Matrix x, Matrix f0, double[][][] masks, int[] y, int n, double k) {
    Ref.Pass clean = new Ref.Pass(w, Ref.of(x), masks, false);
    Ref.V e = Ref.add(1, clean.p, -1, Ref.of(Ref.oneHot(y, n, clean.p.cols())));
    Ref.V d0 = Ref.mul(1, e, Ref.t(Ref.of(f0)));
    Ref.V d1 = Ref.reluBackward(clean.a[1], Ref.mask(Ref.mul(1, d0, Ref.t(w[1])), masks[1]), k);
    return norm(Ref.mul(1.0 / n, Ref.t(d1), Ref.of(x)), k);
  }

  private static double norm(Ref.V g, double k) {
    double s = 0;
    for (double[] row : g.m()) {
      for (double v : row) {
        s += (k * Ref.U * v) * (k * Ref.U * v);
      }
    }
    return Math.sqrt(s);
  }

  /** ||k u M||_F where M bounds the float32 rounding error of PEPITA's G_1 with feedback f. */
  private static double roundingFloor(Ref.V[] w, Matrix x, Matrix f, double[][][] masks, int[] y, int n, double k) {
    Ref.Pass clean = new Ref.Pass(w, Ref.of(x), masks, false);
    Ref.V e = Ref.add(1, clean.p, -1, Ref.of(Ref.oneHot(y, n, clean.p.cols())));
    Ref.V xmod = Ref.add(1, Ref.of(x), -1, Ref.mul(1, e, Ref.t(Ref.of(f))));
    Ref.Pass mod = new Ref.Pass(w, xmod, masks, false);
    return norm(Ref.mul(1.0 / n, Ref.t(Ref.add(1, clean.h[1], -1, mod.h[1])), xmod), k);
  }
}

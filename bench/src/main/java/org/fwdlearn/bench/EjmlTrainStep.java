package org.fwdlearn.bench;

import java.util.List;
import java.util.Locale;
import org.ejml.data.FMatrixRMaj;
import org.ejml.dense.row.CommonOps_FDRM;
import org.fwdlearn.core.Matrix;
import org.fwdlearn.core.Rng;

/**
 * One training step of PEPITA, time-local PEPITA, feedback alignment or backpropagation, written plainly on
 * EJML ({@link EjmlMlp}) from ALGORITHMS.md sections 2, 3 and 4, with the defaults of fwdlearn's rules: the
 * peer of {@code LearningRule.step} in {@link TrainStepBench}. Followed by SGD with momentum and weight decay,
 * PyTorch semantics: {@code g = G + lambda W; V <- mu V + g; W <- W - eta V}.
 *
 * <pre>
 *   every rule: masks M_l (Bernoulli(1-p)/(1-p), one per hidden layer, layer 1 first, row-major);
 *               clean pass on X: H_1..H_{L-1}, P;  E = P - T
 *   pepita:     X_mod = X - E F^T; modulated pass on X_mod with the same masks: H~_l
 *               G_l = (H_l - H~_l)^T H~_{l-1} / n (H~_0 = X_mod);  G_L = E^T H~_{L-1} / n;  one SGD step
 *   pepita-tl:  (a) G_l = H_l^T H_{l-1} / n, G_L = P^T H_{L-1} / n; SGD step
 *               (b) fresh masks; X_mod = X - E F^T; modulated pass with the updated weights;
 *               G_l = -H~_l^T H~_{l-1} / n, G_L = -T^T H~_{L-1} / n; added to the step: V += G, W -= eta G
 *   bp / fa:    D_L = E;  D_l = (D_{l+1} W_{l+1}) (.) M_l (.) relu'(A_l)  (fa: B_{l+1}^T for W_{l+1});
 *               G_l = D_l^T H_{l-1} / n;  one SGD step
 * </pre>
 *
 * <p>The dropout masks are drawn from the given {@link Rng} with the spec's recipe ({@code u < p ? 0 : 1/(1-p)}
 * per entry, u uniform in [0, 1)), as fwdlearn draws them, so the two implementations seeded alike train on the
 * same masks. Everything is allocated by the constructor; {@link #step} allocates nothing itself.
 */
public final class EjmlTrainStep {
  /** The rules, by their fwdlearn names. */
  public static final List<String> RULES = List.of("pepita", "pepita-tl", "fa", "bp");

  private final EjmlMlp mlp;
  private final String rule;
  private final int layers;
  private final int n;
  private final float invN;
  private final float dropout;
  private final Rng rng;
  private final float lr;
  private final float momentum;
  private final float weightDecay;
  private final FMatrixRMaj f; // d0 x C, PEPITA family
  private final FMatrixRMaj[] b; // 2..L, FA: d_{l-1} x d_l
  private final FMatrixRMaj[] masks; // 1..L-1, or null without dropout
  private final EjmlMlp.Pass clean;
  private final EjmlMlp.Pass modulated;
  private final FMatrixRMaj t;
  private final FMatrixRMaj e;
  private final FMatrixRMaj xmod;
  private final FMatrixRMaj[] delta; // 1..L-1
  private final FMatrixRMaj[] g; // 1..L
  private final FMatrixRMaj[] v; // 1..L

  /**
   * @param mlp the network trained (its weights are updated in place)
   * @param rule one of {@link #RULES}
   * @param n rows per batch
   * @param dropout p in [0, 1)
   * @param dropoutRng the generator of the masks
   * @param feedback F (d_0 x C) for pepita and pepita-tl, else ignored (may be null)
   * @param faFeedback B_2..B_L (B_l is d_{l-1} x d_l) for fa, else ignored (may be null)
   */
  public EjmlTrainStep(
      EjmlMlp mlp, String rule, int n, float dropout, Rng dropoutRng, Matrix feedback, List<Matrix> faFeedback,
      float lr, float momentum, float weightDecay) {
    this.rule = rule.toLowerCase(Locale.ROOT);
    if (!RULES.contains(this.rule)) {
      throw new IllegalArgumentException("rule '" + rule + "' is not one of " + RULES);
    }
    if (n < 1) {
      throw new IllegalArgumentException("batch rows must be >= 1, got " + n);
    }
    if (!(dropout >= 0f && dropout < 1f)) {
      throw new IllegalArgumentException("dropout must be in [0, 1), got " + dropout);
    }
    this.mlp = mlp;
    this.layers = mlp.layers();
    this.n = n;
    this.invN = 1f / n;
    this.dropout = dropout;
    this.rng = dropoutRng;
    this.lr = lr;
    this.momentum = momentum;
    this.weightDecay = weightDecay;
    int d0 = mlp.size(0);
    int classes = mlp.size(layers);
    boolean pepita = this.rule.startsWith("pepita");
    if (pepita) {
      if (feedback == null || feedback.rows() != d0 || feedback.cols() != classes) {
        throw new IllegalArgumentException(
            rule + " needs F of shape " + d0 + "x" + classes + ", got " + (feedback == null ? "none" : feedback.shape()));
      }
      f = EjmlMlp.ejml(feedback);
    } else {
      f = null;
    }
    if (this.rule.equals("fa")) {
      if (faFeedback == null || faFeedback.size() != layers - 1) {
        throw new IllegalArgumentException(
            "fa needs " + (layers - 1) + " feedback matrices B2..B" + layers + ", got "
                + (faFeedback == null ? "none" : faFeedback.size()));
      }
      b = new FMatrixRMaj[layers + 1];
      for (int l = 2; l <= layers; l++) {
        Matrix m = faFeedback.get(l - 2);
        if (m.rows() != mlp.size(l - 1) || m.cols() != mlp.size(l)) {
          throw new IllegalArgumentException(
              "B" + l + " is " + m.shape() + ", expected " + mlp.size(l - 1) + "x" + mlp.size(l));
        }
        b[l] = EjmlMlp.ejml(m);
      }
    } else {
      b = null;
    }
    if (dropout > 0f) {
      masks = new FMatrixRMaj[layers];
      for (int l = 1; l < layers; l++) {
        masks[l] = new FMatrixRMaj(n, mlp.size(l));
      }
    } else {
      masks = null;
    }
    clean = mlp.new Pass(n);
    modulated = pepita ? mlp.new Pass(n) : null;
    t = new FMatrixRMaj(n, classes);
    e = new FMatrixRMaj(n, classes);
    xmod = pepita ? new FMatrixRMaj(n, d0) : null;
    delta = new FMatrixRMaj[layers];
    for (int l = 1; l < layers; l++) {
      delta[l] = new FMatrixRMaj(n, mlp.size(l));
    }
    g = new FMatrixRMaj[layers + 1];
    v = new FMatrixRMaj[layers + 1];
    for (int l = 1; l <= layers; l++) {
      g[l] = new FMatrixRMaj(mlp.size(l), mlp.size(l - 1));
      v[l] = new FMatrixRMaj(mlp.size(l), mlp.size(l - 1));
    }
  }

  /** The rule's name. */
  public String rule() {
    return rule;
  }

  /** The network trained. */
  public EjmlMlp network() {
    return mlp;
  }

  /** The momentum buffer V_l for l in [1, L] (live). */
  public FMatrixRMaj velocity(int l) {
    return v[l];
  }

  /** Sets every momentum buffer V_l to zero (a fresh optimiser). */
  public void resetVelocity() {
    for (int l = 1; l <= layers; l++) {
      CommonOps_FDRM.fill(v[l], 0f);
    }
  }

  /** Trains on one batch: x is n x d_0, labels holds at least n classes. */
  public void step(FMatrixRMaj x, int[] labels) {
    if (x.numRows != n || x.numCols != mlp.size(0) || labels.length < n) {
      throw new IllegalArgumentException(
          rule + ": batch " + x.numRows + "x" + x.numCols + " with " + labels.length + " labels, expected " + n + "x"
              + mlp.size(0) + " and " + n + " labels");
    }
    drawMasks();
    clean.run(x, masks);
    CommonOps_FDRM.fill(t, 0f);
    for (int i = 0; i < n; i++) {
      t.data[i * t.numCols + labels[i]] = 1f;
    }
    CommonOps_FDRM.subtract(clean.probabilities(), t, e);
    switch (rule) {
      case "pepita" -> pepita(x);
      case "pepita-tl" -> timeLocal(x);
      default -> backward();
    }
  }

  private void drawMasks() {
    if (masks == null) {
      return;
    }
    float keep = 1f / (1f - dropout);
    for (int l = 1; l < layers; l++) {
      float[] m = masks[l].data;
      for (int i = 0, len = masks[l].getNumElements(); i < len; i++) {
        m[i] = rng.nextFloat() < dropout ? 0f : keep;
      }
    }
  }

  /** X_mod = X - E F^T and the modulated pass on it with the current masks and weights. */
  private void modulatedPass(FMatrixRMaj x) {
    xmod.setTo(x);
    mlp.multAddTransB(-1f, e, f, xmod);
    modulated.run(xmod, masks);
  }

  private void pepita(FMatrixRMaj x) {
    modulatedPass(x);
    if (layers == 1) {
      mlp.multTransA(invN, e, x, g[1]);
    } else {
      for (int l = 1; l < layers; l++) {
        CommonOps_FDRM.subtract(clean.hidden(l), modulated.hidden(l), delta[l]);
        mlp.multTransA(invN, delta[l], modulated.hidden(l - 1), g[l]);
      }
      mlp.multTransA(invN, e, modulated.hidden(layers - 1), g[layers]);
    }
    sgdStep();
  }

  private void timeLocal(FMatrixRMaj x) {
    for (int l = 1; l < layers; l++) {
      mlp.multTransA(invN, clean.hidden(l), clean.hidden(l - 1), g[l]);
    }
    mlp.multTransA(invN, clean.probabilities(), clean.hidden(layers - 1), g[layers]);
    sgdStep();
    drawMasks(); // fwdlearn's default (the reference): fresh masks for the second pass
    modulatedPass(x);
    for (int l = 1; l < layers; l++) {
      mlp.multTransA(-invN, modulated.hidden(l), modulated.hidden(l - 1), g[l]);
    }
    mlp.multTransA(-invN, t, modulated.hidden(layers - 1), g[layers]);
    addToStep();
  }

  private void backward() {
    mlp.multTransA(invN, e, clean.hidden(layers - 1), g[layers]);
    FMatrixRMaj up = e;
    for (int l = layers - 1; l >= 1; l--) {
      if (b != null) {
        mlp.multTransB(up, b[l + 1], delta[l]);
      } else {
        mlp.mult(up, mlp.weight(l + 1), delta[l]);
      }
      if (masks != null) {
        CommonOps_FDRM.elementMult(delta[l], masks[l]);
      }
      float[] a = clean.preActivation(l).data;
      float[] d = delta[l].data;
      for (int i = 0, len = delta[l].getNumElements(); i < len; i++) {
        if (!(a[i] > 0f)) {
          d[i] = 0f;
        }
      }
      mlp.multTransA(invN, delta[l], clean.hidden(l - 1), g[l]);
      up = delta[l];
    }
    sgdStep();
  }

  /** {@code g = G + lambda W; V <- mu V + g; W <- W - eta V} for every layer. */
  private void sgdStep() {
    for (int l = 1; l <= layers; l++) {
      if (weightDecay != 0f) {
        CommonOps_FDRM.addEquals(g[l], weightDecay, mlp.weight(l));
      }
      CommonOps_FDRM.add(momentum, v[l], 1f, g[l], v[l]);
      CommonOps_FDRM.addEquals(mlp.weight(l), -lr, v[l]);
    }
  }

  /** The second half of a time-local step: {@code V <- V + G; W <- W - eta G}. */
  private void addToStep() {
    for (int l = 1; l <= layers; l++) {
      CommonOps_FDRM.addEquals(v[l], g[l]);
      CommonOps_FDRM.addEquals(mlp.weight(l), -lr, g[l]);
    }
  }
}

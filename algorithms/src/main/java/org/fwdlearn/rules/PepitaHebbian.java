package org.fwdlearn.rules;

import org.fwdlearn.core.Matrix;

/**
 * PEPITA-Hebbian, the reference code's mode "mixed" (Srinivasan et al., ICLR 2024, arXiv 2302.05440);
 * ALGORITHMS.md section 4. The same two passes as {@link Pepita} (same masks), but each layer's update is
 * the difference of each pass's own post x pre product:
 *
 * <pre>
 *   G_1 = (H_1^T X - H~_1^T X_mod) / n
 *   G_l = (H_l^T H_{l-1} - H~_l^T H~_{l-1}) / n      (1 &lt; l &lt; L)
 *   G_L = (P^T H_{L-1} - T^T H~_{L-1}) / n
 * </pre>
 *
 * Read as W &lt;- W - eta G, the realised change is anti-Hebbian on the clean pass and Hebbian on the
 * modulated, target-driven pass. This is the intended rule. The reference code's "mixed" branch is
 * overwritten by the plain PEPITA branch that follows it, so its "mixed" runs ARE plain PEPITA; with {@code
 * referenceQuirks} this class reproduces that (it computes {@link Pepita}'s update, with the configured sign
 * and presynaptic mode). The presynaptic mode has no effect on the intended rule, where each pass pairs
 * with its own presynaptic activity.
 */
public final class PepitaHebbian extends Pepita {
  private final boolean referenceQuirks;

  /**
   * @param referenceQuirks reproduce the reference's fall-through to plain PEPITA
   */
  public PepitaHebbian(
      RuleContext ctx, FeedbackMatrix feedback, Sign sign, Presynaptic presynaptic, boolean referenceQuirks) {
    super(ctx, feedback, sign, presynaptic);
    this.referenceQuirks = referenceQuirks;
  }

  @Override
  public String name() {
    return "pepita-hebbian";
  }

  /** True if this instance reproduces the reference's fall-through to plain PEPITA. */
  public boolean referenceQuirks() {
    return referenceQuirks;
  }

  @Override
  public void computeGradients(Matrix x, int[] labels) {
    checkBatch(x, labels);
    cleanPassAndError(x, labels);
    modulatedPass(x);
    if (referenceQuirks) {
      pepitaGradients(x);
      return;
    }
    targets(labels);
    for (int l = 1; l < layers; l++) {
      outer(l, invN, clean.hidden(l), clean.hidden(l - 1), 0f);
      outer(l, -invN, modulated.hidden(l), modulated.hidden(l - 1), 1f);
    }
    outer(layers, invN, clean.probabilities(), clean.hidden(layers - 1), 0f);
    outer(layers, -invN, target, modulated.hidden(layers - 1), 1f);
  }
}

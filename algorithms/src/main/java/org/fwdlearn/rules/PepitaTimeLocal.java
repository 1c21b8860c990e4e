package org.fwdlearn.rules;

import java.util.Map;
import org.fwdlearn.core.Matrix;
import org.fwdlearn.core.Ops;
import org.fwdlearn.core.Transpose;
import org.fwdlearn.nn.ForwardPass;
import org.fwdlearn.optim.Optimizer;

/**
 * Time-local PEPITA, the reference code's mode "mixed_tl" (Srinivasan et al., ICLR 2024, arXiv
 * 2302.05440); ALGORITHMS.md section 4. Each pass updates the weights as soon as it is done:
 *
 * <pre>
 *   (a) clean pass on X:   G_1 = H_1^T X / n,  G_l = H_l^T H_{l-1} / n,  G_L = P^T H_{L-1} / n;   update
 *       E = P - T (from the clean pass, i.e. the weights before (a))
 *   (b) X_mod = X - E F^T; modulated pass with the UPDATED weights:
 *       G_1 = -H~_1^T X_mod / n,  G_l = -H~_l^T H~_{l-1} / n,  G_L = -T^T H~_{L-1} / n;   update
 * </pre>
 *
 * <p>The reference draws NEW dropout masks for pass (b) (it resets them after pass (a)); that is the default
 * here, and {@code sharedMasks} reuses pass (a)'s masks instead.
 *
 * <p>Momentum and weight decay: the reference calls its SGD optimiser twice per batch, so momentum decays
 * and weight decay applies twice per batch. The intended rule (default) treats the two halves as ONE
 * optimiser step split in time: (a) is a full momentum/weight-decay step on G_a, (b) adds G_b to that step
 * ({@link Optimizer#addToStep}), so the batch moves the weights as one step on G_a + G_b would, but G_b sees
 * the weights updated by (a). {@code referenceQuirks} reproduces the reference's two full steps.
 */
public final class PepitaTimeLocal extends AbstractLearningRule {
  private final FeedbackMatrix feedback;
  private final Pepita.Sign sign;
  private final boolean sharedMasks;
  private final boolean referenceQuirks;
  private final Matrix xmod;
  private final ForwardPass modulated;

  /**
   * @param sharedMasks reuse pass (a)'s dropout masks in pass (b) (the reference draws new ones)
   * @param referenceQuirks two full optimiser steps per batch (double momentum and weight decay), as the
   *     reference
   */
  public PepitaTimeLocal(
      RuleContext ctx, FeedbackMatrix feedback, Pepita.Sign sign, boolean sharedMasks, boolean referenceQuirks) {
    super(ctx);
    if (feedback.inputs() != net.inputSize() || feedback.classes() != net.outputSize()) {
      throw new IllegalArgumentException(
          "F is " + feedback.inputs() + "x" + feedback.classes() + ", expected d0 x C = " + net.inputSize() + "x"
              + net.outputSize());
    }
    this.feedback = feedback;
    this.sign = sign;
    this.sharedMasks = sharedMasks;
    this.referenceQuirks = referenceQuirks;
    xmod = new Matrix(n, net.inputSize());
    modulated = new ForwardPass(net, n);
  }

  @Override
  public String name() {
    return "pepita-tl";
  }

  /** Step (a)'s products: G_l = H_l^T H_{l-1} / n, G_L = P^T H_{L-1} / n (a field: no allocation per step). */
  private final Runnable cleanProducts = () -> {
    for (int l = 1; l < layers; l++) {
      outer(l, invN, clean.hidden(l), clean.hidden(l - 1), 0f);
    }
    outer(layers, invN, clean.probabilities(), clean.hidden(layers - 1), 0f);
  };

  @Override
  public void step(Matrix x, int[] labels, Optimizer optimizer) {
    checkBatch(x, labels);
    cleanPassAndError(x, labels);
    targets(labels);
    // (a) Hebbian-form product of the clean pass, applied at once (G_1's product fused with the step).
    fusedStep(cleanProducts, optimizer);
    // (b) modulated pass with the updated weights.
    if (!sharedMasks) {
      masks.draw(rng, pool);
    }
    xmod.copyFrom(x);
    Ops.gemm(Transpose.N, Transpose.T, sign.factor(), error, feedback.f(pool), 1f, xmod, pool);
    modulated.run(xmod, masks, pool);
    for (int l = 1; l < layers; l++) {
      outer(l, -invN, modulated.hidden(l), modulated.hidden(l - 1), 0f);
    }
    outer(layers, -invN, target, modulated.hidden(layers - 1), 0f);
    if (referenceQuirks) {
      optimizer.step(gradients());
    } else {
      optimizer.addToStep(gradients());
    }
  }

  /** The modulated pass of the last step (live). */
  public ForwardPass modulatedPass() {
    return modulated;
  }

  @Override
  public FeedbackMatrix feedbackMatrix() {
    return feedback;
  }

  @Override
  public Map<String, Matrix> feedbackTensors() {
    return Pepita.feedbackTensors(feedback, pool);
  }
}

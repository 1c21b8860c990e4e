package org.fwdlearn.rules;

import org.fwdlearn.core.Matrix;
import org.fwdlearn.core.Ops;
import org.fwdlearn.core.Rng;
import org.fwdlearn.core.ThreadPool;
import org.fwdlearn.core.Transpose;
import org.fwdlearn.nn.Network;
import org.fwdlearn.optim.NonFiniteGradientException;

/**
 * Weight mirroring of feedback alignment's B_l (Akrout, Wilson, Humphreys, Lillicrap and Tweed, "Deep
 * learning without weight transport", NeurIPS 2019, arXiv 1904.05391); ALGORITHMS.md section 5.2. In
 * mirror mode, noise at layer l-1 drives layer l linearly, and B_l learns the input-output correlation:
 *
 * <pre>
 *   Xi = 0.1 N(0,1)^(n x d_{l-1}), minus its mean;   Y = Xi W_l^T
 *   B_l &lt;- B_l + eta_B (Xi^T Y / n - lambda_B B_l)       (l = 2, ..., L)
 * </pre>
 *
 * E[Xi^T Y / n] = 0.01 W_l^T (the noise variance times W_l^T), so B_l converges, with time constant
 * 1/(eta_B lambda_B) steps, to about (0.01 / lambda_B) W_l^T: 0.02 W_l^T with the defaults eta_B = 0.1,
 * lambda_B = 0.5 (lambda_B = 0.01 gives B_l ~ W_l^T). No rescale follows: the Akrout code's {@code B <- 0.5
 * B / std(B)} is a no-op there (a rebinding bug), and the spec's section 5.2 has none. The noise is the
 * PEPITA mirror's (the Akrout code draws 0.1 (U(0,1) - 0.5)).
 */
public final class FeedbackAlignmentMirror implements FeedbackMirror {
  private final Network net;
  private final FeedbackAlignment rule;
  private final int n;
  private final float lr;
  private final float weightDecay;
  private final Rng rng;
  private final ThreadPool pool;
  private final Matrix[] xi;
  private final Matrix[] y;
  private final Matrix[] grad;
  private final Matrix[] scratch;

  /**
   * @param n noise rows per mirroring step
   * @param lr eta_B
   * @param weightDecay lambda_B
   */
  public FeedbackAlignmentMirror(
      Network net, FeedbackAlignment rule, int n, float lr, float weightDecay, Rng rng, ThreadPool pool) {
    if (!(lr >= 0f) || !(weightDecay >= 0f)) {
      throw new IllegalArgumentException("mirror lr and weight decay must be >= 0, got " + lr + ", " + weightDecay);
    }
    this.net = net;
    this.rule = rule;
    this.n = n;
    this.lr = lr;
    this.weightDecay = weightDecay;
    this.rng = rng;
    this.pool = pool;
    int layers = net.layers();
    xi = new Matrix[layers + 1];
    y = new Matrix[layers + 1];
    grad = new Matrix[layers + 1];
    scratch = new Matrix[layers + 1];
    for (int l = 2; l <= layers; l++) {
      xi[l] = new Matrix(n, net.size(l - 1));
      y[l] = new Matrix(n, net.size(l));
      grad[l] = new Matrix(net.size(l - 1), net.size(l));
      scratch[l] = new Matrix(net.size(l - 1), net.size(l));
    }
  }

  @Override
  public void mirror() {
    int layers = net.layers();
    for (int l = 2; l <= layers; l++) {
      FeedbackMirror.centredNoise(xi[l], NOISE_AMPLITUDE, rng);
      Ops.gemm(Transpose.N, Transpose.T, 1f, xi[l], net.weight(l), 0f, y[l], pool);
      Ops.gemm(Transpose.T, Transpose.N, -1f / n, xi[l], y[l], 0f, grad[l], pool);
      if (!Ops.allFinite(grad[l])) {
        throw new NonFiniteGradientException(l - 1, "mirroring update of B" + l);
      }
    }
    for (int l = 2; l <= layers; l++) {
      Ops.sgdStep(rule.feedback(l), grad[l], scratch[l], lr, 0f, weightDecay);
    }
  }
}

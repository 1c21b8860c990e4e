package org.fwdlearn.rules;

import java.util.List;
import org.fwdlearn.core.Matrix;
import org.fwdlearn.core.Ops;
import org.fwdlearn.core.Rng;
import org.fwdlearn.core.ThreadPool;
import org.fwdlearn.core.Transpose;
import org.fwdlearn.nn.Network;
import org.fwdlearn.optim.NonFiniteGradientException;

/**
 * Weight mirroring of PEPITA's feedback factors (ALGORITHMS.md section 5.1, the ICLR reference's {@code
 * mirror_weights}; Srinivasan et al., ICLR 2024, arXiv 2302.05440, after Akrout et al., NeurIPS 2019,
 * arXiv 1904.05391). F must be the product of one factor B_l (d_{l-1} x d_l) per layer ({@link
 * FeedbackMatrix#normal}). Per mirroring step, for every layer l:
 *
 * <pre>
 *   Xi = 0.1 N(0,1)^(n x d_{l-1});  Xi &lt;- Xi - mean(Xi)
 *   Y  = Block_l(Xi): Norm(M (.) relu(Xi W_l^T)) with a fresh dropout mask M for l &lt; L; softmax(Xi W_L^T) for l = L
 *   U_l = Xi^T Y / n
 *   B_l &lt;- B_l + eta_B U_l - eta_B lambda_B B_l          (plain SGD on the gradient -U_l, weight decay lambda_B)
 * </pre>
 *
 * then {@link FeedbackMatrix#normalize normalize_B} restores std(F) = sigma_F. E[U_l] is proportional to
 * W_l^T in the linear regime, so F = B_1 ... B_L turns towards (W_L ... W_1)^T. Workspaces are allocated
 * once; noise and masks come from the generator given here.
 */
public final class PepitaMirror implements FeedbackMirror {
  private final Network net;
  private final FeedbackMatrix feedback;
  private final int n;
  private final float lr;
  private final float weightDecay;
  private final float dropout;
  private final Rng rng;
  private final ThreadPool pool;
  private final Matrix[] xi; // 1..L, n x d_{l-1}
  private final Matrix[] y; // 1..L, n x d_l
  private final Matrix[] mask; // 1..L-1
  private final Matrix[] grad; // 1..L, d_{l-1} x d_l
  private final Matrix[] scratch; // 1..L, momentum-free SGD buffer

  /**
   * @param n noise rows per mirroring step (the batch size)
   * @param lr eta_B
   * @param weightDecay lambda_B
   * @param dropout dropout probability of the hidden blocks (fresh masks per step)
   */
  public PepitaMirror(
      Network net, FeedbackMatrix feedback, int n, float lr, float weightDecay, float dropout, Rng rng, ThreadPool pool) {
    int layers = net.layers();
    if (feedback.factorCount() != layers) {
      throw new IllegalArgumentException(
          "weight mirroring needs one feedback factor B_l per layer (F init 'normal'): F has "
              + feedback.factorCount() + " factor(s), the network " + layers + " layers");
    }
    if (!(lr >= 0f) || !(weightDecay >= 0f)) {
      throw new IllegalArgumentException("mirror lr and weight decay must be >= 0, got " + lr + ", " + weightDecay);
    }
    this.net = net;
    this.feedback = feedback;
    this.n = n;
    this.lr = lr;
    this.weightDecay = weightDecay;
    this.dropout = dropout;
    this.rng = rng;
    this.pool = pool;
    xi = new Matrix[layers + 1];
    y = new Matrix[layers + 1];
    mask = new Matrix[layers];
    grad = new Matrix[layers + 1];
    scratch = new Matrix[layers + 1];
    for (int l = 1; l <= layers; l++) {
      Matrix b = feedback.factor(l);
      if (b.rows() != net.size(l - 1) || b.cols() != net.size(l)) {
        throw new IllegalArgumentException(
            "B" + l + " is " + b.shape() + ", expected " + net.size(l - 1) + "x" + net.size(l));
      }
      xi[l] = new Matrix(n, net.size(l - 1));
      y[l] = new Matrix(n, net.size(l));
      if (l < layers && dropout > 0f) {
        mask[l] = new Matrix(n, net.size(l));
      }
      grad[l] = new Matrix(net.size(l - 1), net.size(l));
      scratch[l] = new Matrix(net.size(l - 1), net.size(l));
    }
  }

  @Override
  public void mirror() {
    int layers = net.layers();
    for (int l = 1; l <= layers; l++) {
      FeedbackMirror.centredNoise(xi[l], NOISE_AMPLITUDE, rng);
      Ops.gemm(Transpose.N, Transpose.T, 1f, xi[l], net.weight(l), 0f, y[l], pool);
      if (l < layers) {
        Ops.relu(y[l], y[l]);
        if (mask[l] != null) {
          Ops.dropoutMask(mask[l], dropout, rng);
          Ops.applyMask(y[l], mask[l]);
        }
        if (net.normalizesActivations()) {
          Ops.normalizeFrobenius(y[l]);
        }
      } else {
        Ops.softmaxRows(y[l], y[l]);
      }
      Ops.gemm(Transpose.T, Transpose.N, -1f / n, xi[l], y[l], 0f, grad[l], pool);
    }
    for (int l = 1; l <= layers; l++) {
      if (!Ops.allFinite(grad[l])) {
        throw new NonFiniteGradientException(l - 1, "mirroring update of B" + l);
      }
    }
    for (int l = 1; l <= layers; l++) {
      Ops.sgdStep(feedback.factor(l), grad[l], scratch[l], lr, 0f, weightDecay);
    }
    feedback.changed();
    feedback.normalize(pool);
  }

  /** The factors mirrored (live). */
  public List<Matrix> factors() {
    return feedback.factors();
  }
}

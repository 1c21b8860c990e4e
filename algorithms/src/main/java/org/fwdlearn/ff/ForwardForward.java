package org.fwdlearn.ff;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.fwdlearn.core.Matrix;
import org.fwdlearn.core.Ops;
import org.fwdlearn.core.Rng;
import org.fwdlearn.core.ThreadPool;
import org.fwdlearn.core.Transpose;
import org.fwdlearn.optim.Optimizer;

/**
 * The Forward-Forward learning rule (Hinton 2022, arXiv 2212.13345; ALGORITHMS.md section 7) on batches of
 * n images: each layer learns by its own analytic gradient, and nothing crosses layers.
 *
 * <p>For a batch X with labels y, the positive data are X with the one-hot code of y in the first C
 * features, the negative data X with the code of a uniformly drawn wrong label ({@link LabelEmbedding}).
 * Both run through the network as one stacked 2n-row pass (positive rows first). For a trained layer l with
 * input z (the normalised activity of layer l-1), activity h = relu(z W^T + b), goodness g and logit s = g -
 * theta, the layer's loss is the mean logistic loss over the 2n rows,
 *
 * <pre>
 *   L_l = (1/2n) [ sum_pos softplus(theta - g) + sum_neg softplus(g - theta) ]
 * </pre>
 *
 * and its exact gradient, with c = 2 (sum goodness) or 2/d (mean goodness),
 *
 * <pre>
 *   dL/dA_i = (sigmoid(s_i) - y_i) c h_i / 2n      (y_i = 1 for positive rows, 0 for negative ones)
 *   G_W = sum_i dL/dA_i z_i^T = - (1/2n) sum_pos sigmoid(theta - g) c h z^T + (1/2n) sum_neg sigmoid(g - theta) c h z^T
 *   G_b = sum_i dL/dA_i
 * </pre>
 *
 * (the ReLU's derivative is implied: h = 0 where it is 0). The optimiser subtracts G, so the realised change
 * is Hebbian on positive data and anti-Hebbian on negative data, each sigmoid-weighted.
 *
 * <p>Peer normalisation (the loeweX code, optional, weight lambda_p): each layer keeps a running mean r of
 * its activity over positive rows, {@code r <- mu r + (1 - mu) mean_pos h}, and adds lambda_p times the
 * gradient of {@code mean_j (mean(r) - r_j)^2}, i.e. {@code lambda_p (2/d)(r_j - mean(r))(1 - mu)/n} to
 * dL/dA of every positive row, passed through the ReLU unchanged (the loeweX code's "full-gradient" ReLU),
 * so that silent units are pushed up.
 *
 * <p>With a {@link LinearReadout}, each step also runs the batch once with the neutral label code and
 * computes the read-out's cross-entropy gradient on the layers' normalised activities. All passes of a step
 * use the weights before the step. Layer 1 of the positive, negative and neutral passes shares one product
 * of the images with W_1 ({@link FirstLayerShortcut}). Workspaces are allocated by the constructor; not
 * thread-safe.
 */
public final class ForwardForward {
  private final FfNetwork net;
  private final int n;
  private final int layers;
  private final ThreadPool pool;
  private final Rng labelRng;
  private final float peerWeight;
  private final float peerMomentum;
  private final LinearReadout readout;
  private final FfPass stacked;
  private final Matrix posInput;
  private final Matrix negInput;
  private final int[] negLabels;
  private final Matrix[] delta; // 1..L, 2n x d_l
  private final Matrix[] gradW;
  private final Matrix[] gradB;
  private final List<List<Matrix>> gradLists;
  private final float[][] peerMeans; // 1..L
  private final double[] peerSum;
  private final float[] peerAdd;
  private final double[] loss;
  private final double[] separation;
  private final double[] goodPos;
  private final double[] goodNeg;
  private final double[] peerLoss;
  private final FfPass neutral;
  private final Matrix readoutLogits;
  private final Matrix readoutError;
  private final List<Matrix> readoutGrads;
  private final int[] predicted;
  private double readoutLoss = Double.NaN;
  private int readoutCorrect;
  private int firstTrained;
  private int lastTrained;
  private final FirstLayerShortcut layer1;
  private final int[] posLabels;
  private final float[] posScales;
  private final float[] negScales;
  private final float[] neutralScales;
  private boolean shortcut = true;

  /**
   * @param net the network (its weights are updated by {@link #step})
   * @param n images per batch
   * @param peerWeight lambda_p of peer normalisation, >= 0 (0: off)
   * @param peerMomentum mu of the running mean, in [0, 1)
   * @param readout the linear read-out trained alongside, or null
   * @param labelRng draws the wrong labels of the negative data
   */
  public ForwardForward(
      FfNetwork net, int n, float peerWeight, float peerMomentum, LinearReadout readout, ThreadPool pool, Rng labelRng) {
    if (n < 1) {
      throw new IllegalArgumentException("batch size must be >= 1, got " + n);
    }
    if (!(peerWeight >= 0f && Float.isFinite(peerWeight))) {
      throw new IllegalArgumentException("ff-peer: peer-normalisation weight must be >= 0, got " + peerWeight);
    }
    if (!(peerMomentum >= 0f && peerMomentum < 1f)) {
      throw new IllegalArgumentException("ff-peer-momentum: must be in [0, 1), got " + peerMomentum);
    }
    this.net = net;
    this.n = n;
    this.layers = net.layers();
    this.pool = pool;
    this.labelRng = labelRng;
    this.peerWeight = peerWeight;
    this.peerMomentum = peerMomentum;
    this.readout = readout;
    stacked = new FfPass(net, 2 * n);
    posInput = stacked.input().rows(0, n);
    negInput = stacked.input().rows(n, 2 * n);
    negLabels = new int[n];
    posLabels = new int[n];
    posScales = new float[n];
    negScales = new float[n];
    neutralScales = new float[n];
    layer1 = new FirstLayerShortcut(net, n);
    delta = new Matrix[layers + 1];
    gradW = new Matrix[layers + 1];
    gradB = new Matrix[layers + 1];
    peerMeans = new float[layers + 1][];
    List<List<Matrix>> gl = new ArrayList<>();
    gl.add(List.of());
    for (int l = 1; l <= layers; l++) {
      delta[l] = new Matrix(2 * n, net.size(l));
      gradW[l] = new Matrix(net.size(l), net.size(l - 1));
      gradB[l] = net.bias(l) == null ? null : new Matrix(1, net.size(l));
      peerMeans[l] = new float[net.size(l)];
      gl.add(gradB[l] == null ? List.of(gradW[l]) : List.of(gradW[l], gradB[l]));
    }
    gradLists = Collections.unmodifiableList(gl);
    int widest = 0;
    for (int l = 1; l <= layers; l++) {
      widest = Math.max(widest, net.size(l));
    }
    peerSum = new double[widest];
    peerAdd = new float[widest];
    loss = new double[layers + 1];
    separation = new double[layers + 1];
    goodPos = new double[layers + 1];
    goodNeg = new double[layers + 1];
    peerLoss = new double[layers + 1];
    if (readout != null) {
      neutral = new FfPass(net, n);
      readoutLogits = new Matrix(n, net.classes());
      readoutError = new Matrix(n, net.classes());
      List<Matrix> rg = new ArrayList<>();
      for (Matrix r : readout.blocks()) {
        rg.add(new Matrix(r.rows(), r.cols()));
      }
      readoutGrads = Collections.unmodifiableList(rg);
      predicted = new int[n];
    } else {
      neutral = null;
      readoutLogits = null;
      readoutError = null;
      readoutGrads = List.of();
      predicted = null;
    }
  }

  /** Images per batch. */
  public int batchSize() {
    return n;
  }

  public FfNetwork network() {
    return net;
  }

  /** The read-out trained alongside, or null. */
  public LinearReadout readout() {
    return readout;
  }

  /**
   * Draws the negative labels, runs the stacked positive/negative pass up to layer {@code last} and writes
   * the gradients of layers {@code first..last} (and of the read-out, if any); updates the peer running
   * means of those layers. The weights are not changed.
   *
   * @param x the images, n x d_0. Not modified.
   * @param labels their labels. Not modified.
   */
  public void computeGradients(Matrix x, int[] labels, int first, int last) {
    computeGradients(x, labels, null, first, last);
  }

  /**
   * As {@link #computeGradients(Matrix, int[], int, int)}, with the negative data's labels given.
   *
   * @param negativeLabels the labels written into the negative data (length at least n, each in [0, C)), or null
   *     to draw a uniformly distributed wrong label for every row. Not modified.
   */
  public void computeGradients(Matrix x, int[] labels, int[] negativeLabels, int first, int last) {
    if (x.rows() != n || x.cols() != net.size(0) || labels.length < n) {
      throw new IllegalArgumentException(
          "ff: batch " + x.shape() + " with " + labels.length + " labels, expected " + n + "x" + net.size(0) + " and "
              + n + " labels");
    }
    if (first < 1 || last > layers || first > last) {
      throw new IllegalArgumentException("trained layers [" + first + ", " + last + "] outside [1, " + layers + "]");
    }
    firstTrained = first;
    lastTrained = last;
    int c = net.classes();
    float value = net.options().labelValue();
    if (negativeLabels == null) {
      LabelEmbedding.wrongLabels(labels, n, c, labelRng, negLabels);
    } else {
      if (negativeLabels.length < n) {
        throw new IllegalArgumentException("ff: " + negativeLabels.length + " negative labels for a batch of " + n);
      }
      for (int i = 0; i < n; i++) {
        if (negativeLabels[i] < 0 || negativeLabels[i] >= c) {
          throw new IllegalArgumentException("ff: negative label " + negativeLabels[i] + " of row " + i + " outside [0, " + c + ")");
        }
      }
      System.arraycopy(negativeLabels, 0, negLabels, 0, n);
    }
    System.arraycopy(labels, 0, posLabels, 0, n);
    if (shortcut) {
      layer1.prepare(x, pool);
      layer1.activity(posLabels, 0, stacked.hidden(1), 0, posScales);
      layer1.activity(negLabels, 0, stacked.hidden(1), n, negScales);
      stacked.runFromSecond(last, pool);
    } else {
      LabelEmbedding.embed(x, labels, c, value, posInput);
      LabelEmbedding.embed(x, negLabels, c, value, negInput);
      stacked.run(last, pool);
    }
    for (int l = 1; l <= layers; l++) {
      loss[l] = separation[l] = goodPos[l] = goodNeg[l] = peerLoss[l] = Double.NaN;
    }
    for (int l = first; l <= last; l++) {
      layerGradient(l);
    }
    if (readout != null) {
      if (shortcut) {
        layer1.neutralActivity(neutral.hidden(1), 0, neutralScales);
        neutral.runFromSecond(layers, pool);
      } else {
        LabelEmbedding.neutral(x, c, net.options().neutralValue(), neutral.input());
        neutral.run(layers, pool);
      }
      readout.logits(neutral, readoutLogits, pool);
      readoutLoss = LinearReadout.meanCrossEntropy(readoutLogits, labels);
      Ops.argmaxRows(readoutLogits, predicted);
      readoutCorrect = 0;
      for (int i = 0; i < n; i++) {
        if (predicted[i] == labels[i]) {
          readoutCorrect++;
        }
      }
      readout.gradients(neutral, labels, readoutLogits, readoutError, readoutGrads, pool);
    }
  }

  private void layerGradient(int l) {
    Matrix h = stacked.hidden(l);
    Matrix d = delta[l];
    int units = h.cols();
    double[] g = stacked.goodness(l);
    float theta = net.threshold(l);
    float factor = net.options().goodness().factor(units);
    double inv2n = 1.0 / (2 * n);
    double lossSum = 0;
    int right = 0;
    double gp = 0;
    double gn = 0;
    float[] hd = h.data();
    float[] dd = d.data();
    for (int i = 0; i < 2 * n; i++) {
      boolean positive = i < n;
      double s = g[i] - theta;
      double sig = sigmoid(s);
      lossSum += positive ? softplus(-s) : softplus(s);
      if ((s > 0) == positive) {
        right++;
      }
      if (positive) {
        gp += g[i];
      } else {
        gn += g[i];
      }
      float coef = (float) ((sig - (positive ? 1.0 : 0.0)) * inv2n * factor);
      int ho = h.offset() + i * units;
      int dof = d.offset() + i * units;
      for (int j = 0; j < units; j++) {
        dd[dof + j] = coef * hd[ho + j];
      }
    }
    loss[l] = lossSum * inv2n;
    separation[l] = right * inv2n;
    goodPos[l] = gp / n;
    goodNeg[l] = gn / n;
    if (peerWeight > 0f) {
      addPeerGradient(l, h, d);
    }
    if (l == 1 && shortcut) {
      layer1.gradient(d.rows(0, n), posLabels, posScales, d.rows(n, 2 * n), negLabels, negScales, gradW[1], pool);
    } else {
      Ops.gemm(Transpose.T, Transpose.N, 1f, d, stacked.normalized(l - 1), 0f, gradW[l], pool);
    }
    if (gradB[l] != null) {
      Ops.columnSums(d, gradB[l].data());
    }
  }

  /** Updates the running mean of layer l and adds the peer-normalisation term to the positive rows of d. */
  private void addPeerGradient(int l, Matrix h, Matrix d) {
    int units = h.cols();
    float[] r = peerMeans[l];
    float[] hd = h.data();
    double[] mean = peerSum;
    java.util.Arrays.fill(mean, 0, units, 0.0);
    for (int i = 0; i < n; i++) {
      int ho = h.offset() + i * units;
      for (int j = 0; j < units; j++) {
        mean[j] += hd[ho + j];
      }
    }
    double rbar = 0;
    for (int j = 0; j < units; j++) {
      r[j] = (float) (peerMomentum * r[j] + (1.0 - peerMomentum) * (mean[j] / n));
      rbar += r[j];
    }
    rbar /= units;
    double pl = 0;
    float[] dd = d.data();
    double k = peerWeight * 2.0 / units * (1.0 - peerMomentum) / n;
    float[] add = peerAdd;
    for (int j = 0; j < units; j++) {
      double diff = r[j] - rbar;
      pl += diff * diff;
      add[j] = (float) (k * diff);
    }
    peerLoss[l] = pl / units;
    for (int i = 0; i < n; i++) {
      int dof = d.offset() + i * units;
      for (int j = 0; j < units; j++) {
        dd[dof + j] += add[j];
      }
    }
  }

  private static double sigmoid(double s) {
    if (s >= 0) {
      return 1.0 / (1.0 + Math.exp(-s));
    }
    double e = Math.exp(s);
    return e / (1.0 + e);
  }

  /** log(1 + e^x), without overflow. */
  static double softplus(double x) {
    return Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));
  }

  /**
   * Applies the gradients of the last {@link #computeGradients}: layer l's through {@code layerOptimizers[l]}
   * for the trained layers, and the read-out's through {@code readoutOptimizer} (if there is a read-out).
   *
   * @param layerOptimizers index l holds the optimiser of [W_l] or [W_l, b_l] (index 0 unused)
   */
  public void step(Optimizer[] layerOptimizers, Optimizer readoutOptimizer) {
    for (int l = firstTrained; l <= lastTrained; l++) {
      layerOptimizers[l].step(gradLists.get(l));
    }
    if (readout != null) {
      readoutOptimizer.step(readoutGrads);
    }
  }

  /** G_W of layer l from the last {@link #computeGradients} (live). */
  public Matrix weightGradient(int l) {
    return gradW[l];
  }

  /** G_b of layer l (live), or null without biases. */
  public Matrix biasGradient(int l) {
    return gradB[l];
  }

  /** [G_W] or [G_W, G_b] of layer l (live), in the order of {@link FfNetwork#parameters(int)}. */
  public List<Matrix> gradients(int l) {
    return gradLists.get(l);
  }

  /** The read-out's gradients (live), one per block; empty without a read-out. */
  public List<Matrix> readoutGradients() {
    return readoutGrads;
  }

  /**
   * Splits layer l's last G_W into the contributions of the positive and the negative rows: {@code
   * positive = sum_pos dL/dA_i z_i^T} (minus a sigmoid-weighted Hebbian product, plus the peer term if on),
   * {@code negative = sum_neg dL/dA_i z_i^T} (a sigmoid-weighted Hebbian product); positive + negative = G_W.
   * Two extra matrix products.
   *
   * @param positive Modified (d_l x d_{l-1}).
   * @param negative Modified (d_l x d_{l-1}).
   */
  public void gradientParts(int l, Matrix positive, Matrix negative) {
    if (l < firstTrained || l > lastTrained) {
      throw new IllegalStateException("layer " + l + " was not trained in the last step");
    }
    if (l == 1 && shortcut) {
      layer1.gradient(delta[1].rows(0, n), posLabels, posScales, null, null, null, positive, pool);
      layer1.gradient(null, null, null, delta[1].rows(n, 2 * n), negLabels, negScales, negative, pool);
      return;
    }
    Matrix z = stacked.normalized(l - 1);
    Ops.gemm(Transpose.T, Transpose.N, 1f, delta[l].rows(0, n), z.rows(0, n), 0f, positive, pool);
    Ops.gemm(Transpose.T, Transpose.N, 1f, delta[l].rows(n, 2 * n), z.rows(n, 2 * n), 0f, negative, pool);
  }

  /**
   * Whether layer 1 is computed by the {@link FirstLayerShortcut} (default) or on the embedded, normalised
   * inputs; the results agree up to rounding. Without the shortcut the stacked pass also holds z_0.
   */
  public void setFirstLayerShortcut(boolean on) {
    shortcut = on;
  }

  /**
   * The stacked positive (rows 0..n-1) and negative (rows n..2n-1) pass of the last step (live); its z_0 is
   * only computed without the first-layer shortcut.
   */
  public FfPass stackedPass() {
    return stacked;
  }

  /** The wrong labels of the last step's negative data (live, length n). */
  public int[] negativeLabels() {
    return negLabels;
  }

  /** The peer running mean r of layer l (live, length d_l). */
  public float[] peerMeans(int l) {
    return peerMeans[l];
  }

  /** Layer l's mean logistic loss in the last step (NaN if not trained). */
  public double loss(int l) {
    return loss[l];
  }

  /** The fraction of the last step's 2n rows that layer l classified right (s > 0 iff positive); NaN if not trained. */
  public double separation(int l) {
    return separation[l];
  }

  /** Mean goodness of the positive rows at layer l in the last step (NaN if not trained). */
  public double meanPositiveGoodness(int l) {
    return goodPos[l];
  }

  /** Mean goodness of the negative rows at layer l in the last step (NaN if not trained). */
  public double meanNegativeGoodness(int l) {
    return goodNeg[l];
  }

  /** The peer-normalisation loss mean_j (mean(r) - r_j)^2 of layer l in the last step (NaN if off or not trained). */
  public double peerLoss(int l) {
    return peerLoss[l];
  }

  /** The read-out's mean cross-entropy on the neutral pass of the last step (NaN without a read-out). */
  public double readoutLoss() {
    return readout == null ? Double.NaN : readoutLoss;
  }

  /** How many images of the last step the read-out classified right (0 without a read-out). */
  public int readoutCorrect() {
    return readoutCorrect;
  }
}

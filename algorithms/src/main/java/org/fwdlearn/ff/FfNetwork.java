package org.fwdlearn.ff;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import org.fwdlearn.core.Init;
import org.fwdlearn.core.Matrix;
import org.fwdlearn.core.Ops;
import org.fwdlearn.core.Rng;
import org.fwdlearn.core.ThreadPool;

/**
 * A Forward-Forward network (Hinton, "The Forward-Forward Algorithm: Some Preliminary Investigations", 2022,
 * arXiv 2212.13345; ALGORITHMS.md section 7): L fully connected ReLU layers of sizes d_1..d_L on inputs of
 * d_0 features whose first C features carry a label code ({@link LabelEmbedding}). Layer l sees the
 * length-normalised activity of layer l-1 (the input itself for l = 1):
 *
 * <pre>
 *   z_{l-1} = Norm(h_{l-1});   h_l = relu(z_{l-1} W_l^T + b_l);   g_l = goodness(h_l);   p_l(pos) = sigmoid(g_l - theta_l)
 * </pre>
 *
 * with W_l of shape d_l x d_{l-1}, an optional bias b_l (1 x d_l), and no output layer. A label is
 * predicted by running the network once per candidate label and taking the label whose goodness, summed
 * over layers {@code firstLayer..L}, is largest ({@link #predictByGoodness}); {@link LinearReadout} is the
 * alternative read-out.
 *
 * <p>The weights are live: training updates them in place. The prediction methods allocate their own
 * workspace and may run on several threads at once while no thread trains.
 */
public final class FfNetwork {
  /**
   * The settings of the network's layers and inputs.
   *
   * @param classes C, the number of labels coded into the first C input features
   * @param goodness sum or mean of the squared activities
   * @param threshold theta of every layer, or NaN for {@link Goodness#defaultThreshold} of each layer's width
   * @param normalization the length normalisation of each layer's input
   * @param biases whether the layers have biases
   * @param labelValue the value written at the label's position (the other C - 1 positions are 0)
   * @param neutralValue the value written at all C positions of the neutral input of the linear read-out
   */
  public record Options(
      int classes,
      Goodness goodness,
      float threshold,
      InputNormalization normalization,
      boolean biases,
      float labelValue,
      float neutralValue) {
    public Options {
      if (classes < 2) {
        throw new IllegalArgumentException("Forward-Forward needs at least 2 classes, got " + classes);
      }
      if (!(Float.isNaN(threshold) || Float.isFinite(threshold))) {
        throw new IllegalArgumentException("ff-threshold must be a finite number, got " + threshold);
      }
      if (!Float.isFinite(labelValue) || !Float.isFinite(neutralValue)) {
        throw new IllegalArgumentException(
            "label values must be finite, got " + labelValue + " (label) and " + neutralValue + " (neutral)");
      }
    }
  }

  /** Initialisation of W_l (d_l x d_{l-1}) and b_l. */
  public enum InitScheme {
    /** W ~ N(0, 1/d_l), b = 0 (the loeweX code: std 1/sqrt(out_features)). */
    NORMAL_OUT,
    /** PyTorch's nn.Linear default: W and b ~ U(-1/sqrt(d_{l-1}), +1/sqrt(d_{l-1})) (the mpezeshki code). */
    TORCH,
    /** He-uniform U(+-sqrt(6/d_{l-1})), b = 0 (the PEPITA networks' default). */
    HE_UNIFORM;

    /** Fills w (row-major) and then b (if not null) from rng. Modified: w, b. */
    public void fill(Matrix w, Matrix b, Rng rng) {
      switch (this) {
        case NORMAL_OUT -> Init.normal(w, 0f, (float) (1.0 / Math.sqrt(w.rows())), rng);
        case TORCH -> {
          float a = (float) (1.0 / Math.sqrt(w.cols()));
          Init.uniform(w, -a, a, rng);
          if (b != null) {
            Init.uniform(b, -a, a, rng);
          }
        }
        case HE_UNIFORM -> Init.heUniform(w, w.cols(), rng);
      }
    }

    /** Parses {@code normal-out}, {@code torch} or {@code he_uniform}. */
    public static InitScheme parse(String s) {
      return switch (s.toLowerCase(Locale.ROOT)) {
        case "normal-out" -> NORMAL_OUT;
        case "torch" -> TORCH;
        case "he_uniform" -> HE_UNIFORM;
        default -> throw new IllegalArgumentException("ff-init: '" + s + "' is not one of normal-out, torch, he_uniform");
      };
    }
  }

  private final int[] sizes;
  private final Matrix[] weights; // 1..L
  private final Matrix[] biases; // 1..L, null entries without biases
  private final float[] thresholds; // 1..L
  private final Options options;

  private FfNetwork(int[] sizes, Matrix[] weights, Matrix[] biases, Options options) {
    this.sizes = sizes;
    this.weights = weights;
    this.biases = biases;
    this.options = options;
    thresholds = new float[sizes.length];
    for (int l = 1; l < sizes.length; l++) {
      thresholds[l] =
          Float.isNaN(options.threshold()) ? options.goodness().defaultThreshold(sizes[l]) : options.threshold();
    }
  }

  /**
   * A new network, W_1 (then b_1) first, each filled from {@code rng}.
   *
   * @param sizes d_0, d_1, ..., d_L (at least one layer; d_0 >= C)
   */
  public static FfNetwork create(int[] sizes, Options options, InitScheme init, Rng rng) {
    checkSizes(sizes, options);
    int layers = sizes.length - 1;
    Matrix[] w = new Matrix[layers + 1];
    Matrix[] b = new Matrix[layers + 1];
    for (int l = 1; l <= layers; l++) {
      w[l] = new Matrix(sizes[l], sizes[l - 1]);
      b[l] = options.biases() ? new Matrix(1, sizes[l]) : null;
      init.fill(w[l], b[l], rng);
    }
    return new FfNetwork(sizes.clone(), w, b, options);
  }

  /**
   * A network on copies of the given weights (W_1 first) and biases (null, or one 1 x d_l matrix per layer;
   * required iff {@code options.biases()}).
   */
  public static FfNetwork of(List<Matrix> weights, List<Matrix> biases, Options options) {
    if (weights.isEmpty()) {
      throw new IllegalArgumentException("a Forward-Forward network needs at least one layer");
    }
    if (options.biases() != (biases != null) || (biases != null && biases.size() != weights.size())) {
      throw new IllegalArgumentException(
          "options.biases() is " + options.biases() + " but " + (biases == null ? "no" : biases.size())
              + " biases were given for " + weights.size() + " layers");
    }
    int layers = weights.size();
    int[] sizes = new int[layers + 1];
    sizes[0] = weights.get(0).cols();
    Matrix[] w = new Matrix[layers + 1];
    Matrix[] b = new Matrix[layers + 1];
    for (int l = 1; l <= layers; l++) {
      Matrix m = weights.get(l - 1);
      if (m.cols() != sizes[l - 1]) {
        throw new IllegalArgumentException("W" + l + " is " + m.shape() + " but must have " + sizes[l - 1] + " columns");
      }
      sizes[l] = m.rows();
      w[l] = m.copy();
      if (biases != null) {
        Matrix bl = biases.get(l - 1);
        if (bl.rows() != 1 || bl.cols() != sizes[l]) {
          throw new IllegalArgumentException("b" + l + " is " + bl.shape() + ", expected 1x" + sizes[l]);
        }
        b[l] = bl.copy();
      }
    }
    checkSizes(sizes, options);
    return new FfNetwork(sizes, w, b, options);
  }

  private static void checkSizes(int[] sizes, Options options) {
    if (sizes.length < 2) {
      throw new IllegalArgumentException(
          "a Forward-Forward network needs an input size and at least one layer, got " + Arrays.toString(sizes));
    }
    for (int s : sizes) {
      if (s < 1) {
        throw new IllegalArgumentException("layer sizes must be >= 1, got " + Arrays.toString(sizes));
      }
    }
    if (sizes[0] < options.classes()) {
      throw new IllegalArgumentException(
          "the input has " + sizes[0] + " features, fewer than the " + options.classes() + " of the label code");
    }
  }

  /** Number of layers L. */
  public int layers() {
    return sizes.length - 1;
  }

  /** d_l for l in [0, L]. */
  public int size(int l) {
    return sizes[l];
  }

  /** d_0, ..., d_L (a copy). */
  public int[] sizes() {
    return sizes.clone();
  }

  public Options options() {
    return options;
  }

  /** C. */
  public int classes() {
    return options.classes();
  }

  /** W_l (live). */
  public Matrix weight(int l) {
    checkLayer(l);
    return weights[l];
  }

  /** b_l (live, 1 x d_l), or null without biases. */
  public Matrix bias(int l) {
    checkLayer(l);
    return biases[l];
  }

  /** theta_l. */
  public float threshold(int l) {
    checkLayer(l);
    return thresholds[l];
  }

  /** The parameters of layer l: [W_l] or [W_l, b_l] (live). */
  public List<Matrix> parameters(int l) {
    checkLayer(l);
    return biases[l] == null ? List.of(weights[l]) : List.of(weights[l], biases[l]);
  }

  /** W_1..W_L (live). */
  public List<Matrix> weights() {
    List<Matrix> w = new ArrayList<>();
    for (int l = 1; l < weights.length; l++) {
      w.add(weights[l]);
    }
    return Collections.unmodifiableList(w);
  }

  /** b_1..b_L (live), or null without biases. */
  public List<Matrix> biases() {
    if (!options.biases()) {
      return null;
    }
    List<Matrix> b = new ArrayList<>();
    for (int l = 1; l < biases.length; l++) {
      b.add(biases[l]);
    }
    return Collections.unmodifiableList(b);
  }

  /** A deep copy. */
  public FfNetwork copy() {
    return of(weights(), biases(), options);
  }

  private void checkLayer(int l) {
    if (l < 1 || l >= sizes.length) {
      throw new IndexOutOfBoundsException("layer " + l + " outside [1, " + layers() + "]");
    }
  }

  private void checkFirstLayer(int firstLayer) {
    if (firstLayer < 1 || firstLayer > layers()) {
      throw new IllegalArgumentException("first goodness layer " + firstLayer + " outside [1, " + layers() + "]");
    }
  }

  /**
   * The goodness of every row of x under every candidate label, summed over layers {@code firstLayer..L}:
   * a new n x C matrix whose entry (i, c) is {@code sum_l g_l(embed(x_i, c))}, accumulated in double.
   *
   * @param x images, n x d_0 (their first C features are overwritten by each label code). Not modified.
   *     Layer 1 is computed once for all labels ({@link FirstLayerShortcut}).
   */
  public Matrix goodnessScores(Matrix x, int firstLayer, ThreadPool pool) {
    checkInput(x);
    Matrix scores = new Matrix(x.rows(), classes());
    if (x.rows() > 0) {
      goodnessScores(new FfPass(this, x.rows()), x, firstLayer, scores, pool);
    }
    return scores;
  }

  /**
   * As {@link #goodnessScores(Matrix, int, ThreadPool)} on a given workspace of exactly x.rows() rows.
   *
   * @param scores Modified (n x C).
   */
  public void goodnessScores(FfPass pass, Matrix x, int firstLayer, Matrix scores, ThreadPool pool) {
    checkInput(x);
    checkFirstLayer(firstLayer);
    int n = x.rows();
    int c = classes();
    if (pass.network() != this || pass.rows() != n || scores.rows() != n || scores.cols() != c) {
      throw new IllegalArgumentException(
          "goodness scores of " + x.shape() + " need a pass of this network with " + n + " rows and scores " + n + "x" + c
              + ", got a pass of " + pass.rows() + " rows and scores " + scores.shape());
    }
    double[] acc = new double[n];
    FirstLayerShortcut first = pass.shortcut();
    first.prepare(x, pool);
    for (int label = 0; label < c; label++) {
      first.activity(null, label, pass.hidden(1), 0, pass.scales(0));
      pass.runFromSecond(layers(), pool);
      Arrays.fill(acc, 0);
      for (int l = firstLayer; l <= layers(); l++) {
        double[] g = pass.goodness(l);
        for (int i = 0; i < n; i++) {
          acc[i] += g[i];
        }
      }
      for (int i = 0; i < n; i++) {
        scores.set(i, label, (float) acc[i]);
      }
    }
  }

  /**
   * Predicts each row's label as the first label of maximal summed goodness ({@link #goodnessScores}) into
   * {@code out[0..n)}.
   */
  public void predictByGoodness(Matrix x, int[] out, int firstLayer, ThreadPool pool) {
    if (out.length < x.rows()) {
      throw new IllegalArgumentException("predict: output of length " + out.length + " for input " + x.shape());
    }
    Matrix scores = goodnessScores(x, firstLayer, pool);
    if (x.rows() > 0) {
      Ops.argmaxRows(scores, out);
    }
  }

  private void checkInput(Matrix x) {
    if (x.cols() != sizes[0]) {
      throw new IllegalArgumentException(
          "input " + x.shape() + " has " + x.cols() + " features, the network expects " + sizes[0]);
    }
  }

  @Override
  public String toString() {
    return "FfNetwork" + Arrays.toString(sizes) + " (" + options.goodness().name().toLowerCase(Locale.ROOT)
        + " goodness, " + options.normalization().name().toLowerCase(Locale.ROOT) + " normalisation"
        + (options.biases() ? ", biases)" : ", no biases)");
  }
}

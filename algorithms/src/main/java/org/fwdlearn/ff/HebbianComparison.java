package org.fwdlearn.ff;

import java.util.ArrayList;
import java.util.List;
import org.fwdlearn.core.Matrix;
import org.fwdlearn.core.Ops;
import org.fwdlearn.core.Rng;
import org.fwdlearn.core.ThreadPool;
import org.fwdlearn.core.Transpose;
import org.fwdlearn.data.BatchLoader;
import org.fwdlearn.data.Dataset;
import org.fwdlearn.data.DatasetSplit;
import org.fwdlearn.nn.ForwardPass;
import org.fwdlearn.nn.Network;
import org.fwdlearn.nn.WeightInit;
import org.fwdlearn.optim.Sgd;
import org.fwdlearn.rules.FeedbackMatrix;
import org.fwdlearn.rules.Pepita;
import org.fwdlearn.rules.PepitaHebbian;
import org.fwdlearn.rules.RuleContext;
import org.fwdlearn.train.TrainingListener;

/**
 * The paper's bridge between Forward-Forward and PEPITA (Srinivasan et al., ICLR 2024; ALGORITHMS.md sections
 * 4 and 7), measured: PEPITA, PEPITA-Hebbian and FF are trained side by side on the same batches, and on
 * every {@code probeEvery}-th batch each layer's update G (the gradient-like quantity the optimiser
 * subtracts) is split into its two passes' terms, written in the G convention:
 *
 * <pre>
 *   PEPITA-Hebbian   G_l = H_l^T H_{l-1}/n            - H~_l^T H~_{l-1}/n       (clean pass | modulated pass)
 *                    G_L = P^T H_{L-1}/n              - T^T H~_{L-1}/n
 *   PEPITA           G_l = H_l^T H~_{l-1}/n           - H~_l^T H~_{l-1}/n       (clean post x modulated pre | modulated)
 *                    G_L = P^T H~_{L-1}/n             - T^T H~_{L-1}/n          (= E^T H~_{L-1}/n)
 *   FF               G_l = sum_neg s_i c h_i z_i^T/2n - sum_pos s'_i c h_i z_i^T/2n (negative data | positive data)
 *                    with s_i = sigmoid(g_i - theta), s'_i = sigmoid(theta - g_i)
 * </pre>
 *
 * The first term is a (weighted) Hebbian product, the second minus one: "Hebbian" and "anti-Hebbian" parts
 * of G. Since W &lt;- W - eta G, the realised change is the reverse (anti-Hebbian on the clean / negative
 * pass, Hebbian on the modulated / positive one): the modulated, target-carrying pass of PEPITA plays the
 * role of FF's positive data. Per model, layer and epoch (averaged over the probed batches) the comparison
 * reports |G|, |Hebbian part|, |anti-Hebbian part|, the cosine between the Hebbian part and minus the
 * anti-Hebbian part (how far the two passes cancel), |G| / (|Hebbian| + |anti-Hebbian|), and
 *
 * <ul>
 *   <li>{@code cos_ff}: the cosine between the layer's update and the FF update of the same layer on the
 *       same batch (the FF network starts from the PEPITA networks' hidden weights when {@code sharedInit},
 *       so the two are comparable at the start and drift apart as training proceeds);
 *   <li>{@code cos_unweighted} (FF only): the cosine between FF's update and its unweighted form {@code
 *       c/2n (sum_neg h z^T - sum_pos h z^T)}, i.e. how much FF's sigmoid gates change the plain
 *       Hebbian-minus-anti-Hebbian rule that PEPITA-Hebbian uses.
 * </ul>
 *
 * All three networks see pixels as given (no label code for PEPITA; FF writes its label code into the first
 * C features). Both PEPITA networks start from the same weights, F and dropout masks; FF uses no dropout and
 * no peer normalisation here, so that its update is exactly the two terms above.
 */
public final class HebbianComparison implements AutoCloseable {
  /** Model names in the output. */
  public static final List<String> MODELS = List.of("pepita", "pepita-hebbian", "ff");

  /**
   * The experiment's settings.
   *
   * @param hidden hidden widths, shared by the three networks (FF's layers are the hidden layers)
   * @param epochs epochs
   * @param batch batch size n
   * @param seed the seed of every random stream
   * @param threads kernel threads
   * @param probeEvery decompose the updates on every probeEvery-th batch (1 = every batch)
   * @param pepitaLr learning rate of both PEPITA variants (SGD, momentum below, no weight decay)
   * @param momentum SGD momentum of every model
   * @param dropout dropout of the PEPITA networks
   * @param fScale Bstd of the PEPITA feedback matrix F (uniform, zero mean)
   * @param ffLr FF learning rate (SGD with momentum and {@code ffWeightDecay})
   * @param ffWeightDecay FF weight decay
   * @param ffOptions FF network options
   * @param ffReadoutLr learning rate of FF's linear read-out (layers 2..L, or 1 with one layer)
   * @param sharedInit start FF from the PEPITA networks' hidden weights (biases 0)
   */
  public record Settings(
      int[] hidden,
      int epochs,
      int batch,
      long seed,
      int threads,
      int probeEvery,
      float pepitaLr,
      float momentum,
      float dropout,
      float fScale,
      float ffLr,
      float ffWeightDecay,
      FfNetwork.Options ffOptions,
      float ffReadoutLr,
      boolean sharedInit) {
    public Settings {
      if (hidden.length < 1 || epochs < 1 || batch < 1 || threads < 1 || probeEvery < 1) {
        throw new IllegalArgumentException("hidden needs >= 1 layer and epochs, batch, threads, probe-every must be >= 1");
      }
    }
  }

  /**
   * One model's layer in one epoch, averaged over the probed batches; G-convention parts (see the class
   * comment). Layer L of the PEPITA models is the output layer; FF has only the hidden layers.
   *
   * Each figure is the mean over the probes where it is defined (a cosine is undefined when a part is exactly
   * zero, e.g. when every negative row of an FF layer is so far below the threshold that its sigmoid weight
   * underflows); NaN if it was defined at no probe.
   *
   * @param crossCosine cosine with the FF update of the same layer and batch (NaN where FF has no such layer, and for FF itself)
   * @param unweightedCosine FF only: cosine with the unweighted Hebbian-minus-anti-Hebbian form (NaN for PEPITA)
   */
  public record LayerRow(
      String model,
      int epoch,
      int layer,
      String hebbianPass,
      String antiHebbianPass,
      double updateNorm,
      double hebbianNorm,
      double antiHebbianNorm,
      double hebbianAntiCosine,
      double cancellation,
      double crossCosine,
      double unweightedCosine,
      int probes) {}

  /** Test accuracy of each model after an epoch. */
  public record EpochRow(int epoch, double pepitaAccuracy, double hebbianAccuracy, double ffAccuracy, double seconds) {}

  private final Settings s;
  private final Dataset train;
  private final Dataset test;
  private final ThreadPool pool;
  private final Network pepNet;
  private final Network hebNet;
  private final FfNetwork ffNet;
  private final Pepita pepita;
  private final PepitaHebbian hebbian;
  private final ForwardForward ff;
  private final LinearReadout readout;
  private final Sgd pepOpt;
  private final Sgd hebOpt;
  private final Sgd[] ffOpt;
  private final Sgd readoutOpt;
  private final BatchLoader loader;
  private final Matrix target;
  private final int layers; // L of the PEPITA networks
  private final Matrix[][] hebb; // [model][l]
  private final Matrix[][] anti;
  private final Matrix[] unweighted;
  private final double[][][] sums; // [model][l][quantity], over the probes where the quantity is defined
  private final int[][][] defined; // [model][l][quantity]
  private final int[][] counts;
  private final List<LayerRow> rows = new ArrayList<>();
  private final List<EpochRow> epochs = new ArrayList<>();

  private static final int Q = 7; // |G|, |H|, |A|, cos(H,-A), cancellation, cross cos, unweighted cos

  /** Builds the three networks, rules and optimisers. */
  public HebbianComparison(Settings settings, DatasetSplit data, int trainLimit, int testLimit) {
    this.s = settings;
    train = trainLimit > 0 && trainLimit < data.train().size() ? data.train().head(trainLimit) : data.train();
    test = testLimit > 0 && testLimit < data.test().size() ? data.test().head(testLimit) : data.test();
    if (train.size() < s.batch()) {
      throw new IllegalArgumentException("batch " + s.batch() + " is larger than the " + train.size() + " training examples");
    }
    int d0 = train.features();
    int c = train.numClasses();
    int[] sizes = new int[s.hidden().length + 2];
    sizes[0] = d0;
    System.arraycopy(s.hidden(), 0, sizes, 1, s.hidden().length);
    sizes[sizes.length - 1] = c;
    layers = sizes.length - 1;
    Rng root = new Rng(s.seed());
    pool = new ThreadPool(s.threads());
    pepNet = Network.create(sizes, WeightInit.HE_UNIFORM, false, root.stream(1));
    hebNet = pepNet.copy();
    FeedbackMatrix f = FeedbackMatrix.uniform(d0, c, s.fScale(), true, root.stream(2));
    pepita = new Pepita(new RuleContext(pepNet, s.batch(), s.dropout(), pool, root.stream(4)), f);
    hebbian = new PepitaHebbian(new RuleContext(hebNet, s.batch(), s.dropout(), pool, root.stream(4)), f,
        Pepita.Sign.MINUS, Pepita.Presynaptic.MODULATED, false);
    pepOpt = new Sgd(pepNet.weights(), s.pepitaLr(), s.momentum(), 0f);
    hebOpt = new Sgd(hebNet.weights(), s.pepitaLr(), s.momentum(), 0f);

    int[] ffSizes = new int[s.hidden().length + 1];
    System.arraycopy(sizes, 0, ffSizes, 0, ffSizes.length);
    FfNetwork created = FfNetwork.create(ffSizes, s.ffOptions(), FfNetwork.InitScheme.HE_UNIFORM, root.stream(7));
    if (s.sharedInit()) {
      List<Matrix> w = new ArrayList<>();
      List<Matrix> b = s.ffOptions().biases() ? new ArrayList<>() : null;
      for (int l = 1; l < layers; l++) {
        w.add(pepNet.weight(l));
        if (b != null) {
          b.add(new Matrix(1, sizes[l]));
        }
      }
      ffNet = FfNetwork.of(w, b, s.ffOptions());
    } else {
      ffNet = created;
    }
    readout = new LinearReadout(ffNet, ffNet.layers() >= 2 ? 2 : 1);
    ff = new ForwardForward(ffNet, s.batch(), 0f, 0.9f, readout, pool, root.stream(6));
    ff.setFirstLayerShortcut(false); // the unweighted form below needs the stacked pass's z_0
    ffOpt = new Sgd[ffNet.layers() + 1];
    for (int l = 1; l <= ffNet.layers(); l++) {
      ffOpt[l] = new Sgd(ffNet.parameters(l), s.ffLr(), s.momentum(), s.ffWeightDecay());
    }
    readoutOpt = new Sgd(readout.blocks(), s.ffReadoutLr(), s.momentum(), 0f);
    loader = new BatchLoader(train, s.batch(), true, true, root.stream(3));
    target = new Matrix(s.batch(), c);
    hebb = new Matrix[3][layers + 1];
    anti = new Matrix[3][layers + 1];
    unweighted = new Matrix[layers + 1];
    for (int l = 1; l <= layers; l++) {
      for (int m = 0; m < 3; m++) {
        if (m < 2 || l < layers) {
          hebb[m][l] = new Matrix(sizes[l], sizes[l - 1]);
          anti[m][l] = new Matrix(sizes[l], sizes[l - 1]);
        }
      }
      if (l < layers) {
        unweighted[l] = new Matrix(sizes[l], sizes[l - 1]);
      }
    }
    sums = new double[3][layers + 1][Q];
    defined = new int[3][layers + 1][Q];
    counts = new int[3][layers + 1];
  }

  public Network pepitaNetwork() {
    return pepNet;
  }

  public Network hebbianNetwork() {
    return hebNet;
  }

  public FfNetwork ffNetwork() {
    return ffNet;
  }

  /** The per-layer rows of the epochs run so far. */
  public List<LayerRow> layerRows() {
    return List.copyOf(rows);
  }

  /** The per-epoch accuracies so far. */
  public List<EpochRow> epochRows() {
    return List.copyOf(epochs);
  }

  /** Trains all remaining epochs, reporting progress; returns the per-layer rows. */
  public List<LayerRow> run(TrainingListener listener) {
    while (epochs.size() < s.epochs()) {
      runEpoch(listener);
    }
    return layerRows();
  }

  /** Trains the next epoch (all three models on the same batches) and appends its rows. */
  public void runEpoch(TrainingListener listener) {
    int epoch = epochs.size();
    int batches = loader.numBatches();
    long t0 = System.nanoTime();
    listener.epochStarted(epoch, batches);
    loader.startEpoch();
    for (int m = 0; m < 3; m++) {
      for (int l = 0; l <= layers; l++) {
        java.util.Arrays.fill(sums[m][l], 0);
        java.util.Arrays.fill(defined[m][l], 0);
      }
    }
    for (int[] c : counts) {
      java.util.Arrays.fill(c, 0);
    }
    for (int b = 0; b < batches; b++) {
      loader.next();
      Matrix x = loader.x();
      int[] y = loader.labels();
      pepita.computeGradients(x, y);
      hebbian.computeGradients(x, y);
      ff.computeGradients(x, y, 1, ffNet.layers());
      if (b % s.probeEvery() == 0) {
        probe(x, y);
      }
      pepOpt.step(pepita.gradients());
      hebOpt.step(hebbian.gradients());
      ff.step(ffOpt, readoutOpt);
      listener.batchDone(epoch, b, batches, (long) (b + 1) * s.batch());
    }
    for (int m = 0; m < 3; m++) {
      int top = m < 2 ? layers : ffNet.layers();
      for (int l = 1; l <= top; l++) {
        double[] q = new double[Q];
        for (int i = 0; i < Q; i++) {
          int k = defined[m][l][i];
          q[i] = k == 0 ? Double.NaN : sums[m][l][i] / k;
        }
        rows.add(new LayerRow(MODELS.get(m), epoch, l, passName(m, true), passName(m, false), q[0], q[1], q[2], q[3],
            q[4], q[5], q[6], counts[m][l]));
      }
    }
    double seconds = (System.nanoTime() - t0) * 1e-9;
    epochs.add(new EpochRow(epoch, accuracy(pepNet), accuracy(hebNet), ffAccuracy(), seconds));
  }

  /** The epochs trained so far. */
  public int epochsDone() {
    return epochs.size();
  }

  /**
   * The Hebbian and anti-Hebbian parts of model m's (index in {@link #MODELS}) layer-l update at the last probe
   * (live), and the update itself; for tests.
   */
  Matrix[] lastParts(int m, int l) {
    Matrix g = m == 0 ? pepita.gradient(l) : m == 1 ? hebbian.gradient(l) : ff.weightGradient(l);
    return new Matrix[] {hebb[m][l], anti[m][l], g, m == 2 ? unweighted[l] : null};
  }

  private static String passName(int model, boolean hebbian) {
    return switch (model) {
      case 0 -> hebbian ? "clean post x modulated pre" : "modulated";
      case 1 -> hebbian ? "clean" : "modulated";
      default -> hebbian ? "negative" : "positive";
    };
  }

  private void probe(Matrix x, int[] y) {
    int n = s.batch();
    float inv = 1f / n;
    Ops.oneHot(y, target);
    // PEPITA-Hebbian and PEPITA.
    for (int m = 0; m < 2; m++) {
      Pepita rule = m == 0 ? pepita : hebbian;
      ForwardPass clean = rule.cleanPass();
      ForwardPass mod = rule.modulatedPass();
      for (int l = 1; l <= layers; l++) {
        Matrix preMod = l == 1 ? rule.modulatedInput() : mod.hidden(l - 1);
        Matrix preHebb = m == 1 ? (l == 1 ? x : clean.hidden(l - 1)) : preMod;
        Matrix postClean = l < layers ? clean.hidden(l) : clean.probabilities();
        Matrix postMod = l < layers ? mod.hidden(l) : target;
        Ops.gemm(Transpose.T, Transpose.N, inv, postClean, preHebb, 0f, hebb[m][l], pool);
        Ops.gemm(Transpose.T, Transpose.N, -inv, postMod, preMod, 0f, anti[m][l], pool);
        Matrix g = rule.gradient(l);
        Matrix ffG = l <= ffNet.layers() ? ff.weightGradient(l) : null;
        accumulate(m, l, g, hebb[m][l], anti[m][l], ffG, null);
      }
    }
    // FF: negative-data part (Hebbian in G), positive-data part (anti-Hebbian), unweighted form.
    FfPass p = ff.stackedPass();
    for (int l = 1; l <= ffNet.layers(); l++) {
      ff.gradientParts(l, anti[2][l], hebb[2][l]);
      Matrix h = p.hidden(l);
      Matrix z = p.normalized(l - 1);
      float c = ffNet.options().goodness().factor(ffNet.size(l)) / (2f * n);
      Ops.gemm(Transpose.T, Transpose.N, c, h.rows(n, 2 * n), z.rows(n, 2 * n), 0f, unweighted[l], pool);
      Ops.gemm(Transpose.T, Transpose.N, -c, h.rows(0, n), z.rows(0, n), 1f, unweighted[l], pool);
      accumulate(2, l, ff.weightGradient(l), hebb[2][l], anti[2][l], null, unweighted[l]);
    }
  }

  private void accumulate(int m, int l, Matrix g, Matrix h, Matrix a, Matrix ffG, Matrix unw) {
    double gn = Ops.frobeniusNorm(g);
    double hn = Ops.frobeniusNorm(h);
    double an = Ops.frobeniusNorm(a);
    double[] v = {
      gn, hn, an, -cosine(h, a), gn / (hn + an),
      ffG == null || !ffG.sameShape(g) ? Double.NaN : cosine(g, ffG),
      unw == null ? Double.NaN : cosine(g, unw)
    };
    for (int i = 0; i < Q; i++) {
      if (!Double.isNaN(v[i])) {
        sums[m][l][i] += v[i];
        defined[m][l][i]++;
      }
    }
    counts[m][l]++;
  }

  /** The cosine of the angle between vec(a) and vec(b), accumulated in double (NaN if either is zero). */
  public static double cosine(Matrix a, Matrix b) {
    if (!a.sameShape(b)) {
      throw new IllegalArgumentException("cosine of " + a.shape() + " and " + b.shape() + ": shapes differ");
    }
    float[] x = a.data();
    float[] y = b.data();
    double dot = 0;
    double nx = 0;
    double ny = 0;
    for (int i = 0, len = a.size(); i < len; i++) {
      double u = x[a.offset() + i];
      double v = y[b.offset() + i];
      dot += u * v;
      nx += u * u;
      ny += v * v;
    }
    return dot / Math.sqrt(nx * ny);
  }

  private double accuracy(Network net) {
    int[] pred = new int[test.size()];
    net.predict(test.x(), pred, pool);
    return fraction(pred);
  }

  private double ffAccuracy() {
    int[] pred = new int[test.size()];
    for (int from = 0; from < test.size(); from += 1000) {
      int to = Math.min(test.size(), from + 1000);
      int[] part = new int[to - from];
      readout.predict(ffNet, test.x().rows(from, to), null, part, pool);
      System.arraycopy(part, 0, pred, from, part.length);
    }
    return fraction(pred);
  }

  private double fraction(int[] pred) {
    int right = 0;
    for (int i = 0; i < pred.length; i++) {
      if (pred[i] == test.labels()[i]) {
        right++;
      }
    }
    return pred.length == 0 ? Double.NaN : (double) right / pred.length;
  }

  /** Batches per epoch. */
  public int batchesPerEpoch() {
    return loader.numBatches();
  }

  public Dataset trainSet() {
    return train;
  }

  public Dataset testSet() {
    return test;
  }

  @Override
  public void close() {
    pool.close();
  }
}

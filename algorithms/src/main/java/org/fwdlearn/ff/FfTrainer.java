package org.fwdlearn.ff;

import static org.fwdlearn.io.CheckpointIO.readDoubles;
import static org.fwdlearn.io.CheckpointIO.readMatrix;
import static org.fwdlearn.io.CheckpointIO.writeDoubles;
import static org.fwdlearn.io.CheckpointIO.writeMatrix;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.fwdlearn.core.Matrix;
import org.fwdlearn.core.Ops;
import org.fwdlearn.core.Rng;
import org.fwdlearn.core.ThreadPool;
import org.fwdlearn.data.BatchLoader;
import org.fwdlearn.data.Dataset;
import org.fwdlearn.data.DatasetSplit;
import org.fwdlearn.optim.Adam;
import org.fwdlearn.optim.Optimizer;
import org.fwdlearn.optim.Sgd;
import org.fwdlearn.train.EpochReport;
import org.fwdlearn.train.TrainConfig;
import org.fwdlearn.train.TrainingDivergedException;
import org.fwdlearn.train.TrainingListener;
import org.fwdlearn.train.TrainingResult;

/**
 * Trains a {@link FfNetwork} with {@link ForwardForward} (rule {@code ff}; ALGORITHMS.md section 7) from a
 * {@link TrainConfig}: the hidden widths are the network's layers (there is no output layer), batches of
 * {@code batch} shuffled images (the last partial batch dropped), one optimiser per layer (SGD with momentum
 * and weight decay, PyTorch semantics, or Adam), and either schedule:
 *
 * <ul>
 *   <li>{@code simultaneous}: every layer learns on every batch (the loeweX code);
 *   <li>{@code layerwise}: layer after layer, layer l during epochs [(l-1) E/L, l E/L) (the last layer also
 *       takes the remainder), the layers below frozen (Hinton's greedy variant, the mpezeshki code).
 * </ul>
 *
 * <p>The learning rate of epoch e is {@code lr * lrDecay^(number of decay epochs < e)}, times the loeweX
 * linear cool-down {@code 2 (1 + E - e) / E} when {@code ffCooldown} and {@code e > E/2} (integer division);
 * the read-out's rate ({@code ffReadoutLr}) follows the same factors. Test accuracy is that of the chosen
 * read-out ({@code ffReadout}: summed goodness over every label, or the linear read-out of a neutral pass),
 * evaluated after epoch 0, every {@code ffEvalEvery} epochs and after the last one (NaN in the other epochs);
 * after the last epoch the goodness read-out is evaluated too. Train accuracy and test loss are the linear
 * read-out's (NaN for the goodness read-out), train loss is the sum over trained layers of the FF loss.
 *
 * <p>Everything random derives from {@code config.seed} (weights, batch order, wrong labels: separate
 * streams), so a seed gives the same weights bit for bit whatever the thread count. Checkpoints hold the
 * full state between epochs. Settings that do not apply to FF (dropout, activation normalisation, weight
 * mirroring) must be off. Not thread-safe; {@link #close()} stops the trainer's threads.
 */
public final class FfTrainer implements AutoCloseable {
  private static final int MAGIC = 0x46574646; // "FWFF"
  private static final int VERSION = 1;

  private final TrainConfig config;
  private final Dataset train;
  private final Dataset test;
  private final ThreadPool pool;
  private final FfNetwork net;
  private final LinearReadout readout;
  private final ForwardForward ff;
  private final Optimizer[] optimizers; // 1..L
  private final Optimizer readoutOptimizer;
  private final Rng shuffleRng;
  /** With ffNegatives = permuted: the negative label of every training example, drawn once; else null. */
  private final int[] fixedNegatives;
  private final int[] batchNegatives;
  private final Rng labelRng;
  private final BatchLoader loader;
  private final int firstLayer;
  private final boolean layerwise;
  private final boolean linear;
  private final List<EpochReport> reports = new ArrayList<>();
  private final List<FfEpochStats> stats = new ArrayList<>();
  private final Map<Integer, FfPass> evalPasses = new HashMap<>();
  private final Map<String, Matrix> snapshot = new LinkedHashMap<>();
  private int nextEpoch;

  /**
   * Validates the config (rule {@code ff}) and builds the network, read-out, optimisers and workspaces.
   *
   * @throws IllegalArgumentException if a setting is invalid, does not apply to FF, or does not fit the data
   */
  public FfTrainer(TrainConfig config, DatasetSplit data) {
    this.config = config.copy().validate();
    TrainConfig c = this.config;
    if (!c.rule.equalsIgnoreCase("ff")) {
      throw new IllegalArgumentException("rule: FfTrainer trains rule 'ff', got '" + c.rule + "'");
    }
    List<String> problems = new ArrayList<>();
    if (c.dropout != 0f) {
      problems.add("dropout: rule ff (Forward-Forward) uses no dropout; pass --dropout 0 (got " + c.dropout
          + "; the default 0.1 is PEPITA's)");
    }
    if (c.normalizeActivations) {
      problems.add("normalize-activations: does not apply to ff (each layer's input is length-normalised, see ff-norm)");
    }
    if (c.mirror) {
      problems.add("mirror: ff has no feedback matrices to mirror");
    }
    if (c.hidden.length == 0) {
      problems.add("hidden: ff needs at least one layer (its layers are the hidden widths)");
    }
    if (c.ffSkipFirst && c.hidden.length < 2) {
      problems.add("ff-skip-first: needs at least 2 layers, got " + c.hidden.length + " (pass --ff-skip-first false)");
    }
    boolean lw = c.ffSchedule.equalsIgnoreCase("layerwise");
    if (lw && c.epochs < c.hidden.length) {
      problems.add("epochs: the layerwise schedule needs at least one epoch per layer, got " + c.epochs + " for "
          + c.hidden.length + " layers");
    }
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException(String.join("; ", problems));
    }
    train = data.train().limit(c.trainLimit, c.trainSubset, c.seed ^ 0x5EB5E7L);
    test = c.testLimit > 0 && c.testLimit < data.test().size() ? data.test().head(c.testLimit) : data.test();
    if (train.size() < c.batch) {
      throw new IllegalArgumentException("batch: " + c.batch + " is larger than the " + train.size()
          + " training examples of " + train.name() + " (the last partial batch is dropped)");
    }
    int classes = train.numClasses();
    if (train.features() < classes) {
      throw new IllegalArgumentException("ff: " + train.name() + " has " + train.features()
          + " features, fewer than the " + classes + " of the label code");
    }
    int[] sizes = new int[c.hidden.length + 1];
    sizes[0] = train.features();
    System.arraycopy(c.hidden, 0, sizes, 1, c.hidden.length);
    FfNetwork.Options options = options(c, classes);

    Rng root = new Rng(c.seed);
    Rng initRng = root.stream(1);
    shuffleRng = root.stream(3);
    labelRng = root.stream(6);
    pool = new ThreadPool(c.threads);
    net = FfNetwork.create(sizes, options, FfNetwork.InitScheme.parse(c.ffInit), initRng);
    layerwise = lw;
    firstLayer = c.ffSkipFirst ? 2 : 1;
    linear = c.ffReadout.equalsIgnoreCase("linear");
    readout = linear ? new LinearReadout(net, firstLayer) : null;
    ff = new ForwardForward(net, c.batch, c.ffPeer, c.ffPeerMomentum, readout, pool, labelRng);
    optimizers = new Optimizer[net.layers() + 1];
    boolean adam = c.ffOptimizer.equalsIgnoreCase("adam");
    for (int l = 1; l <= net.layers(); l++) {
      optimizers[l] = adam
          ? new Adam(net.parameters(l), c.effectiveLr(), Adam.DEFAULT_BETA1, Adam.DEFAULT_BETA2, Adam.DEFAULT_EPSILON,
              c.weightDecay, "layer " + l + " parameter ")
          : new Sgd(net.parameters(l), c.effectiveLr(), c.momentum, c.weightDecay, "layer " + l + " parameter ");
    }
    readoutOptimizer = linear
        ? new Sgd(readout.blocks(), c.ffReadoutLr, c.momentum, c.ffReadoutWeightDecay, "read-out block ")
        : null;
    loader = new BatchLoader(train, c.batch, true, true, shuffleRng);
    if (c.ffNegatives.equalsIgnoreCase("permuted")) {
      fixedNegatives = permutedLabels(train.labels(), root.stream(7));
      batchNegatives = new int[c.batch];
    } else {
      fixedNegatives = null;
      batchNegatives = null;
    }
    for (Map.Entry<String, Matrix> e : checkpointTensors().entrySet()) {
      snapshot.put(e.getKey(), new Matrix(e.getValue().rows(), e.getValue().cols()));
    }
  }

  /**
   * The negative labels of ffNegatives = permuted: {@code out[i] = labels[p(i)]} for a uniformly random
   * permutation p (Fisher-Yates on {@code rng}), as {@code y[torch.randperm(n)]} in the full-batch reimplementation.
   */
  static int[] permutedLabels(int[] labels, Rng rng) {
    int[] p = new int[labels.length];
    for (int i = 0; i < p.length; i++) {
      p[i] = i;
    }
    for (int i = p.length - 1; i > 0; i--) {
      int j = rng.nextInt(i + 1);
      int t = p[i];
      p[i] = p[j];
      p[j] = t;
    }
    int[] out = new int[labels.length];
    for (int i = 0; i < out.length; i++) {
      out[i] = labels[p[i]];
    }
    return out;
  }

  /** The network options a config describes, for C classes. */
  public static FfNetwork.Options options(TrainConfig c, int classes) {
    return new FfNetwork.Options(
        classes,
        Goodness.parse(c.ffGoodness),
        c.ffThreshold == null ? Float.NaN : c.ffThreshold,
        InputNormalization.parse(c.ffNorm),
        c.ffBiases,
        c.ffLabelValue,
        c.ffNeutralValue == null ? 1f / classes : c.ffNeutralValue);
  }

  /** The validated copy of the config. */
  public TrainConfig config() {
    return config.copy();
  }

  /** The network (live). */
  public FfNetwork network() {
    return net;
  }

  /** The linear read-out (live), or null with the goodness read-out. */
  public LinearReadout readout() {
    return readout;
  }

  /** The rule's batch workspace (for diagnostics). */
  public ForwardForward rule() {
    return ff;
  }

  /** The first layer whose goodness (or activity, for the linear read-out) is used to predict. */
  public int firstPredictionLayer() {
    return firstLayer;
  }

  public Dataset trainSet() {
    return train;
  }

  public Dataset testSet() {
    return test;
  }

  /** The 0-based epoch {@link #run} trains next. */
  public int nextEpoch() {
    return nextEpoch;
  }

  /** Batches per epoch. */
  public int batchesPerEpoch() {
    return loader.numBatches();
  }

  /** The reports of the epochs trained so far. */
  public List<EpochReport> reports() {
    return List.copyOf(reports);
  }

  /** The FF figures of the epochs trained so far. */
  public List<FfEpochStats> stats() {
    return List.copyOf(stats);
  }

  /** The learning-rate factor of (0-based) epoch e: step decays before e, times the linear cool-down. */
  public double lrFactor(int epoch) {
    double f = 1;
    for (int e : config.decayEpochs) {
      if (e < epoch) {
        f *= config.lrDecay;
      }
    }
    int total = config.epochs;
    if (config.ffCooldown && epoch > total / 2) {
      f *= 2.0 * (1 + total - epoch) / total;
    }
    return f;
  }

  /** The layers [first, last] trained in (0-based) epoch e. */
  public int[] trainedLayers(int epoch) {
    int layers = net.layers();
    if (!layerwise) {
      return new int[] {1, layers};
    }
    int per = Math.max(1, config.epochs / layers);
    int l = Math.min(layers, 1 + epoch / per);
    return new int[] {l, l};
  }

  /**
   * The tensors for export, live: "W1".."WL", "b1".."bL" (with biases) and the read-out blocks "R{l}" (C x
   * d_l, for l = first read-out layer..L).
   */
  public Map<String, Matrix> namedTensors() {
    Map<String, Matrix> m = new LinkedHashMap<>();
    for (int l = 1; l <= net.layers(); l++) {
      m.put("W" + l, net.weight(l));
    }
    for (int l = 1; l <= net.layers(); l++) {
      if (net.bias(l) != null) {
        m.put("b" + l, net.bias(l));
      }
    }
    if (readout != null) {
      for (int l = readout.firstLayer(); l <= net.layers(); l++) {
        m.put("R" + l, readout.block(l));
      }
    }
    return Collections.unmodifiableMap(m);
  }

  private Map<String, Matrix> checkpointTensors() {
    Map<String, Matrix> m = new LinkedHashMap<>(namedTensors());
    for (int l = 1; l <= net.layers(); l++) {
      List<Matrix> s = optimizers[l].stateBuffers();
      for (int k = 0; k < s.size(); k++) {
        m.put("opt" + l + "." + k, s.get(k));
      }
      m.put("peer" + l, Matrix.wrap(1, net.size(l), ff.peerMeans(l)));
    }
    if (readoutOptimizer != null) {
      List<Matrix> s = readoutOptimizer.stateBuffers();
      for (int k = 0; k < s.size(); k++) {
        m.put("readout-opt." + k, s.get(k));
      }
    }
    return m;
  }

  /** Trains the remaining epochs without a listener. */
  public TrainingResult run() {
    return run(new TrainingListener() {});
  }

  /**
   * Trains epochs {@link #nextEpoch()} to {@code config.epochs - 1}, reporting to the listener.
   *
   * @throws TrainingDivergedException on a NaN or infinity (weights and optimiser state are restored to the
   *     start of the epoch if the failed update had already changed them)
   */
  public TrainingResult run(TrainingListener listener) {
    TrainConfig c = config;
    int batches = loader.numBatches();
    int layers = net.layers();
    while (nextEpoch < c.epochs) {
      int epoch = nextEpoch;
      long t0 = System.nanoTime();
      takeSnapshot();
      double factor = lrFactor(epoch);
      float lr = (float) (c.effectiveLr() * factor);
      for (int l = 1; l <= layers; l++) {
        optimizers[l].setLearningRate(lr);
      }
      if (readoutOptimizer != null) {
        readoutOptimizer.setLearningRate((float) (c.ffReadoutLr * factor));
      }
      int[] trained = trainedLayers(epoch);
      listener.epochStarted(epoch, batches);
      loader.startEpoch();
      double[] loss = new double[layers + 1];
      double[] sep = new double[layers + 1];
      double[] gp = new double[layers + 1];
      double[] gn = new double[layers + 1];
      double[] peer = new double[layers + 1];
      double readoutLoss = 0;
      long readoutCorrect = 0;
      for (int b = 0; b < batches; b++) {
        loader.next();
        try {
          int[] neg = null;
          if (fixedNegatives != null) {
            for (int k = 0; k < batchNegatives.length; k++) {
              batchNegatives[k] = fixedNegatives[loader.currentRow(k)];
            }
            neg = batchNegatives;
          }
          ff.computeGradients(loader.x(), loader.labels(), neg, trained[0], trained[1]);
          ff.step(optimizers, readoutOptimizer);
        } catch (ArithmeticException e) {
          throw diverged(epoch, b, batches, e);
        }
        for (int l = trained[0]; l <= trained[1]; l++) {
          loss[l] += ff.loss(l);
          sep[l] += ff.separation(l);
          gp[l] += ff.meanPositiveGoodness(l);
          gn[l] += ff.meanNegativeGoodness(l);
          peer[l] += ff.peerLoss(l);
        }
        readoutLoss += ff.readoutLoss();
        readoutCorrect += ff.readoutCorrect();
        listener.batchDone(epoch, b, batches, (long) (b + 1) * c.batch);
      }
      double trainLoss = 0;
      double[][] per = new double[5][layers];
      for (int l = 1; l <= layers; l++) {
        boolean on = l >= trained[0] && l <= trained[1];
        per[0][l - 1] = on ? loss[l] / batches : Double.NaN;
        per[1][l - 1] = on ? sep[l] / batches : Double.NaN;
        per[2][l - 1] = on ? gp[l] / batches : Double.NaN;
        per[3][l - 1] = on ? gn[l] / batches : Double.NaN;
        per[4][l - 1] = on && c.ffPeer > 0 ? peer[l] / batches : Double.NaN;
        if (on) {
          trainLoss += per[0][l - 1];
        }
      }
      boolean last = epoch == c.epochs - 1;
      boolean evaluate = epoch == 0 || last || (epoch + 1) % c.ffEvalEvery == 0;
      double testAcc = Double.NaN;
      double testLoss = Double.NaN;
      double accGoodness = Double.NaN;
      double accReadout = Double.NaN;
      if (evaluate) {
        if (linear) {
          double[] r = evaluateReadout(test);
          accReadout = r[0];
          testLoss = r[1];
          testAcc = accReadout;
        }
        if (!linear || last) {
          accGoodness = evaluateGoodness(test);
          if (!linear) {
            testAcc = accGoodness;
          }
        }
      }
      double[] norms = new double[layers];
      for (int l = 1; l <= layers; l++) {
        norms[l - 1] = Ops.frobeniusNorm(net.weight(l));
      }
      double seconds = (System.nanoTime() - t0) * 1e-9;
      double trainAcc = linear ? (double) readoutCorrect / ((long) batches * c.batch) : Double.NaN;
      double readoutTrainLoss = linear ? readoutLoss / batches : Double.NaN;
      EpochReport report = new EpochReport(
          epoch, trainLoss, trainAcc, testLoss, testAcc, lr, Double.NaN, new double[0], norms, Double.NaN, Double.NaN,
          seconds);
      FfEpochStats s = new FfEpochStats(
          epoch, trained[0], trained[1], per[0], per[1], per[2], per[3], per[4], readoutTrainLoss, trainAcc, accGoodness,
          accReadout, seconds);
      reports.add(report);
      stats.add(s);
      nextEpoch = epoch + 1;
      listener.epochDone(report);
    }
    double best = Double.NaN;
    double seconds = 0;
    for (EpochReport r : reports) {
      if (!Double.isNaN(r.testAccuracy()) && (Double.isNaN(best) || r.testAccuracy() > best)) {
        best = r.testAccuracy();
      }
      seconds += r.seconds();
    }
    double lastAcc = reports.isEmpty() ? Double.NaN : reports.get(reports.size() - 1).testAccuracy();
    return new TrainingResult(reports, lastAcc, best, seconds);
  }

  private FfPass evalPass(int rows) {
    return evalPasses.computeIfAbsent(rows, r -> new FfPass(net, r));
  }

  /** Test accuracy predicting by summed goodness over every label (layers firstPredictionLayer..L). */
  public double evaluateGoodness(Dataset d) {
    checkData(d);
    if (d.size() == 0) {
      return Double.NaN;
    }
    BatchLoader eval = new BatchLoader(d, config.testBatch, false, false, null);
    eval.startEpoch();
    long correct = 0;
    int[] predicted = new int[config.testBatch];
    while (eval.next()) {
      Matrix x = eval.x();
      int[] y = eval.labels();
      Matrix scores = new Matrix(x.rows(), net.classes());
      net.goodnessScores(evalPass(x.rows()), x, firstLayer, scores, pool);
      Ops.argmaxRows(scores, predicted);
      for (int i = 0; i < x.rows(); i++) {
        if (predicted[i] == y[i]) {
          correct++;
        }
      }
    }
    return (double) correct / d.size();
  }

  /** {accuracy, mean cross-entropy} of the linear read-out on d. */
  public double[] evaluateReadout(Dataset d) {
    checkData(d);
    if (readout == null) {
      throw new IllegalStateException("this trainer has no linear read-out (ff-readout goodness)");
    }
    if (d.size() == 0) {
      return new double[] {Double.NaN, Double.NaN};
    }
    BatchLoader eval = new BatchLoader(d, config.testBatch, false, false, null);
    eval.startEpoch();
    long correct = 0;
    double lossSum = 0;
    int[] predicted = new int[config.testBatch];
    while (eval.next()) {
      Matrix x = eval.x();
      int[] y = eval.labels();
      Matrix scores = new Matrix(x.rows(), net.classes());
      lossSum += readout.predict(evalPass(x.rows()), x, y, predicted, scores, pool) * x.rows();
      for (int i = 0; i < x.rows(); i++) {
        if (predicted[i] == y[i]) {
          correct++;
        }
      }
    }
    return new double[] {(double) correct / d.size(), lossSum / d.size()};
  }

  private void checkData(Dataset d) {
    if (d.features() != net.size(0) || d.numClasses() != net.classes()) {
      throw new IllegalArgumentException("cannot evaluate on " + d.name() + " (" + d.features() + " features, "
          + d.numClasses() + " classes): the network has " + net.size(0) + " inputs and " + net.classes() + " classes");
    }
  }

  private void takeSnapshot() {
    for (Map.Entry<String, Matrix> e : checkpointTensors().entrySet()) {
      snapshot.get(e.getKey()).copyFrom(e.getValue());
    }
  }

  private TrainingDivergedException diverged(int epoch, int step, int steps, ArithmeticException e) {
    String detail = e.getMessage();
    if (e instanceof org.fwdlearn.optim.NonFiniteGradientException nf && nf.parametersModified()) {
      for (Map.Entry<String, Matrix> t : checkpointTensors().entrySet()) {
        t.getValue().copyFrom(snapshot.get(t.getKey()));
      }
      detail += "; weights and optimiser state restored to the start of epoch " + epoch;
    } else {
      detail += "; the update was not applied";
    }
    return new TrainingDivergedException(epoch, step, steps, detail, e);
  }

  // ------------------------------------------------------------------ checkpoints

  /** Writes the full training state between epochs. The stream is not closed. */
  public void saveCheckpoint(OutputStream out) throws IOException {
    DataOutputStream o = new DataOutputStream(out);
    o.writeInt(MAGIC);
    o.writeInt(VERSION);
    int[] sizes = net.sizes();
    o.writeInt(sizes.length);
    for (int s : sizes) {
      o.writeInt(s);
    }
    o.writeInt(config.batch);
    o.writeLong(config.seed);
    o.writeInt(nextEpoch);
    o.writeLong(shuffleRng.state());
    o.writeLong(labelRng.state());
    for (int l = 1; l <= net.layers(); l++) {
      o.writeLong(optimizers[l] instanceof Adam a ? a.steps() : 0L);
    }
    Map<String, Matrix> tensors = checkpointTensors();
    o.writeInt(tensors.size());
    for (Map.Entry<String, Matrix> e : tensors.entrySet()) {
      o.writeUTF(e.getKey());
      writeMatrix(o, e.getValue());
    }
    o.writeInt(reports.size());
    for (int k = 0; k < reports.size(); k++) {
      EpochReport r = reports.get(k);
      FfEpochStats s = stats.get(k);
      o.writeInt(r.epoch());
      writeDoubles(o, new double[] {r.trainLoss(), r.trainAccuracy(), r.testLoss(), r.testAccuracy(), r.lr(), r.seconds()});
      writeDoubles(o, r.weightNorms());
      o.writeInt(s.firstTrained());
      o.writeInt(s.lastTrained());
      writeDoubles(o, s.loss());
      writeDoubles(o, s.separation());
      writeDoubles(o, s.positiveGoodness());
      writeDoubles(o, s.negativeGoodness());
      writeDoubles(o, s.peerLoss());
      writeDoubles(o, new double[] {s.readoutTrainLoss(), s.readoutTrainAccuracy(), s.testAccuracyGoodness(),
          s.testAccuracyReadout()});
    }
    o.flush();
  }

  /**
   * Restores a state written by {@link #saveCheckpoint} of a trainer with the same layer sizes, batch size
   * and seed. Nothing is changed if the checkpoint does not fit.
   *
   * @throws IllegalArgumentException if the checkpoint is of another run shape or malformed
   */
  public void loadCheckpoint(InputStream in) throws IOException {
    DataInputStream i = new DataInputStream(in);
    if (i.readInt() != MAGIC) {
      throw new IllegalArgumentException("not a fwdlearn Forward-Forward checkpoint (bad magic number)");
    }
    int version = i.readInt();
    if (version != VERSION) {
      throw new IllegalArgumentException("checkpoint version " + version + ", this build reads version " + VERSION);
    }
    int[] sizes = new int[i.readInt()];
    if (sizes.length > 1 << 16) {
      throw new IllegalArgumentException("checkpoint with " + sizes.length + " layer sizes");
    }
    for (int k = 0; k < sizes.length; k++) {
      sizes[k] = i.readInt();
    }
    int batch = i.readInt();
    long seed = i.readLong();
    if (!Arrays.equals(sizes, net.sizes()) || batch != config.batch || seed != config.seed) {
      throw new IllegalArgumentException("checkpoint of sizes " + Arrays.toString(sizes) + ", batch " + batch + ", seed "
          + seed + " does not fit this trainer (sizes " + Arrays.toString(net.sizes()) + ", batch " + config.batch
          + ", seed " + config.seed + ")");
    }
    int epoch = i.readInt();
    long shuffleState = i.readLong();
    long labelState = i.readLong();
    long[] adamSteps = new long[net.layers() + 1];
    for (int l = 1; l <= net.layers(); l++) {
      adamSteps[l] = i.readLong();
    }
    Map<String, Matrix> tensors = checkpointTensors();
    int count = i.readInt();
    if (count != tensors.size()) {
      throw new IllegalArgumentException("checkpoint holds " + count + " tensors, expected " + tensors.keySet());
    }
    Map<String, Matrix> read = new LinkedHashMap<>();
    for (int k = 0; k < count; k++) {
      String name = i.readUTF();
      Matrix m = readMatrix(i);
      Matrix target = tensors.get(name);
      if (target == null || !target.sameShape(m)) {
        throw new IllegalArgumentException("checkpoint tensor " + name + " " + m.shape() + " does not fit (expected "
            + (target == null ? "no such tensor" : target.shape()) + ")");
      }
      read.put(name, m);
    }
    List<EpochReport> rs = new ArrayList<>();
    List<FfEpochStats> ss = new ArrayList<>();
    int nReports = i.readInt();
    if (nReports < 0 || nReports > 1 << 24) {
      throw new IllegalArgumentException("checkpoint with " + nReports + " epoch reports");
    }
    for (int k = 0; k < nReports; k++) {
      int e = i.readInt();
      double[] r = readDoubles(i);
      double[] norms = readDoubles(i);
      int first = i.readInt();
      int last = i.readInt();
      double[] loss = readDoubles(i);
      double[] sep = readDoubles(i);
      double[] gp = readDoubles(i);
      double[] gn = readDoubles(i);
      double[] peer = readDoubles(i);
      double[] ro = readDoubles(i);
      if (r.length != 6 || ro.length != 4) {
        throw new IllegalArgumentException("malformed epoch report " + k + " in the checkpoint");
      }
      rs.add(new EpochReport(e, r[0], r[1], r[2], r[3], r[4], Double.NaN, new double[0], norms, Double.NaN, Double.NaN, r[5]));
      ss.add(new FfEpochStats(e, first, last, loss, sep, gp, gn, peer, ro[0], ro[1], ro[2], ro[3], r[5]));
    }
    for (Map.Entry<String, Matrix> e : read.entrySet()) {
      tensors.get(e.getKey()).copyFrom(e.getValue());
    }
    for (int l = 1; l <= net.layers(); l++) {
      if (optimizers[l] instanceof Adam a) {
        a.setSteps(adamSteps[l]);
      }
    }
    shuffleRng.restore(shuffleState);
    labelRng.restore(labelState);
    reports.clear();
    reports.addAll(rs);
    stats.clear();
    stats.addAll(ss);
    nextEpoch = epoch;
  }

  /** Stops the trainer's worker threads. */
  @Override
  public void close() {
    pool.close();
  }

  @Override
  public String toString() {
    return "FfTrainer(" + net + ", " + config.ffSchedule.toLowerCase(Locale.ROOT) + ", " + config.ffOptimizer + ")";
  }
}

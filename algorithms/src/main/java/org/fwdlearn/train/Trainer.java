package org.fwdlearn.train;

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
import org.fwdlearn.core.Transpose;
import org.fwdlearn.data.BatchLoader;
import org.fwdlearn.data.Dataset;
import org.fwdlearn.data.DatasetSplit;
import org.fwdlearn.nn.ForwardPass;
import org.fwdlearn.nn.Network;
import org.fwdlearn.nn.WeightInit;
import org.fwdlearn.optim.LearningRateSchedule;
import org.fwdlearn.optim.NonFiniteGradientException;
import org.fwdlearn.optim.Sgd;
import org.fwdlearn.optim.StepDecay;
import org.fwdlearn.rules.AdaptiveFeedbackAlignment;
import org.fwdlearn.rules.Backpropagation;
import org.fwdlearn.rules.DirectFeedbackAlignment;
import org.fwdlearn.rules.DirectRandomTargetProjection;
import org.fwdlearn.rules.FeedbackAlignment;
import org.fwdlearn.rules.FeedbackAlignmentMirror;
import org.fwdlearn.rules.FeedbackMatrix;
import org.fwdlearn.rules.FeedbackMirror;
import org.fwdlearn.rules.LearningRule;
import org.fwdlearn.rules.Pepita;
import org.fwdlearn.rules.PepitaHebbian;
import org.fwdlearn.rules.PepitaMirror;
import org.fwdlearn.rules.PepitaTimeLocal;
import org.fwdlearn.rules.RuleContext;
import org.fwdlearn.rules.Stats;

/**
 * Trains a network with one learning rule under the paper's protocol (ALGORITHMS.md sections 1, 3.4, 5, 8,
 * 12): shuffled batches of {@code config.batch} rows (the last partial batch dropped), momentum SGD with
 * weight decay (PyTorch semantics), the learning rate multiplied by {@code lrDecay} at the end of each of
 * {@code decayEpochs}, optional weight mirroring of the feedback matrices, and at the end of every epoch an
 * {@link EpochReport}: train loss and accuracy (clean pass, dropout on, averaged over the epoch's batches),
 * test loss and accuracy (no dropout, batches of {@code testBatch}), the angle between (W_L...W_1)^T and F and
 * per layer between W_l^T and B_l, the weight norms, F's std and mean, and the epoch's wall time.
 *
 * <p>Everything random derives from {@code config.seed}: weights, feedback matrices, batch order, dropout
 * masks and mirroring noise come from separate streams, so the same seed gives the same weights bit for bit
 * whatever the thread count. The training loop allocates nothing per step: the workspaces are allocated by
 * the constructor. A NaN or infinity stops training with a {@link TrainingDivergedException} naming the
 * epoch and step, the network keeping its last good weights.
 *
 * <p>Checkpoints ({@link #saveCheckpoint}, {@link #loadCheckpoint}) hold the full state between epochs, so
 * that a run stopped after epoch e and resumed ends bit for bit where an uninterrupted run ends. Not
 * thread-safe; {@link #close()} stops the trainer's threads.
 *
 * <pre>{@code
 * TrainConfig config = new TrainConfig();   // PEPITA, one hidden layer of 1024, the paper's protocol
 * config.epochs = 5;
 * try (Trainer trainer = new Trainer(config, Datasets.load("mnist", null, false))) {
 *   TrainingResult result = trainer.run(TrainingListener.onEpoch(r -> System.out.println(r.testAccuracy())));
 *   Models.save(Path.of("my-model"), trainer);   // org.fwdlearn.io.Models
 * }
 * }</pre>
 */
public final class Trainer implements AutoCloseable {
  private static final int MAGIC = 0x46574C43; // "FWLC"
  private static final int VERSION = 1;
  private static final List<String> MIRRORED_RULES = List.of("pepita", "pepita-tl", "pepita-hebbian", "afa", "fa");

  private final TrainConfig config;
  private final String ruleName;
  private final Dataset train;
  private final Dataset test;
  private final ThreadPool pool;
  private final Network net;
  private final LearningRule rule;
  private final Sgd optimizer;
  private final LearningRateSchedule schedule;
  private final FeedbackMirror mirror;
  private final Rng shuffleRng;
  private final Rng dropoutRng;
  private final Rng mirrorRng;
  private final BatchLoader loader;
  private final int[] predicted;
  private final List<EpochReport> reports = new ArrayList<>();
  private final Map<Integer, ForwardPass> evalPasses = new HashMap<>();
  private final Map<String, Matrix> snapshot = new LinkedHashMap<>();
  private int nextEpoch;

  /**
   * Validates the config and builds the network, rule, optimiser, mirror and workspaces from {@code
   * config.seed}. The config is copied; {@code trainLimit}/{@code testLimit} take the first examples.
   *
   * @throws IllegalArgumentException if a setting is invalid or does not fit the data
   */
  public Trainer(TrainConfig config, DatasetSplit data) {
    this.config = config.copy().validate();
    ruleName = this.config.rule.toLowerCase(Locale.ROOT);
    TrainConfig c = this.config;
    if (ruleName.equals("ff")) {
      throw new IllegalArgumentException(
          "rule 'ff' (Forward-Forward) is not available in this trainer: it trains a different network (biases,"
              + " per-layer normalisation, label-embedded inputs); choose one of pepita, pepita-tl,"
              + " pepita-hebbian, afa, bp, fa, dfa, drtp");
    }
    if (c.mirror && !MIRRORED_RULES.contains(ruleName)) {
      throw new IllegalArgumentException(
          "mirror: weight mirroring is defined for " + String.join(", ", MIRRORED_RULES) + ", not for rule '" + ruleName + "'");
    }
    train = data.train().limit(c.trainLimit, c.trainSubset, c.seed ^ 0x5EB5E7L);
    test = c.testLimit > 0 && c.testLimit < data.test().size() ? data.test().head(c.testLimit) : data.test();
    if (train.size() < c.batch) {
      throw new IllegalArgumentException(
          "batch: " + c.batch + " is larger than the " + train.size() + " training examples of " + train.name()
              + " (the last partial batch is dropped, so no batch would remain)");
    }
    int[] sizes = new int[c.hidden.length + 2];
    sizes[0] = train.features();
    System.arraycopy(c.hidden, 0, sizes, 1, c.hidden.length);
    sizes[sizes.length - 1] = train.numClasses();

    Rng root = new Rng(c.seed);
    Rng initRng = root.stream(1);
    Rng feedbackRng = root.stream(2);
    shuffleRng = root.stream(3);
    dropoutRng = root.stream(4);
    mirrorRng = root.stream(5);

    pool = new ThreadPool(c.threads);
    net = Network.create(sizes, WeightInit.parse(c.init), c.normalizeActivations, initRng);
    RuleContext ctx = new RuleContext(net, c.batch, c.dropout, pool, dropoutRng);
    Pepita.Sign sign = Pepita.Sign.parse(c.pepitaSign);
    Pepita.Presynaptic presynaptic = Pepita.Presynaptic.parse(c.pepitaMode);
    FeedbackMatrix f = null;
    if (List.of("pepita", "pepita-tl", "pepita-hebbian", "afa").contains(ruleName)) {
      boolean normal = c.effectiveFInit().equalsIgnoreCase("normal");
      f = normal
          ? FeedbackMatrix.normal(sizes, c.fScale, feedbackRng)
          : FeedbackMatrix.uniform(sizes[0], sizes[sizes.length - 1], c.fScale, c.fMeanZero, feedbackRng);
    }
    rule = switch (ruleName) {
      case "bp" -> new Backpropagation(ctx);
      case "fa" -> new FeedbackAlignment(ctx, WeightInit.parse(c.feedbackInit), feedbackRng);
      case "dfa" -> new DirectFeedbackAlignment(ctx, feedbackRng);
      case "drtp" -> new DirectRandomTargetProjection(ctx, feedbackRng);
      case "pepita" -> new Pepita(ctx, f, sign, presynaptic).firstLayer(Pepita.FirstLayer.parse(c.pepitaFirstLayer));
      case "pepita-hebbian" -> new PepitaHebbian(ctx, f, sign, presynaptic, c.referenceQuirks)
          .firstLayer(Pepita.FirstLayer.parse(c.pepitaFirstLayer));
      case "pepita-tl" -> new PepitaTimeLocal(ctx, f, sign, c.timeLocalSharedMasks, c.referenceQuirks);
      case "afa" -> new AdaptiveFeedbackAlignment(ctx, f, sign);
      default -> throw new IllegalArgumentException("rule: '" + c.rule + "' is not one of " + TrainConfig.RULES);
    };
    if (!c.mirror) {
      mirror = null;
    } else if (rule instanceof FeedbackAlignment fa) {
      mirror = new FeedbackAlignmentMirror(net, fa, c.batch, c.mirrorLr, c.mirrorWeightDecay, mirrorRng, pool);
    } else {
      mirror = new PepitaMirror(net, f, c.batch, c.mirrorLr, c.mirrorWeightDecay, c.dropout, mirrorRng, pool);
    }
    optimizer = new Sgd(net.weights(), c.effectiveLr(), c.momentum, c.weightDecay).threads(pool);
    schedule = new StepDecay(c.decayEpochs, c.lrDecay);
    loader = new BatchLoader(train, c.batch, true, true, shuffleRng);
    predicted = new int[Math.max(c.batch, c.testBatch)];
    for (Map.Entry<String, Matrix> e : checkpointTensors().entrySet()) {
      snapshot.put(e.getKey(), new Matrix(e.getValue().rows(), e.getValue().cols()));
    }
  }

  /** The validated copy of the config this trainer runs. */
  public TrainConfig config() {
    return config.copy();
  }

  /** The network being trained (live: its weights change as training proceeds). */
  public Network network() {
    return net;
  }

  /** The learning rule. */
  public LearningRule rule() {
    return rule;
  }

  /** The training set (after {@code trainLimit}). */
  public Dataset trainSet() {
    return train;
  }

  /** The test set (after {@code testLimit}). */
  public Dataset testSet() {
    return test;
  }

  /** The 0-based epoch {@link #run} trains next (0 for a new trainer, e + 1 after epoch e). */
  public int nextEpoch() {
    return nextEpoch;
  }

  /** The learning rate in force for the next epoch. */
  public float learningRate() {
    return optimizer.learningRate();
  }

  /** Batches per epoch. */
  public int batchesPerEpoch() {
    return loader.numBatches();
  }

  /** The reports of the epochs trained so far. */
  public List<EpochReport> reports() {
    return List.copyOf(reports);
  }

  /**
   * The tensors for export, live: "W1".."WL" and the rule's feedback tensors ("F" and "B1".."BL" for the
   * PEPITA family and AFA — the B_l only when F is their product —, "B2".."BL" for FA, "K1".."K(L-1)" for
   * DFA/DRTP). Copy them to keep them while training continues.
   */
  public Map<String, Matrix> namedTensors() {
    Map<String, Matrix> m = new LinkedHashMap<>();
    for (int l = 1; l <= net.layers(); l++) {
      m.put("W" + l, net.weight(l));
    }
    m.putAll(rule.feedbackTensors());
    return Collections.unmodifiableMap(m);
  }

  private Map<String, Matrix> checkpointTensors() {
    Map<String, Matrix> m = new LinkedHashMap<>(namedTensors());
    List<Matrix> v = optimizer.stateBuffers();
    for (int l = 1; l <= v.size(); l++) {
      m.put("V" + l, v.get(l - 1));
    }
    return m;
  }

  /** Trains the remaining epochs ({@link #nextEpoch()} to {@code config.epochs - 1}) without a listener. */
  public TrainingResult run() {
    return run(new TrainingListener() {});
  }

  /**
   * Trains the remaining epochs, from {@link #nextEpoch()} to {@code config.epochs - 1}, reporting to the
   * listener, and returns all reports so far.
   *
   * @throws TrainingDivergedException on a NaN or infinity (the weights stay the last good ones)
   */
  public TrainingResult run(TrainingListener listener) {
    TrainConfig c = config;
    int batches = loader.numBatches();
    while (nextEpoch < c.epochs) {
      int epoch = nextEpoch;
      long t0 = System.nanoTime();
      takeSnapshot();
      boolean mirrorNow = mirror != null && (epoch < c.mirrorPreEpochs || (epoch + 1) % c.mirrorEvery == 0);
      boolean update = mirror == null || epoch >= c.mirrorPreEpochs;
      listener.epochStarted(epoch, batches);
      loader.startEpoch();
      double lossSum = 0;
      long correct = 0;
      for (int b = 0; b < batches; b++) {
        loader.next();
        Matrix x = loader.x();
        int[] y = loader.labels();
        try {
          if (update) {
            rule.step(x, y, optimizer);
          } else {
            rule.observe(x, y);
          }
          if (mirrorNow) {
            mirror.mirror();
          }
        } catch (ArithmeticException e) {
          throw diverged(epoch, b, batches, e);
        }
        Matrix logits = rule.logits();
        lossSum += Ops.meanCrossEntropy(logits, y);
        Ops.argmaxRows(logits, predicted);
        for (int i = 0; i < y.length; i++) {
          if (predicted[i] == y[i]) {
            correct++;
          }
        }
        listener.batchDone(epoch, b, batches, (long) (b + 1) * c.batch);
      }
      Evaluation ev = evaluate(test);
      float lr = optimizer.learningRate();
      double[] angles = layerAngles();
      FeedbackMatrix f = rule.feedbackMatrix();
      double fAngle = f == null ? Double.NaN : Stats.angleTransposedDeg(totalWeights(), f.f(pool));
      double[] norms = new double[net.layers()];
      for (int l = 1; l <= net.layers(); l++) {
        norms[l - 1] = Ops.frobeniusNorm(net.weight(l));
      }
      double fStd = f == null ? Double.NaN : f.std(pool);
      double fMean = f == null ? Double.NaN : f.mean(pool);
      optimizer.setLearningRate(schedule.afterEpoch(epoch, lr));
      double seconds = (System.nanoTime() - t0) * 1e-9;
      EpochReport report = new EpochReport(
          epoch, lossSum / batches, (double) correct / ((long) batches * c.batch), ev.loss(), ev.accuracy(), lr,
          fAngle, angles, norms, fStd, fMean, seconds);
      reports.add(report);
      nextEpoch = epoch + 1;
      listener.epochDone(report);
    }
    return result();
  }

  private TrainingResult result() {
    double best = Double.NaN;
    double seconds = 0;
    for (EpochReport r : reports) {
      if (Double.isNaN(best) || r.testAccuracy() > best) {
        best = r.testAccuracy();
      }
      seconds += r.seconds();
    }
    double last = reports.isEmpty() ? Double.NaN : reports.get(reports.size() - 1).testAccuracy();
    return new TrainingResult(reports, last, best, seconds);
  }

  private void takeSnapshot() {
    for (Map.Entry<String, Matrix> e : checkpointTensors().entrySet()) {
      snapshot.get(e.getKey()).copyFrom(e.getValue());
    }
  }

  private TrainingDivergedException diverged(int epoch, int step, int steps, ArithmeticException e) {
    String detail = e.getMessage();
    if (e instanceof NonFiniteGradientException nf && nf.parametersModified()) {
      for (Map.Entry<String, Matrix> t : checkpointTensors().entrySet()) {
        t.getValue().copyFrom(snapshot.get(t.getKey()));
      }
      FeedbackMatrix f = rule.feedbackMatrix();
      if (f != null) {
        f.changed();
      }
      detail += "; weights, momentum and feedback restored to the start of epoch " + epoch;
    } else {
      detail += "; the update was not applied, the weights are those after the last good step";
    }
    return new TrainingDivergedException(epoch, step, steps, detail, e);
  }

  /** W_L ... W_1 (C x d_0). */
  private Matrix totalWeights() {
    Matrix acc = net.weight(1);
    for (int l = 2; l <= net.layers(); l++) {
      Matrix next = new Matrix(net.size(l), net.inputSize());
      Ops.gemm(Transpose.N, Transpose.N, 1f, net.weight(l), acc, 0f, next, pool);
      acc = next;
    }
    return acc;
  }

  /** Angles between W_l^T and B_l, NaN where a layer has no B (FA's layer 1); empty without per-layer B. */
  private double[] layerAngles() {
    int layers = net.layers();
    FeedbackMatrix f = rule.feedbackMatrix();
    if (f != null && f.factorCount() > 1) {
      double[] a = new double[layers];
      for (int l = 1; l <= layers; l++) {
        a[l - 1] = Stats.angleTransposedDeg(net.weight(l), f.factor(l));
      }
      return a;
    }
    if (rule instanceof FeedbackAlignment fa && layers > 1) {
      double[] a = new double[layers];
      a[0] = Double.NaN;
      for (int l = 2; l <= layers; l++) {
        a[l - 1] = Stats.angleTransposedDeg(net.weight(l), fa.feedback(l));
      }
      return a;
    }
    return new double[0];
  }

  /**
   * Evaluates the network on d without dropout, in batches of {@code config.testBatch} rows (the last one
   * smaller; with activation normalization each batch is normalized on its own, as the reference).
   *
   * <p>Without normalization a row's logits do not depend on the rows around it, so whole test batches are run
   * together, up to {@link #EVAL_ROWS} rows in one pass, straight from the dataset's rows (a layer's weights are read
   * once per pass rather than once per test batch). Test batches of at most four rows, and the last partial test
   * batch, still run alone (a product of so few rows takes another path), and the loss is still summed per test
   * batch: the figures are those of the batch-by-batch evaluation, bit for bit.
   */
  public Evaluation evaluate(Dataset d) {
    if (d.features() != net.inputSize() || d.numClasses() != net.outputSize()) {
      throw new IllegalArgumentException(
          "cannot evaluate on " + d.name() + " (" + d.features() + " features, " + d.numClasses()
              + " classes): the network has " + net.inputSize() + " inputs and " + net.outputSize() + " classes");
    }
    int classes = net.outputSize();
    int[][] confusion = new int[classes][classes];
    int size = d.size();
    if (size == 0) {
      return new Evaluation(Double.NaN, Double.NaN, confusion, 0);
    }
    int tb = config.testBatch;
    int chunk = net.normalizesActivations() || tb <= FEW_ROWS || tb >= EVAL_ROWS ? tb : EVAL_ROWS / tb * tb;
    Matrix all = d.x();
    int[] labels = d.labels();
    int[] y = new int[Math.min(tb, size)];
    int[] pred = new int[Math.min(chunk, size)];
    double lossSum = 0;
    long correct = 0;
    for (int from = 0; from < size; ) {
      int left = size - from;
      int rows = left >= chunk ? chunk : left >= tb ? left / tb * tb : left;
      Matrix x = all.rows(from, from + rows);
      ForwardPass pass = evalPasses.computeIfAbsent(rows, r -> new ForwardPass(net, r));
      pass.run(x, null, pool);
      Matrix logits = pass.logits();
      for (int g = 0; g < rows; g += tb) {
        int n = Math.min(tb, rows - g);
        System.arraycopy(labels, from + g, y, 0, n);
        Matrix part = n == rows ? logits : logits.rows(g, g + n);
        lossSum += Ops.meanCrossEntropy(part, y) * n;
      }
      Ops.argmaxRows(logits, pred);
      for (int i = 0; i < rows; i++) {
        int label = labels[from + i];
        confusion[label][pred[i]]++;
        if (pred[i] == label) {
          correct++;
        }
      }
      from += rows;
    }
    return new Evaluation((double) correct / size, lossSum / size, confusion, size);
  }

  /** Rows of one evaluation pass without activation normalization (a whole number of test batches). */
  static final int EVAL_ROWS = 1024;

  /**
   * Test batches of at most this many rows are run one by one: the vector GEMM computes a product of so few rows as
   * dot products, whose sums are ordered otherwise (TrainerTest pins it).
   */
  private static final int FEW_ROWS = 4;

  // ------------------------------------------------------------------ checkpoints

  /**
   * Writes the full training state between epochs: the epoch counter, learning rate, generator states,
   * weights, momentum, feedback matrices and the reports so far. The stream is not closed.
   */
  public void saveCheckpoint(OutputStream out) throws IOException {
    DataOutputStream o = new DataOutputStream(out);
    o.writeInt(MAGIC);
    o.writeInt(VERSION);
    o.writeUTF(ruleName);
    int[] sizes = net.sizes();
    o.writeInt(sizes.length);
    for (int s : sizes) {
      o.writeInt(s);
    }
    o.writeInt(config.batch);
    o.writeLong(config.seed);
    o.writeInt(nextEpoch);
    o.writeFloat(optimizer.learningRate());
    o.writeLong(shuffleRng.state());
    o.writeLong(dropoutRng.state());
    o.writeLong(mirrorRng.state());
    Map<String, Matrix> tensors = checkpointTensors();
    o.writeInt(tensors.size());
    for (Map.Entry<String, Matrix> e : tensors.entrySet()) {
      o.writeUTF(e.getKey());
      writeMatrix(o, e.getValue());
    }
    o.writeInt(reports.size());
    for (EpochReport r : reports) {
      o.writeInt(r.epoch());
      o.writeDouble(r.trainLoss());
      o.writeDouble(r.trainAccuracy());
      o.writeDouble(r.testLoss());
      o.writeDouble(r.testAccuracy());
      o.writeDouble(r.lr());
      o.writeDouble(r.fAngleDeg());
      writeDoubles(o, r.layerAnglesDeg());
      writeDoubles(o, r.weightNorms());
      o.writeDouble(r.fStd());
      o.writeDouble(r.fMean());
      o.writeDouble(r.seconds());
    }
    o.flush();
  }

  /**
   * Restores a state written by {@link #saveCheckpoint} of a trainer with the same rule, layer sizes, batch
   * size and seed; {@link #run} then continues with epoch {@link #nextEpoch()}. Nothing is changed if the
   * checkpoint does not fit.
   *
   * @throws IllegalArgumentException if the checkpoint is of another run shape or malformed
   */
  public void loadCheckpoint(InputStream in) throws IOException {
    DataInputStream i = new DataInputStream(in);
    if (i.readInt() != MAGIC) {
      throw new IllegalArgumentException("not a fwdlearn checkpoint (bad magic number)");
    }
    int version = i.readInt();
    if (version != VERSION) {
      throw new IllegalArgumentException("checkpoint version " + version + ", this build reads version " + VERSION);
    }
    String r = i.readUTF();
    int[] sizes = new int[i.readInt()];
    for (int k = 0; k < sizes.length; k++) {
      sizes[k] = i.readInt();
    }
    int batch = i.readInt();
    long seed = i.readLong();
    if (!r.equals(ruleName) || !Arrays.equals(sizes, net.sizes()) || batch != config.batch || seed != config.seed) {
      throw new IllegalArgumentException(
          "checkpoint of rule " + r + ", sizes " + Arrays.toString(sizes) + ", batch " + batch + ", seed " + seed
              + " does not fit this trainer (rule " + ruleName + ", sizes " + Arrays.toString(net.sizes()) + ", batch "
              + config.batch + ", seed " + config.seed + ")");
    }
    int epoch = i.readInt();
    float lr = i.readFloat();
    long shuffleState = i.readLong();
    long dropoutState = i.readLong();
    long mirrorState = i.readLong();
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
        throw new IllegalArgumentException(
            "checkpoint tensor " + name + " " + m.shape() + " does not fit (expected "
                + (target == null ? "no such tensor" : target.shape()) + ")");
      }
      read.put(name, m);
    }
    List<EpochReport> restored = new ArrayList<>();
    int nReports = i.readInt();
    for (int k = 0; k < nReports; k++) {
      restored.add(new EpochReport(
          i.readInt(), i.readDouble(), i.readDouble(), i.readDouble(), i.readDouble(), i.readDouble(), i.readDouble(),
          readDoubles(i), readDoubles(i), i.readDouble(), i.readDouble(), i.readDouble()));
    }
    for (Map.Entry<String, Matrix> e : read.entrySet()) {
      tensors.get(e.getKey()).copyFrom(e.getValue());
    }
    FeedbackMatrix f = rule.feedbackMatrix();
    if (f != null) {
      f.changed();
    }
    optimizer.setLearningRate(lr);
    shuffleRng.restore(shuffleState);
    dropoutRng.restore(dropoutState);
    mirrorRng.restore(mirrorState);
    reports.clear();
    reports.addAll(restored);
    nextEpoch = epoch;
  }

  /** Stops the trainer's worker threads. */
  @Override
  public void close() {
    pool.close();
  }
}

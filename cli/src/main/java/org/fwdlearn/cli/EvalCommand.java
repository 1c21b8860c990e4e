package org.fwdlearn.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.fwdlearn.core.Matrix;
import org.fwdlearn.core.Ops;
import org.fwdlearn.core.ThreadPool;
import org.fwdlearn.data.Dataset;
import org.fwdlearn.data.DatasetFormatException;
import org.fwdlearn.data.DatasetNotFoundException;
import org.fwdlearn.data.DatasetSplit;
import org.fwdlearn.data.Datasets;
import org.fwdlearn.io.AtomicFiles;
import org.fwdlearn.io.Json;
import org.fwdlearn.io.ModelFormatException;
import org.fwdlearn.io.Models;
import org.fwdlearn.nn.Network;
import org.fwdlearn.train.Evaluation;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code fwdlearn eval --model DIR}: the accuracy, the mean cross-entropy and the confusion matrix of a trained
 * model on a test set, printed and written to {@code confusion.png} and {@code eval.json}.
 */
@Command(
    name = "eval",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Evaluate a trained model (a run directory of 'fwdlearn train') on a test set: accuracy, loss and the",
      "confusion matrix, printed and drawn to confusion.png (written, with eval.json, into the model directory",
      "unless --report-dir says otherwise)."
    })
public final class EvalCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--model", required = true, paramLabel = "<dir>", description = "The run directory holding model.json and model.safetensors.")
  Path model;

  @Option(names = "--dataset", paramLabel = "<name>", description = "Test set. Default: the dataset the model was trained on.")
  String dataset;

  @Option(names = "--data-dir", paramLabel = "<dir>", description = "Directory of the dataset's files. Default: its usual location.")
  Path dataDir;

  @Option(names = "--test-limit", paramLabel = "<n>", defaultValue = "0", description = "Evaluate the first N test examples only (0 = all). Default: ${DEFAULT-VALUE}.")
  int testLimit;

  @Option(names = "--report-dir", paramLabel = "<dir>", description = "Where confusion.png and eval.json go. Default: the model directory.")
  Path reportDir;

  @Option(names = "--compare", paramLabel = "<dir>",
      description = "A second model to compare with on the same test examples: both accuracies, the examples only one"
          + " of them gets right, and the exact McNemar p-value of the difference.")
  Path compare;

  private boolean modelStandardize;

  @Override
  public Integer call() throws IOException {
    if (testLimit < 0) {
      throw new UsageException("Invalid value for --test-limit: " + testLimit + " (allowed: 0 for all, or a positive count)");
    }
    String name = dataset != null ? DataCommand.checkName(dataset) : null;
    if (!Models.exists(model)) {
      throw new UsageException(model + " holds no model (model.json and model.safetensors, written by fwdlearn train)");
    }
    Models.Loaded loaded;
    try {
      loaded = Models.read(model);
    } catch (ModelFormatException e) {
      throw new Main.Failure(e.getMessage(), e);
    }
    Models.Info m = loaded.info();
    modelStandardize = m.standardize();
    if (name == null) {
      name = m.dataset();
      if (name == null) {
        throw new UsageException(model + "/model.json names no dataset: pass --dataset");
      }
    }
    DatasetSplit split;
    try {
      split = name.equals(SyntheticData.NAME) ? SyntheticData.split() : Datasets.load(name, dataDir, m.standardize());
    } catch (DatasetNotFoundException | DatasetFormatException e) {
      throw new Main.Failure(e.getMessage(), e);
    }
    Dataset test = split.test();
    if (testLimit > 0 && testLimit < test.size()) {
      test = test.head(testLimit);
    }
    Network net = loaded.network();
    if (test.features() != net.inputSize() || test.numClasses() != net.outputSize()) {
      throw new UsageException(
          "the model takes " + net.inputSize() + " features and " + net.outputSize() + " classes, " + name + " has "
              + test.features() + " and " + test.numClasses());
    }
    boolean[] correct = new boolean[test.size()];
    Evaluation r = evaluate(net, test, m.testBatch(), correct);
    PrintWriter out = spec.commandLine().getOut();
    out.printf(Locale.ROOT, "model %s (%s, %s) on %s: %d examples%n", model, m.rule(),
        Settings.text(net.sizes()).replace(',', '-'), test.name(), r.count());
    out.printf(Locale.ROOT, "accuracy %.4f (%s), loss %.4f%n", r.accuracy(), Metrics.percent(r.accuracy()), r.loss());
    out.println("confusion matrix (rows: true class, columns: predicted):");
    out.print(confusionTable(r.confusion()));
    Path dir = reportDir != null ? reportDir : model;
    java.nio.file.Files.createDirectories(dir);
    Plots.confusion(dir.resolve("confusion.png"), r.confusion(),
        String.format(Locale.ROOT, "%s on %s: accuracy %.4f", m.rule(), test.name(), r.accuracy()));
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("model", model.toString());
    json.put("dataset", test.name());
    json.put("examples", r.count());
    json.put("accuracy", r.accuracy());
    json.put("loss", r.loss());
    json.put("confusion", java.util.Arrays.asList((Object[]) r.confusion()));
    if (compare != null) {
      json.put("compare", compare(out, r, correct, test, name, net));
    }
    AtomicFiles.writeString(dir.resolve("eval.json"), Json.write(json) + "\n");
    out.println("wrote " + dir.resolve("confusion.png") + " and " + dir.resolve("eval.json"));
    return 0;
  }

  /** Evaluates the --compare model on the same examples and prints and returns the paired comparison. */
  private Map<String, Object> compare(PrintWriter out, Evaluation r, boolean[] correct, Dataset test, String name,
      Network net) throws IOException {
    if (!Models.exists(compare)) {
      throw new UsageException("--compare: " + compare + " holds no model (model.json and model.safetensors)");
    }
    Models.Loaded other;
    try {
      other = Models.read(compare);
    } catch (ModelFormatException e) {
      throw new Main.Failure(e.getMessage(), e);
    }
    Network b = other.network();
    if (b.inputSize() != net.inputSize() || b.outputSize() != net.outputSize()) {
      throw new UsageException("--compare: " + compare + " takes " + b.inputSize() + " features and " + b.outputSize()
          + " classes, " + name + " has " + net.inputSize() + " and " + net.outputSize());
    }
    boolean standardize = other.info().standardize();
    if (standardize != modelStandardize) {
      throw new UsageException("--compare: " + compare + " was trained on " + (standardize ? "standardised" : "[0, 1]")
          + " pixels and " + model + " on " + (modelStandardize ? "standardised" : "[0, 1]")
          + " ones; they cannot be compared on one test set");
    }
    boolean[] correctB = new boolean[test.size()];
    Evaluation rb = evaluate(b, test, other.info().testBatch(), correctB);
    org.fwdlearn.train.PairedComparison c = org.fwdlearn.train.PairedComparison.of(correct, correctB);
    out.printf(Locale.ROOT, "compared with %s (%s, %s): accuracy %.4f against %.4f%n", compare, other.info().rule(),
        Settings.text(b.sizes()).replace(',', '-'), r.accuracy(), rb.accuracy());
    out.printf(Locale.ROOT,
        "only this model right on %d examples, only %s right on %d: difference %+.2f points, exact McNemar p = %.3g"
            + " (two-sided)%n", c.onlyA(), compare.getFileName(), c.onlyB(), 100 * c.accuracyDifference(), c.pValue());
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("model", compare.toString());
    m.put("accuracy", rb.accuracy());
    m.put("only_this_right", c.onlyA());
    m.put("only_compared_right", c.onlyB());
    m.put("difference", c.accuracyDifference());
    m.put("mcnemar_exact_p", c.pValue());
    return m;
  }

  /** As {@link #evaluate(Network, Dataset, int, boolean[])} without the per-example results. */
  public static Evaluation evaluate(Network net, Dataset test, int batch) {
    return evaluate(net, test, batch, null);
  }

  /**
   * Evaluates in batches of {@code batch} rows (the batch matters only for the loss with activation
   * normalization), as the trainer does: accuracy as a fraction, the mean cross-entropy of the logits, and
   * confusion[true][predicted]; {@code correctOut} (length n, or null) receives whether each example was
   * classified correctly.
   */
  public static Evaluation evaluate(Network net, Dataset test, int batch, boolean[] correctOut) {
    int n = test.size();
    int c = net.outputSize();
    int[][] confusion = new int[c][c];
    double lossSum = 0;
    int correct = 0;
    int[] pred = new int[Math.max(1, batch)];
    for (int from = 0; from < n; from += batch) {
      int to = Math.min(n, from + batch);
      Matrix logits = net.logits(test.x().rows(from, to), ThreadPool.common());
      int[] labels = java.util.Arrays.copyOfRange(test.labels(), from, to);
      lossSum += Ops.meanCrossEntropy(logits, labels) * (to - from);
      Ops.argmaxRows(logits, pred);
      for (int i = 0; i < to - from; i++) {
        confusion[labels[i]][pred[i]]++;
        if (pred[i] == labels[i]) {
          correct++;
        }
        if (correctOut != null) {
          correctOut[from + i] = pred[i] == labels[i];
        }
      }
    }
    return new Evaluation(n == 0 ? Double.NaN : (double) correct / n, n == 0 ? Double.NaN : lossSum / n, confusion, n);
  }

  /** The confusion matrix as an aligned text table with class headers. */
  static String confusionTable(int[][] confusion) {
    int c = confusion.length;
    int w = 4;
    for (int[] row : confusion) {
      for (int v : row) {
        w = Math.max(w, Integer.toString(v).length() + 1);
      }
    }
    StringBuilder sb = new StringBuilder(String.format("%6s", "true\\p"));
    for (int j = 0; j < c; j++) {
      sb.append(String.format("%" + w + "d", j));
    }
    sb.append('\n');
    for (int i = 0; i < c; i++) {
      sb.append(String.format("%6d", i));
      for (int j = 0; j < c; j++) {
        sb.append(String.format("%" + w + "d", confusion[i][j]));
      }
      sb.append('\n');
    }
    return sb.toString();
  }
}

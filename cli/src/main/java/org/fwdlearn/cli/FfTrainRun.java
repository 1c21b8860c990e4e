package org.fwdlearn.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.fwdlearn.core.Matrix;
import org.fwdlearn.core.kernel.Kernels;
import org.fwdlearn.data.Dataset;
import org.fwdlearn.data.DatasetSplit;
import org.fwdlearn.ff.FfEpochStats;
import org.fwdlearn.ff.FfNetwork;
import org.fwdlearn.ff.FfTrainer;
import org.fwdlearn.io.AtomicFiles;
import org.fwdlearn.io.Json;
import org.fwdlearn.io.Safetensors;
import org.fwdlearn.train.EpochReport;
import org.fwdlearn.train.TrainConfig;
import org.fwdlearn.train.TrainingDivergedException;
import org.fwdlearn.train.TrainingListener;

/**
 * {@code fwdlearn train --rule ff}: a Forward-Forward run ({@link FfTrainer}) writing the same run directory as
 * the other rules — config.json, metrics.json, metrics.csv, curves.png, checkpoint.bin (resumable) — plus
 * {@code ff_metrics.csv} and {@code ff_metrics.json} (per epoch and layer: FF loss, positive/negative
 * separation, mean goodness of positive and negative data, peer loss, and the test accuracy of both read-outs
 * where evaluated) and the model as {@code model.safetensors} (W1..WL, b1..bL, read-out blocks R{l}) with
 * {@code model.json} (format {@value #FORMAT}).
 */
final class FfTrainRun {
  private FfTrainRun() {}

  /** The format name of an FF model.json. */
  static final String FORMAT = "fwdlearn-ff-model";

  /** Files an FF run writes besides {@link TrainCommand#RUN_FILES}. */
  static final List<String> EXTRA_FILES = List.of("ff_metrics.csv", "ff_metrics.json");

  /**
   * Checks the FF settings that only the trainer knows before any data is loaded, on a one-batch placeholder
   * dataset with as many features as classes.
   */
  static void preflight(TrainConfig c, int classes) {
    TrainConfig p = c.copy();
    p.threads = 1;
    p.trainLimit = 0;
    p.testLimit = 0;
    p.batch = Math.min(p.batch, 4);
    p.testBatch = Math.min(p.testBatch, 4);
    int n = p.batch;
    Matrix x = new Matrix(n, classes);
    int[] labels = new int[n];
    for (int i = 0; i < n; i++) {
      labels[i] = i % classes;
    }
    Dataset d = new Dataset("placeholder", x, labels, classes, new int[] {1, 1, classes});
    try (FfTrainer t = new FfTrainer(p, new DatasetSplit(d, d))) {
      t.nextEpoch();
    } catch (IllegalArgumentException e) {
      throw new UsageException("invalid settings: " + e.getMessage());
    }
  }

  /** Trains (or resumes) and writes the run directory; returns the exit code. */
  static int run(
      TrainConfig c, DatasetSplit split, Path dir, boolean resume, boolean force, String mode, PrintWriter out)
      throws IOException {
    FfTrainer trainer;
    try {
      trainer = new FfTrainer(c, split);
    } catch (IllegalArgumentException e) {
      throw new UsageException("invalid settings: " + e.getMessage());
    }
    try (trainer) {
      return train(trainer, c, split, dir, resume, force, mode, out);
    }
  }

  private static int train(
      FfTrainer trainer, TrainConfig c, DatasetSplit split, Path dir, boolean resume, boolean force, String mode,
      PrintWriter outW) throws IOException {
    Map<String, Object> configJson = TrainCommand.configJson(c, split);
    @SuppressWarnings("unchecked")
    Map<String, Object> data = (Map<String, Object>) configJson.get("data");
    data.put("layers", trainer.network().sizes()); // FF has no output layer
    Metrics metrics = new Metrics(configJson);
    if (resume) {
      try (InputStream in = new java.io.BufferedInputStream(Files.newInputStream(dir.resolve("checkpoint.bin")))) {
        trainer.loadCheckpoint(in);
      } catch (IllegalArgumentException | java.io.EOFException e) {
        throw new Main.Failure(dir.resolve("checkpoint.bin") + " cannot be resumed: " + e.getMessage(), e);
      }
      trainer.reports().forEach(metrics::add);
    } else {
      Files.createDirectories(dir);
      if (force) {
        for (String f : TrainCommand.RUN_FILES) {
          Files.deleteIfExists(dir.resolve(f));
        }
        for (String f : EXTRA_FILES) {
          Files.deleteIfExists(dir.resolve(f));
        }
      }
    }
    AtomicFiles.writeString(dir.resolve("config.json"), Json.write(configJson) + "\n");
    printHeader(outW, c, trainer, dir);
    boolean bar = mode.equals("bar") || (mode.equals("auto") && Progress.interactive());
    Progress prog = new Progress(outW, bar, c.epochs, c.batch);
    Recorder rec = new Recorder(trainer, metrics, dir, c, split, outW);
    long start = System.nanoTime();
    if (trainer.nextEpoch() < c.epochs) {
      try {
        trainer.run(new TrainingListener() {
          @Override
          public void epochStarted(int epoch, int batches) {
            prog.epochStarted(epoch, batches);
          }

          @Override
          public void batchDone(int epoch, int batch, int batches, long samples) {
            prog.batchDone(epoch, batch, batches, samples);
          }

          @Override
          public void epochDone(EpochReport r) {
            rec.epochDone(r);
            prog.epochDone(r);
            rec.printLayers(r.epoch());
          }
        });
      } catch (Recorder.WriteFailure e) {
        throw new Main.Failure("cannot write the run directory " + dir + ": " + e.getCause().getMessage(), e.getCause());
      } catch (RuntimeException e) {
        String what = e instanceof TrainingDivergedException ? e.getMessage()
            : "training failed in epoch " + (trainer.nextEpoch() + 1) + ": " + e;
        throw new Main.Failure(what + (metrics.epochs().isEmpty() ? ""
            : "; " + dir + " holds the run after epoch " + metrics.epochs().size()), e);
      }
    } else {
      outW.println("the run already has its " + c.epochs + " epochs; writing the final report");
    }
    metrics.write(dir, true);
    rec.writeFfMetrics();
    rec.writeModel();
    Plots.curves(dir.resolve("curves.png"), metrics.epochs(), "ff on " + c.dataset);
    printSummary(outW, trainer, metrics, dir, (System.nanoTime() - start) / 1e9);
    return 0;
  }

  private static String arch(int[] sizes) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < sizes.length; i++) {
      sb.append(i == 0 ? "" : "-").append(sizes[i]);
    }
    return sb.toString();
  }

  private static void printHeader(PrintWriter out, TrainConfig c, FfTrainer t, Path dir) {
    FfNetwork net = t.network();
    out.printf(Locale.ROOT, "fwdlearn %s: ff (Forward-Forward) on %s (%d train, %d test examples), %s, %d epochs, batch %d,"
            + " %s lr %s%n",
        Environment.version(), c.dataset, t.trainSet().size(), t.testSet().size(), arch(net.sizes()), c.epochs, c.batch,
        c.ffOptimizer, Progress.shortNumber(c.effectiveLr()));
    out.printf(Locale.ROOT, "ff: %s goodness, theta %s, %s input normalisation, %s, peer %s, %s schedule, %s read-out"
            + " (layers %d..%d)%n",
        c.ffGoodness, c.ffThreshold == null ? "= width" : Progress.shortNumber(c.ffThreshold), c.ffNorm,
        c.ffBiases ? "biases" : "no biases", Progress.shortNumber(c.ffPeer), c.ffSchedule, c.ffReadout,
        t.firstPredictionLayer(), net.layers());
    out.printf(Locale.ROOT, "kernels %s, %d thread%s, seed %d; run directory %s%n", Kernels.get(), c.threads,
        c.threads == 1 ? "" : "s", c.seed, dir);
    if (t.nextEpoch() > 0) {
      out.printf(Locale.ROOT, "resuming after epoch %d%n", t.nextEpoch());
    }
    out.flush();
  }

  private static void printSummary(PrintWriter out, FfTrainer t, Metrics m, Path dir, double sessionSeconds) {
    EpochReport last = m.last();
    List<FfEpochStats> stats = t.stats();
    if (last != null) {
      out.printf(Locale.ROOT, "final test accuracy %.4f (%s, %s read-out)%n", last.testAccuracy(),
          Metrics.percent(last.testAccuracy()), t.config().ffReadout);
      FfEpochStats s = stats.get(stats.size() - 1);
      if (t.readout() != null && Double.isFinite(s.testAccuracyGoodness())) {
        out.printf(Locale.ROOT, "final test accuracy by goodness over every label: %.4f (%s)%n", s.testAccuracyGoodness(),
            Metrics.percent(s.testAccuracyGoodness()));
      }
    }
    out.printf(Locale.ROOT, "training time %s over %d epochs (this session %s)%n", Progress.duration(m.seconds()),
        m.epochs().size(), Progress.duration(sessionSeconds));
    out.println("report: " + dir.resolve("metrics.json") + " (also metrics.csv, ff_metrics.csv, curves.png, model.safetensors)");
    out.flush();
  }

  /** Writes the metrics, the FF metrics, the model and the checkpoint at the end of every epoch. */
  static final class Recorder {
    /** An I/O error inside a listener callback. */
    static final class WriteFailure extends RuntimeException {
      WriteFailure(IOException e) {
        super(e);
      }
    }

    private final FfTrainer trainer;
    private final Metrics metrics;
    private final Path dir;
    private final TrainConfig config;
    private final DatasetSplit split;
    private final PrintWriter out;

    Recorder(FfTrainer trainer, Metrics metrics, Path dir, TrainConfig config, DatasetSplit split, PrintWriter out) {
      this.trainer = trainer;
      this.metrics = metrics;
      this.dir = dir;
      this.config = config;
      this.split = split;
      this.out = out;
    }

    void epochDone(EpochReport r) {
      metrics.add(r);
      try {
        metrics.write(dir, false);
        writeFfMetrics();
        writeModel();
        AtomicFiles.write(dir.resolve("checkpoint.bin"), trainer::saveCheckpoint);
      } catch (IOException e) {
        throw new WriteFailure(e);
      }
    }

    /** One line per epoch with the per-layer FF loss and separation. */
    void printLayers(int epoch) {
      List<FfEpochStats> all = trainer.stats();
      FfEpochStats s = all.get(all.size() - 1);
      StringBuilder sb = new StringBuilder("  ff layers");
      for (int l = 1; l <= s.loss().length; l++) {
        if (Double.isFinite(s.loss()[l - 1])) {
          sb.append(String.format(Locale.ROOT, " | %d: loss %.4f sep %.4f g+ %.3g g- %.3g", l, s.loss()[l - 1],
              s.separation()[l - 1], s.positiveGoodness()[l - 1], s.negativeGoodness()[l - 1]));
        }
      }
      if (Double.isFinite(s.testAccuracyGoodness())) {
        sb.append(String.format(Locale.ROOT, " | goodness test acc %.4f", s.testAccuracyGoodness()));
      }
      out.println(sb);
      out.flush();
    }

    void writeFfMetrics() throws IOException {
      List<FfEpochStats> stats = trainer.stats();
      int layers = trainer.network().layers();
      List<String> cols = new ArrayList<>(List.of("epoch", "first_trained_layer", "last_trained_layer",
          "test_accuracy_goodness", "test_accuracy_readout", "readout_train_loss", "readout_train_accuracy"));
      for (int l = 1; l <= layers; l++) {
        for (String k : List.of("loss", "separation", "goodness_pos", "goodness_neg", "peer_loss")) {
          cols.add(k + "_" + l);
        }
      }
      cols.add("seconds");
      StringBuilder csv = new StringBuilder(String.join(",", cols)).append('\n');
      List<Object> json = new ArrayList<>();
      for (FfEpochStats s : stats) {
        List<String> v = new ArrayList<>();
        v.add(Integer.toString(s.epoch() + 1));
        v.add(Integer.toString(s.firstTrained()));
        v.add(Integer.toString(s.lastTrained()));
        for (double x : new double[] {s.testAccuracyGoodness(), s.testAccuracyReadout(), s.readoutTrainLoss(),
            s.readoutTrainAccuracy()}) {
          v.add(num(x));
        }
        for (int l = 0; l < layers; l++) {
          v.add(num(s.loss()[l]));
          v.add(num(s.separation()[l]));
          v.add(num(s.positiveGoodness()[l]));
          v.add(num(s.negativeGoodness()[l]));
          v.add(num(s.peerLoss()[l]));
        }
        v.add(num(s.seconds()));
        csv.append(String.join(",", v)).append('\n');
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("epoch", s.epoch() + 1);
        m.put("trained_layers", new int[] {s.firstTrained(), s.lastTrained()});
        m.put("test_accuracy_goodness", s.testAccuracyGoodness());
        m.put("test_accuracy_readout", s.testAccuracyReadout());
        m.put("readout_train_loss", s.readoutTrainLoss());
        m.put("readout_train_accuracy", s.readoutTrainAccuracy());
        m.put("loss", s.loss());
        m.put("separation", s.separation());
        m.put("goodness_pos", s.positiveGoodness());
        m.put("goodness_neg", s.negativeGoodness());
        m.put("peer_loss", s.peerLoss());
        m.put("seconds", s.seconds());
        json.add(m);
      }
      AtomicFiles.writeString(dir.resolve("ff_metrics.csv"), csv.toString());
      AtomicFiles.writeString(dir.resolve("ff_metrics.json"), Json.write(Map.of("epochs", json)) + "\n");
    }

    void writeModel() throws IOException {
      Map<String, Matrix> tensors = trainer.namedTensors();
      FfNetwork net = trainer.network();
      Map<String, String> meta = new LinkedHashMap<>();
      meta.put("format", FORMAT);
      meta.put("rule", "ff");
      meta.put("layers", Settings.text(net.sizes()));
      AtomicFiles.write(dir.resolve("model.safetensors"), o -> Safetensors.write(o, tensors, meta));
      EpochReport last = metrics.last();
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("format", FORMAT);
      m.put("format_version", 1);
      m.put("fwdlearn_version", Environment.version());
      m.put("rule", "ff");
      m.put("layers", net.sizes());
      m.put("input_shape", split.train().shape());
      m.put("classes", net.classes());
      m.put("bias", config.ffBiases);
      m.put("goodness", config.ffGoodness);
      m.put("thresholds", thresholds(net));
      m.put("normalization", config.ffNorm);
      m.put("label_value", net.options().labelValue());
      m.put("neutral_value", net.options().neutralValue());
      m.put("readout", config.ffReadout);
      m.put("prediction_layers", new int[] {trainer.firstPredictionLayer(), net.layers()});
      m.put("dataset", config.dataset);
      m.put("standardize", config.standardize);
      m.put("epochs_trained", metrics.epochs().size());
      m.put("test_accuracy", last == null ? Double.NaN : last.testAccuracy());
      Map<String, Object> shapes = new LinkedHashMap<>();
      tensors.forEach((k, v) -> shapes.put(k, new int[] {v.rows(), v.cols()}));
      m.put("tensors", shapes);
      m.put("note", "W_l is d_l x d_(l-1), b_l is 1 x d_l; the first C input features hold the label code; each layer"
          + " sees its input divided by its " + config.ffNorm + " norm (plus epsilon); h_l = relu(z W_l^T + b_l);"
          + " goodness read-out: argmax over labels of the summed goodness; linear read-out: neutral code, scores ="
          + " sum_l z_l R_l^T");
      AtomicFiles.writeString(dir.resolve("model.json"), Json.write(m) + "\n");
    }

    private static double[] thresholds(FfNetwork net) {
      double[] t = new double[net.layers()];
      for (int l = 1; l <= net.layers(); l++) {
        t[l - 1] = net.threshold(l);
      }
      return t;
    }

    private static String num(double x) {
      return Double.isFinite(x) ? Double.toString(x).replace('E', 'e') : Double.isNaN(x) ? "NaN" : (x > 0 ? "Infinity" : "-Infinity");
    }
  }
}

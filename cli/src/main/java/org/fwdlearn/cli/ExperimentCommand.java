package org.fwdlearn.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.fwdlearn.core.kernel.Kernels;
import org.fwdlearn.data.DatasetFormatException;
import org.fwdlearn.data.DatasetNotFoundException;
import org.fwdlearn.data.DatasetSplit;
import org.fwdlearn.data.Datasets;
import org.fwdlearn.ff.FfNetwork;
import org.fwdlearn.ff.Goodness;
import org.fwdlearn.ff.HebbianComparison;
import org.fwdlearn.ff.InputNormalization;
import org.fwdlearn.io.AtomicFiles;
import org.fwdlearn.io.Json;
import org.fwdlearn.train.TrainingListener;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code fwdlearn experiment}: reproducible experiments beyond a single training run. */
@Command(
    name = "experiment",
    mixinStandardHelpOptions = true,
    description = "Reproducible experiments that train several models side by side.",
    subcommands = {ExperimentCommand.FfVsPepita.class})
public final class ExperimentCommand implements Runnable {
  @Spec CommandSpec spec;

  @Override
  public void run() {
    throw new UsageException("choose an experiment: ff-vs-pepita");
  }

  /**
   * {@code fwdlearn experiment ff-vs-pepita}: PEPITA, PEPITA-Hebbian and Forward-Forward trained on the same
   * batches ({@link HebbianComparison}); writes config.json, metrics.csv/json (test accuracy per model and
   * epoch) and hebbian.csv/json (per model, layer and epoch: the norms of the update and of its Hebbian and
   * anti-Hebbian parts, their cosine, and the cosine with the FF update on the same batch), rewritten after
   * every epoch.
   */
  @Command(
      name = "ff-vs-pepita",
      mixinStandardHelpOptions = true,
      sortOptions = false,
      description = {
        "Train PEPITA, PEPITA-Hebbian and Forward-Forward side by side on the same batches and record, per layer",
        "and epoch, the Hebbian and anti-Hebbian parts of each update (norms, their cosine) and the cosine between",
        "each PEPITA update and the FF update of the same layer on the same batch (ALGORITHMS.md sections 4, 7)."
      },
      footer = {"", "Example:", "  fwdlearn experiment ff-vs-pepita --epochs 5 --threads 1 --out runs/ff-vs-pepita"})
  static final class FfVsPepita implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(names = "--out", required = true, paramLabel = "<dir>", description = "Output directory.")
    Path out;

    @Option(names = "--force", description = "Overwrite the files of an existing output directory.")
    boolean force;

    @Option(names = "--dataset", defaultValue = "mnist",
        description = "Dataset (mnist, fashion-mnist, cifar10, cifar100, synthetic). Default: ${DEFAULT-VALUE}.")
    String dataset;

    @Option(names = "--hidden", defaultValue = "1000,1000", split = ",", paramLabel = "<n,n,...>",
        description = "Hidden widths of all three networks (FF's layers). Default: ${DEFAULT-VALUE}.")
    int[] hidden;

    @Option(names = "--epochs", defaultValue = "5", description = "Epochs. Default: ${DEFAULT-VALUE}.")
    int epochs;

    @Option(names = "--batch", defaultValue = "100", description = "Batch size. Default: ${DEFAULT-VALUE}.")
    int batch;

    @Option(names = "--seed", defaultValue = "42", description = "Seed. Default: ${DEFAULT-VALUE}.")
    long seed;

    @Option(names = "--threads", defaultValue = "1", description = "Kernel threads. Default: ${DEFAULT-VALUE}.")
    int threads;

    @Option(names = "--probe-every", defaultValue = "10",
        description = "Decompose the updates on every N-th batch. Default: ${DEFAULT-VALUE}.")
    int probeEvery;

    @Option(names = "--pepita-lr", defaultValue = "0.01",
        description = "Learning rate of PEPITA and PEPITA-Hebbian (SGD). Default: ${DEFAULT-VALUE}.")
    float pepitaLr;

    @Option(names = "--momentum", defaultValue = "0.9", description = "SGD momentum of all models. Default: ${DEFAULT-VALUE}.")
    float momentum;

    @Option(names = "--dropout", defaultValue = "0.1", description = "Dropout of the PEPITA networks. Default: ${DEFAULT-VALUE}.")
    float dropout;

    @Option(names = "--f-scale", defaultValue = "0.05", description = "Bstd of PEPITA's F. Default: ${DEFAULT-VALUE}.")
    float fScale;

    @Option(names = "--ff-lr", defaultValue = "0.001", description = "FF learning rate (SGD). Default: ${DEFAULT-VALUE}.")
    float ffLr;

    @Option(names = "--ff-weight-decay", defaultValue = "3e-4", description = "FF weight decay. Default: ${DEFAULT-VALUE}.")
    float ffWeightDecay;

    @Option(names = "--ff-goodness", defaultValue = "sum", description = "FF goodness: sum or mean. Default: ${DEFAULT-VALUE}.")
    String ffGoodness;

    @Option(names = "--ff-threshold", paramLabel = "<number>",
        description = "FF threshold. Default: the layer width (sum goodness) or 1 (mean).")
    Float ffThreshold;

    @Option(names = "--ff-norm", defaultValue = "rms", description = "FF input normalisation: rms or l2. Default: ${DEFAULT-VALUE}.")
    String ffNorm;

    @Option(names = "--ff-readout-lr", defaultValue = "0.01",
        description = "Learning rate of FF's linear read-out. Default: ${DEFAULT-VALUE}.")
    float ffReadoutLr;

    @Option(names = "--shared-init", defaultValue = "true", arity = "0..1", fallbackValue = "true",
        description = "Start FF from the PEPITA networks' hidden weights. Default: ${DEFAULT-VALUE}.")
    boolean sharedInit;

    @Option(names = "--train-limit", defaultValue = "0", description = "Use the first N training examples (0 = all).")
    int trainLimit;

    @Option(names = "--test-limit", defaultValue = "0", description = "Use the first N test examples (0 = all).")
    int testLimit;

    @Override
    public Integer call() throws IOException {
      PrintWriter outW = spec.commandLine().getOut();
      PrintWriter errW = spec.commandLine().getErr();
      if (!(pepitaLr > 0 && ffLr > 0 && ffReadoutLr >= 0 && momentum >= 0 && momentum < 1 && dropout >= 0 && dropout < 1
          && trainLimit >= 0 && testLimit >= 0)) {
        throw new UsageException("invalid settings: learning rates must be > 0, momentum and dropout in [0, 1), limits"
            + " >= 0");
      }
      Goodness goodness;
      InputNormalization norm;
      try {
        goodness = Goodness.parse(ffGoodness);
        norm = InputNormalization.parse(ffNorm);
      } catch (IllegalArgumentException e) {
        throw new UsageException("invalid settings: " + e.getMessage());
      }
      String name = DataCommand.checkName(dataset.toLowerCase(Locale.ROOT));
      if (Files.exists(out) && !Files.isDirectory(out)) {
        throw new UsageException("--out: " + out + " exists and is not a directory");
      }
      if (!force && Files.isDirectory(out)) {
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(out)) {
          if (ds.iterator().hasNext()) {
            throw new UsageException("the output directory " + out + " is not empty; pass --force or choose another --out");
          }
        }
      }
      DatasetSplit split;
      if (name.equals(SyntheticData.NAME)) {
        split = SyntheticData.split();
      } else {
        try {
          split = Datasets.load(name, null, false, msg -> {
            errW.println(msg);
            errW.flush();
          });
        } catch (DatasetNotFoundException | DatasetFormatException e) {
          throw new Main.Failure(e.getMessage(), e);
        }
      }
      int classes = split.train().numClasses();
      HebbianComparison.Settings s;
      HebbianComparison h;
      try {
        FfNetwork.Options o = new FfNetwork.Options(classes, goodness, ffThreshold == null ? Float.NaN : ffThreshold,
            norm, true, 1f, 1f / classes);
        s = new HebbianComparison.Settings(hidden, epochs, batch, seed, threads, probeEvery, pepitaLr, momentum, dropout,
            fScale, ffLr, ffWeightDecay, o, ffReadoutLr, sharedInit);
        h = new HebbianComparison(s, split, trainLimit, testLimit);
      } catch (IllegalArgumentException e) {
        throw new UsageException("invalid settings: " + e.getMessage());
      }
      try (h) {
        Files.createDirectories(out);
        Map<String, Object> config = config(s, name, h);
        AtomicFiles.writeString(out.resolve("config.json"), Json.write(config) + "\n");
        outW.printf(Locale.ROOT, "fwdlearn %s: ff-vs-pepita on %s (%d train, %d test), hidden %s, %d epochs, batch %d,"
                + " probe every %d batches; kernels %s, %d thread%s, seed %d; output %s%n",
            Environment.version(), name, h.trainSet().size(), h.testSet().size(), Settings.text(hidden), epochs, batch,
            probeEvery, Kernels.get(), threads, threads == 1 ? "" : "s", seed, out);
        outW.flush();
        long start = System.nanoTime();
        while (h.epochsDone() < epochs) {
          h.runEpoch(new TrainingListener() {});
          write(h, config);
          HebbianComparison.EpochRow e = h.epochRows().get(h.epochsDone() - 1);
          outW.printf(Locale.ROOT, "epoch %d/%d: test accuracy pepita %.4f, pepita-hebbian %.4f, ff %.4f | %.1f s%n",
              e.epoch() + 1, epochs, e.pepitaAccuracy(), e.hebbianAccuracy(), e.ffAccuracy(), e.seconds());
          for (HebbianComparison.LayerRow r : h.layerRows()) {
            if (r.epoch() == e.epoch()) {
              outW.printf(Locale.ROOT, "  %-14s layer %d: |G| %.3g |hebb| %.3g |anti| %.3g cos(hebb,-anti) %.4f cos_ff %s%s%n",
                  r.model(), r.layer(), r.updateNorm(), r.hebbianNorm(), r.antiHebbianNorm(), r.hebbianAntiCosine(),
                  Double.isFinite(r.crossCosine()) ? String.format(Locale.ROOT, "%.4f", r.crossCosine()) : "-",
                  Double.isFinite(r.unweightedCosine())
                      ? String.format(Locale.ROOT, " cos_unweighted %.4f", r.unweightedCosine()) : "");
            }
          }
          outW.flush();
        }
        outW.printf(Locale.ROOT, "done in %s; %s (also hebbian.json, metrics.csv, metrics.json)%n",
            Progress.duration((System.nanoTime() - start) / 1e9), out.resolve("hebbian.csv"));
        outW.flush();
      }
      return 0;
    }

    private Map<String, Object> config(HebbianComparison.Settings s, String name, HebbianComparison h) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("experiment", "ff-vs-pepita");
      m.put("dataset", name);
      m.put("train_examples", h.trainSet().size());
      m.put("test_examples", h.testSet().size());
      m.put("hidden", s.hidden());
      m.put("epochs", s.epochs());
      m.put("batch", s.batch());
      m.put("seed", s.seed());
      m.put("threads", s.threads());
      m.put("probe_every", s.probeEvery());
      m.put("pepita_lr", s.pepitaLr());
      m.put("momentum", s.momentum());
      m.put("dropout", s.dropout());
      m.put("f_scale", s.fScale());
      m.put("ff_lr", s.ffLr());
      m.put("ff_weight_decay", s.ffWeightDecay());
      m.put("ff_goodness", ffGoodness);
      m.put("ff_threshold", ffThreshold == null ? "width (sum) / 1 (mean)" : ffThreshold);
      m.put("ff_norm", ffNorm);
      m.put("ff_readout_lr", s.ffReadoutLr());
      m.put("shared_init", s.sharedInit());
      m.put("convention", "G convention: G is what the optimiser subtracts (W <- W - lr * momentum-SGD(G)); the"
          + " 'hebbian' part is the + post x pre product of the first pass (PEPITA: clean; FF: negative data), the"
          + " 'anti_hebbian' part the - product of the second pass (PEPITA: modulated; FF: positive data).");
      m.put("environment", Environment.describe(s.threads()));
      return m;
    }

    private void write(HebbianComparison h, Map<String, Object> config) throws IOException {
      StringBuilder csv = new StringBuilder("model,epoch,layer,hebbian_pass,anti_hebbian_pass,update_norm,hebbian_norm,"
          + "anti_hebbian_norm,cos_hebbian_minus_anti,cancellation,cos_ff_same_batch,cos_ff_unweighted,probes\n");
      List<Object> rows = new ArrayList<>();
      for (HebbianComparison.LayerRow r : h.layerRows()) {
        csv.append(String.join(",", r.model(), Integer.toString(r.epoch() + 1), Integer.toString(r.layer()),
            '"' + r.hebbianPass() + '"', '"' + r.antiHebbianPass() + '"', num(r.updateNorm()), num(r.hebbianNorm()),
            num(r.antiHebbianNorm()), num(r.hebbianAntiCosine()), num(r.cancellation()), num(r.crossCosine()),
            num(r.unweightedCosine()), Integer.toString(r.probes()))).append('\n');
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("model", r.model());
        m.put("epoch", r.epoch() + 1);
        m.put("layer", r.layer());
        m.put("hebbian_pass", r.hebbianPass());
        m.put("anti_hebbian_pass", r.antiHebbianPass());
        m.put("update_norm", r.updateNorm());
        m.put("hebbian_norm", r.hebbianNorm());
        m.put("anti_hebbian_norm", r.antiHebbianNorm());
        m.put("cos_hebbian_minus_anti", r.hebbianAntiCosine());
        m.put("cancellation", r.cancellation());
        m.put("cos_ff_same_batch", r.crossCosine());
        m.put("cos_ff_unweighted", r.unweightedCosine());
        m.put("probes", r.probes());
        rows.add(m);
      }
      StringBuilder mcsv = new StringBuilder("epoch,pepita_test_accuracy,pepita_hebbian_test_accuracy,ff_test_accuracy,seconds\n");
      List<Object> epochs = new ArrayList<>();
      for (HebbianComparison.EpochRow e : h.epochRows()) {
        mcsv.append(String.join(",", Integer.toString(e.epoch() + 1), num(e.pepitaAccuracy()), num(e.hebbianAccuracy()),
            num(e.ffAccuracy()), num(e.seconds()))).append('\n');
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("epoch", e.epoch() + 1);
        m.put("pepita_test_accuracy", e.pepitaAccuracy());
        m.put("pepita_hebbian_test_accuracy", e.hebbianAccuracy());
        m.put("ff_test_accuracy", e.ffAccuracy());
        m.put("seconds", e.seconds());
        epochs.add(m);
      }
      AtomicFiles.writeString(out.resolve("hebbian.csv"), csv.toString());
      Map<String, Object> hj = new LinkedHashMap<>();
      hj.put("config", config);
      hj.put("rows", rows);
      AtomicFiles.writeString(out.resolve("hebbian.json"), Json.write(hj) + "\n");
      AtomicFiles.writeString(out.resolve("metrics.csv"), mcsv.toString());
      Map<String, Object> mj = new LinkedHashMap<>();
      mj.put("config", config);
      mj.put("epochs", epochs);
      AtomicFiles.writeString(out.resolve("metrics.json"), Json.write(mj) + "\n");
    }

    private static String num(double x) {
      return Double.isFinite(x) ? Double.toString(x).replace('E', 'e') : Double.isNaN(x) ? "NaN" : (x > 0 ? "Infinity" : "-Infinity");
    }
  }
}

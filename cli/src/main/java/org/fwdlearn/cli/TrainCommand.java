package org.fwdlearn.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import org.fwdlearn.core.kernel.Kernels;
import org.fwdlearn.data.DatasetFormatException;
import org.fwdlearn.data.DatasetNotFoundException;
import org.fwdlearn.data.DatasetSplit;
import org.fwdlearn.data.Datasets;
import org.fwdlearn.io.AtomicFiles;
import org.fwdlearn.io.Json;
import org.fwdlearn.io.Models;
import org.fwdlearn.train.EpochReport;
import org.fwdlearn.train.TrainConfig;
import org.fwdlearn.train.TrainingDivergedException;
import org.fwdlearn.train.Trainer;
import org.fwdlearn.train.TrainingListener;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.Spec;

/**
 * {@code fwdlearn train}: trains a network with a learning rule and writes a run directory.
 *
 * <p>Settings come from the defaults ({@link TrainConfig}), then a {@code --config} JSON file, then the flags
 * (each flag is a setting, see {@link Settings}). Everything is checked before any data is loaded; a batch larger
 * than the training set is reported right after loading, before the run directory is created.
 *
 * <p>The run directory holds {@code config.json}, {@code metrics.json}, {@code metrics.csv}, {@code curves.png},
 * {@code model.safetensors}, {@code model.json} and {@code checkpoint.bin}. The checkpoint, the model and the
 * metrics are rewritten atomically at the end of every epoch, so {@code --resume DIR} continues a killed run from
 * its last finished epoch and ends bit-for-bit where an uninterrupted run would.
 */
@Command(
    name = "train",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    customSynopsis = {
      "Usage: fwdlearn train [SETTING...] [--config=<file.json>] [--out=<dir>] [--force] [--progress=<mode>]",
      "   or: fwdlearn train --resume=<dir> [--epochs=<int>] [--threads=<int>]"
    },
    description = {
      "Train a network with a learning rule. Without arguments: PEPITA, 784-1024-10, the paper's protocol",
      "(100 epochs, batch 64, lr 0.1, momentum 0.9, dropout 0.1, lr x0.1 after epochs 60 and 90) on MNIST,",
      "fetched on first use. Flags override a --config file, which overrides the defaults."
    },
    footer = {
      "",
      "The run directory holds config.json, metrics.json, metrics.csv, curves.png, model.safetensors, model.json",
      "and checkpoint.bin (rewritten atomically after every epoch). Exit codes: 0 done, 1 failure, 2 bad input.",
      "Examples:",
      "  fwdlearn train --rule bp --epochs 10",
      "  fwdlearn train --hidden 1024,1024 --normalize-activations --weight-decay 1e-4 --out runs/pepita-2x1024",
      "  fwdlearn train --resume runs/pepita-2x1024"
    })
public final class TrainCommand implements Callable<Integer> {
  /** Files a run writes (and {@code --force} replaces). */
  static final List<String> RUN_FILES =
      List.of("config.json", "metrics.json", "metrics.csv", "curves.png", "model.safetensors", "model.json", "checkpoint.bin");

  /** The settings that may change when a run is resumed (they do not change the results). */
  static final Set<String> RESUMABLE = Set.of("threads", "epochs");

  @Spec CommandSpec spec;

  @Option(names = "--config", paramLabel = "<file.json>",
      description = "Settings as a JSON object whose keys are the flag names without dashes, e.g."
          + " {\"rule\": \"bp\", \"hidden\": [1024, 1024], \"weight-decay\": 1e-4}; a run's config.json works too.")
  Path configFile;

  @Option(names = "--out", paramLabel = "<dir>",
      description = "Run directory. Default: runs/<date>-<rule>-<dataset> in the working directory.")
  Path out;

  @Option(names = "--force", description = "Overwrite the files of an existing run directory.")
  boolean force;

  @Option(names = "--resume", paramLabel = "<dir>",
      description = "Continue the run in <dir> from its last checkpoint, with its settings (--epochs and --threads may change).")
  Path resume;

  @Option(names = "--progress", paramLabel = "<auto|bar|lines>", defaultValue = "auto",
      description = "Progress display: a live bar (on a terminal outside CI: auto) or one line per epoch. Default: ${DEFAULT-VALUE}.")
  String progress;

  /** Adds one option per {@link Settings.Setting} to the train command. */
  static void addSettingOptions(CommandLine train) {
    CommandSpec s = train.getCommandSpec();
    for (Settings.Setting setting : Settings.all()) {
      OptionSpec.Builder b =
          OptionSpec.builder(setting.flag())
              .type(String.class)
              .paramLabel(setting.paramLabel())
              .description(setting.description());
      if (setting.type() == boolean.class) {
        b.arity("0..1").fallbackValue("true");
      } else {
        b.arity("1");
      }
      s.addOption(b.build());
    }
  }

  @Override
  public Integer call() throws IOException {
    PrintWriter outW = spec.commandLine().getOut();
    PrintWriter errW = spec.commandLine().getErr();
    String mode = progress.toLowerCase(Locale.ROOT);
    if (!List.of("auto", "bar", "lines").contains(mode)) {
      throw new UsageException("Invalid value for --progress: '" + progress + "' (allowed: auto, bar, lines)");
    }
    ParseResult pr = spec.commandLine().getParseResult();
    TrainConfig c;
    Path dir;
    if (resume != null) {
      c = resumeConfig(pr);
      dir = resume;
    } else {
      c = resolveConfig(pr);
      dir = runDirectory(c);
    }
    return execute(c, dir, resume != null, force, mode, outW, errW, TrainCommand::loadData);
  }

  /** Where a run's data comes from: the dataset files ({@link #loadData}) or, in a sweep, a shared copy. */
  @FunctionalInterface
  interface DataSource {
    DatasetSplit load(TrainConfig c, PrintWriter err);
  }

  /**
   * A training run once its settings and directory are resolved: the whole of {@code fwdlearn train} after the
   * command line, and each run of {@code fwdlearn sweep}. Checks the settings, loads the data, then trains (or,
   * with {@code resume}, continues from the directory's checkpoint) and writes the run directory.
   *
   * @param force replace the run files of the directory (a new run only)
   * @param mode the progress display: auto, bar or lines
   * @return the exit code (0); failures are thrown as {@link UsageException} or {@link Main.Failure}
   */
  static int execute(TrainConfig c, Path dir, boolean resume, boolean force, String mode, PrintWriter outW,
      PrintWriter errW, DataSource data) throws IOException {
    String dataset = DataCommand.checkName(c.dataset);
    c.dataset = dataset;
    boolean ff = c.rule.equals("ff");
    if (ff) {
      FfTrainRun.preflight(c, dataset.equals(SyntheticData.NAME) ? SyntheticData.CLASSES : Datasets.numClasses(dataset));
    } else {
      preflight(c);
    }

    // Data. Nothing has been written yet.
    DatasetSplit split = data.load(c, errW);
    int trainSize = c.trainLimit > 0 ? Math.min(c.trainLimit, split.train().size()) : split.train().size();
    if (c.batch > trainSize) {
      throw new UsageException(
          "batch: " + c.batch + " is larger than the training set (" + trainSize + " examples"
              + (c.trainLimit > 0 ? " with --train-limit " + c.trainLimit : "") + " of " + dataset
              + "); allowed: 1 to " + trainSize);
    }
    if (ff) {
      return FfTrainRun.run(c, split, dir, resume, force, mode, outW);
    }
    Trainer trainer;
    try {
      trainer = new Trainer(c, split);
    } catch (IllegalArgumentException e) {
      throw new UsageException("invalid settings: " + e.getMessage());
    }
    try (trainer) {
      return train(trainer, c, split, dir, resume, force, mode, outW);
    }
  }

  private static int train(Trainer trainer, TrainConfig c, DatasetSplit split, Path dir, boolean resume, boolean force,
      String mode, PrintWriter outW) throws IOException {
    Map<String, Object> configJson = configJson(c, split);
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
        for (String f : RUN_FILES) {
          Files.deleteIfExists(dir.resolve(f));
        }
        for (String f : List.of("confusion.png", "eval.json")) { // an earlier eval's report of the old model
          Files.deleteIfExists(dir.resolve(f));
        }
      }
    }
    // On a resume, --epochs or --threads may have changed.
    AtomicFiles.writeString(dir.resolve("config.json"), Json.write(configJson) + "\n");

    printHeader(outW, c, split, dir, trainer.nextEpoch());
    outW.flush();
    boolean bar = mode.equals("bar") || (mode.equals("auto") && Progress.interactive());
    Progress prog = new Progress(outW, bar, c.epochs, c.batch);
    Recorder rec = new Recorder(trainer, metrics, dir, c, split);
    long start = System.nanoTime();
    if (trainer.nextEpoch() < c.epochs) {
      try {
        trainer.run(new Both(prog, rec));
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
    rec.writeModel();
    Plots.curves(dir.resolve("curves.png"), metrics.epochs(), c.rule + " on " + c.dataset);
    printSummary(outW, metrics, dir, (System.nanoTime() - start) / 1e9);
    return 0;
  }

  // ---------------------------------------------------------------- settings

  private TrainConfig resolveConfig(ParseResult pr) {
    TrainConfig c = new TrainConfig();
    if (configFile != null) {
      Settings.applyJson(c, readJson(configFile, "--config " + configFile), configFile.toString());
    }
    applyFlags(c, pr);
    return validated(c);
  }

  private TrainConfig resumeConfig(ParseResult pr) {
    if (configFile != null || out != null) {
      throw new UsageException("--resume takes the settings and the directory of the run; drop "
          + (configFile != null ? "--config" : "--out"));
    }
    List<String> fixed = new ArrayList<>();
    for (Settings.Setting s : Settings.all()) {
      if (pr.hasMatchedOption(s.flag()) && !RESUMABLE.contains(s.key())) {
        fixed.add(s.flag());
      }
    }
    if (!fixed.isEmpty()) {
      throw new UsageException("--resume continues a run with its own settings; only --epochs and --threads may"
          + " change, drop " + String.join(", ", fixed));
    }
    if (!Files.isDirectory(resume)) {
      throw new UsageException("--resume: " + resume + " is not a run directory");
    }
    for (String f : List.of("config.json", "checkpoint.bin")) {
      if (!Files.isRegularFile(resume.resolve(f))) {
        throw new UsageException("--resume: " + resume + " has no " + f + " (nothing to resume)");
      }
    }
    TrainConfig c = new TrainConfig();
    Settings.applyJson(c, readJson(resume.resolve("config.json"), resume.resolve("config.json").toString()),
        resume.resolve("config.json").toString());
    applyFlags(c, pr);
    return validated(c);
  }

  private static void applyFlags(TrainConfig c, ParseResult pr) {
    for (Settings.Setting s : Settings.all()) {
      if (pr.hasMatchedOption(s.flag())) {
        Settings.applyText(c, s, pr.matchedOptionValue(s.flag(), ""));
      }
    }
  }

  private static TrainConfig validated(TrainConfig c) {
    try {
      return c.validate();
    } catch (IllegalArgumentException e) {
      throw new UsageException("invalid settings: " + e.getMessage());
    }
  }

  static Map<String, Object> readJson(Path file, String where) {
    String text;
    try {
      text = Files.readString(file);
    } catch (NoSuchFileException e) {
      throw new UsageException(where + ": no such file");
    } catch (IOException e) {
      throw new UsageException(where + ": cannot read it (" + e.getMessage() + ")");
    }
    try {
      return Json.parseObject(text);
    } catch (Json.JsonException e) {
      throw new UsageException(where + ": " + e.getMessage());
    }
  }

  private Path runDirectory(TrainConfig c) throws IOException {
    if (out != null) {
      if (Files.exists(out) && !Files.isDirectory(out)) {
        throw new UsageException("--out: " + out + " exists and is not a directory");
      }
      if (!force && hasRunFiles(out)) {
        throw new UsageException("the run directory " + out + " already holds a run; pass --force to overwrite it,"
            + " --resume " + out + " to continue it, or choose another --out");
      }
      return out;
    }
    String stamp = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
    String base = "runs/" + stamp + "-" + c.rule + "-" + c.dataset.toLowerCase(Locale.ROOT);
    Path p = Path.of(base);
    for (int i = 2; Files.exists(p); i++) {
      p = Path.of(base + "-" + i);
    }
    return p;
  }

  private static boolean hasRunFiles(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      return false;
    }
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
      return ds.iterator().hasNext();
    }
  }

  /**
   * Checks the settings that only the trainer knows (e.g. weight mirroring with a rule that has no feedback
   * matrices, a rule the trainer does not run) before any data is loaded, by building a trainer on a one-batch
   * placeholder dataset of the right class count.
   */
  static void preflight(TrainConfig c) {
    int classes = c.dataset.equals(SyntheticData.NAME) ? SyntheticData.CLASSES : Datasets.numClasses(c.dataset);
    TrainConfig p = c.copy();
    p.threads = 1;
    p.trainLimit = 0;
    p.testLimit = 0;
    p.batch = Math.min(p.batch, 4); // the real batch size is checked against the data once it is loaded
    p.testBatch = Math.min(p.testBatch, 4);
    int n = p.batch;
    org.fwdlearn.core.Matrix x = new org.fwdlearn.core.Matrix(n, 1);
    int[] labels = new int[n];
    for (int i = 0; i < n; i++) {
      labels[i] = i % classes;
    }
    org.fwdlearn.data.Dataset d = new org.fwdlearn.data.Dataset("placeholder", x, labels, classes, new int[] {1, 1, 1});
    try (Trainer t = new Trainer(p, new DatasetSplit(d, d))) {
      t.nextEpoch();
    } catch (IllegalArgumentException e) {
      throw new UsageException("invalid settings: " + e.getMessage());
    }
  }

  /** Loads the run's dataset from its files (MNIST fetched on first use), or generates the synthetic one. */
  static DatasetSplit loadData(TrainConfig c, PrintWriter err) {
    if (c.dataset.equals(SyntheticData.NAME)) {
      return SyntheticData.split();
    }
    try {
      return Datasets.load(c.dataset, c.dataDir == null ? null : Path.of(c.dataDir), c.standardize, msg -> {
        err.println(msg);
        err.flush();
      });
    } catch (DatasetNotFoundException | DatasetFormatException e) {
      throw new Main.Failure(e.getMessage(), e);
    }
  }

  /** config.json: every setting (resolved), the data's shape and the environment. */
  static Map<String, Object> configJson(TrainConfig c, DatasetSplit split) {
    Map<String, Object> m = new LinkedHashMap<>(Settings.toJson(c));
    m.put("f-init", c.effectiveFInit()); // what ran: mirroring forces the product form
    Map<String, Object> data = new LinkedHashMap<>();
    data.put("train_examples", split.train().size());
    data.put("test_examples", split.test().size());
    data.put("features", split.train().features());
    data.put("shape", split.train().shape());
    data.put("classes", split.train().numClasses());
    data.put("layers", layers(c, split));
    m.put("data", data);
    m.put("environment", Environment.describe(c.threads));
    return m;
  }

  static int[] layers(TrainConfig c, DatasetSplit split) {
    int[] sizes = new int[c.hidden.length + 2];
    sizes[0] = split.train().features();
    System.arraycopy(c.hidden, 0, sizes, 1, c.hidden.length);
    sizes[sizes.length - 1] = split.train().numClasses();
    return sizes;
  }

  private static String arch(int[] sizes) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < sizes.length; i++) {
      sb.append(i == 0 ? "" : "-").append(sizes[i]);
    }
    return sb.toString();
  }

  private static void printHeader(PrintWriter out, TrainConfig c, DatasetSplit split, Path dir, int nextEpoch) {
    out.printf(Locale.ROOT, "fwdlearn %s: %s on %s (%d train, %d test examples), %s, %d epochs, batch %d, lr %s%n",
        Environment.version(), c.rule, c.dataset,
        c.trainLimit > 0 ? Math.min(c.trainLimit, split.train().size()) : split.train().size(),
        c.testLimit > 0 ? Math.min(c.testLimit, split.test().size()) : split.test().size(),
        arch(layers(c, split)), c.epochs, c.batch, Progress.shortNumber(c.effectiveLr()));
    out.printf(Locale.ROOT, "kernels %s, %d thread%s, seed %d; run directory %s%n", Kernels.get(), c.threads,
        c.threads == 1 ? "" : "s", c.seed, dir);
    out.printf(Locale.ROOT, "checkpointed after every epoch: 'fwdlearn train --resume %s' continues a stopped run%n", dir);
    if (nextEpoch > 0) {
      out.printf(Locale.ROOT, "resuming after epoch %d%n", nextEpoch);
    }
  }

  private static void printSummary(PrintWriter out, Metrics m, Path dir, double sessionSeconds) {
    EpochReport last = m.last();
    EpochReport best = m.best();
    if (last != null) {
      out.printf(Locale.ROOT, "final test accuracy %.4f (%s), best %.4f at epoch %d%n", last.testAccuracy(),
          Metrics.percent(last.testAccuracy()), best.testAccuracy(), best.epoch() + 1);
    }
    out.printf(Locale.ROOT, "training time %s over %d epochs (this session %s)%n", Progress.duration(m.seconds()),
        m.epochs().size(), Progress.duration(sessionSeconds));
    out.println("report: " + dir.resolve("metrics.json") + " (also metrics.csv, curves.png, model.safetensors)");
    out.flush();
  }

  // ---------------------------------------------------------------- per-epoch files

  /** Writes the metrics, the model and the checkpoint at the end of every epoch. */
  static final class Recorder implements TrainingListener {
    /** An I/O error inside a listener callback (unwrapped by the command). */
    static final class WriteFailure extends RuntimeException {
      WriteFailure(IOException e) {
        super(e);
      }
    }

    private final Trainer trainer;
    private final Metrics metrics;
    private final Path dir;
    private final TrainConfig config;
    private final DatasetSplit split;
    private final int haltAfterEpoch = Integer.getInteger("fwdlearn.test.haltAfterEpoch", -1);
    private final String haltAtBatch = System.getProperty("fwdlearn.test.haltAtBatch", "");

    Recorder(Trainer trainer, Metrics metrics, Path dir, TrainConfig config, DatasetSplit split) {
      this.trainer = trainer;
      this.metrics = metrics;
      this.dir = dir;
      this.config = config;
      this.split = split;
    }

    @Override
    public void batchDone(int epoch, int batch, int batches, long samples) {
      // Test hook: die like a killed process in the middle of an epoch ("E:B", both 1-based).
      if (!haltAtBatch.isEmpty() && haltAtBatch.equals((epoch + 1) + ":" + (batch + 1))) {
        Runtime.getRuntime().halt(137);
      }
    }

    @Override
    public void epochDone(EpochReport r) {
      metrics.add(r);
      try {
        metrics.write(dir, false);
        writeModel();
        AtomicFiles.write(dir.resolve("checkpoint.bin"), trainer::saveCheckpoint);
      } catch (IOException e) {
        throw new WriteFailure(e);
      }
      // Test hook: die like a killed process right after an epoch's checkpoint (1-based).
      if (haltAfterEpoch == r.epoch() + 1) {
        Runtime.getRuntime().halt(137);
      }
    }

    void writeModel() throws IOException {
      EpochReport last = metrics.last();
      Models.save(dir, trainer.network(), trainer.namedTensors(), Models.Info.of(config, split.train().shape(),
          metrics.epochs().size(), last == null ? Double.NaN : last.testAccuracy()));
    }
  }

  /** Sends each event to two listeners. */
  private record Both(TrainingListener a, TrainingListener b) implements TrainingListener {
    @Override
    public void epochStarted(int epoch, int batches) {
      a.epochStarted(epoch, batches);
      b.epochStarted(epoch, batches);
    }

    @Override
    public void batchDone(int epoch, int batch, int batches, long samples) {
      a.batchDone(epoch, batch, batches, samples);
      b.batchDone(epoch, batch, batches, samples);
    }

    @Override
    public void epochDone(EpochReport r) {
      b.epochDone(r);
      a.epochDone(r);
    }
  }
}

package org.fwdlearn.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.lang.ref.SoftReference;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.fwdlearn.data.DatasetSplit;
import org.fwdlearn.data.Datasets;
import org.fwdlearn.io.Json;
import org.fwdlearn.sweep.RunResult;
import org.fwdlearn.sweep.RunState;
import org.fwdlearn.sweep.RunTask;
import org.fwdlearn.sweep.SweepRun;
import org.fwdlearn.train.TrainConfig;

/**
 * The runs of {@code fwdlearn sweep}: each run is a normal {@code fwdlearn train} run ({@link
 * TrainCommand#execute}) with the run's settings (the keys of {@code train --config}) and the engine's thread count,
 * writing the same run directory; a run with a checkpoint continues like {@code train --resume}. Its console output
 * goes to the sweep's log of the run.
 *
 * <p>The dataset is read once per process (per Spark executor) and shared by the runs that use it at the same time
 * (training only reads it), held through a soft reference so that memory pressure can drop it between runs.
 */
final class SweepTrainTask implements RunTask {
  private static final long serialVersionUID = 1L;

  /** The source commit of the driver (the launcher's fwdlearn.commit), recorded by runs on executors too. */
  private final String sourceCommit = System.getProperty("fwdlearn.commit");

  /** The run's settings as a train configuration with {@code threads} kernel threads. */
  static TrainConfig config(SweepRun run, int threads) {
    TrainConfig c = new TrainConfig();
    try {
      Settings.applyJson(c, run.settings(), "settings");
      c.threads = threads;
      c.validate();
    } catch (UsageException | IllegalArgumentException e) {
      throw new IllegalArgumentException(e.getMessage().startsWith("settings") ? e.getMessage()
          : "invalid settings: " + e.getMessage(), e);
    }
    return c;
  }

  @Override
  public void check(SweepRun run) {
    TrainConfig c = config(run, 1);
    try {
      c.dataset = DataCommand.checkName(c.dataset);
      if (c.rule.equals("ff")) {
        FfTrainRun.preflight(c, c.dataset.equals(SyntheticData.NAME) ? SyntheticData.CLASSES
            : Datasets.numClasses(c.dataset));
      } else {
        TrainCommand.preflight(c);
      }
    } catch (UsageException e) {
      throw new IllegalArgumentException(e.getMessage(), e);
    }
  }

  @Override
  public RunState state(Path dir) throws IOException {
    Map<String, Object> metrics = metrics(dir);
    if (metrics != null && metrics.get("final") instanceof Map<?, ?> f && f.get("epochs") instanceof Number n) {
      return RunState.finished(n.intValue());
    }
    if (Files.isRegularFile(dir.resolve("checkpoint.bin")) && Files.isRegularFile(dir.resolve("config.json"))) {
      int epochs = metrics != null && metrics.get("epochs") instanceof List<?> l ? l.size() : 0;
      return RunState.partial(epochs);
    }
    return RunState.NEW;
  }

  /** metrics.json, or null if the directory has none or it cannot be parsed (a run killed while writing it). */
  private static Map<String, Object> metrics(Path dir) throws IOException {
    try {
      return Json.parseObject(Files.readString(dir.resolve("metrics.json")));
    } catch (NoSuchFileException e) {
      return null;
    } catch (Json.JsonException e) {
      return null;
    }
  }

  @Override
  public RunResult result(Path dir) throws IOException {
    Map<String, Object> m = metrics(dir);
    if (m == null || !(m.get("final") instanceof Map<?, ?> f)) {
      throw new IOException(dir.resolve("metrics.json") + " has no final report");
    }
    return new RunResult(number(f, "test_accuracy"), number(f, "best_test_accuracy"), (int) number(f, "best_epoch"),
        (int) number(f, "epochs"), number(f, "seconds"));
  }

  private static double number(Map<?, ?> m, String key) {
    // Non-finite numbers are written as null (a run whose accuracy is NaN).
    return m.get(key) instanceof Number n ? n.doubleValue() : Double.NaN;
  }

  @Override
  public void train(SweepRun run, Path dir, int threads, boolean resume, PrintWriter log) throws IOException {
    // On a Spark executor nothing of Main ran: charts are drawn off-screen, and runs record the driver's commit.
    System.setProperty("java.awt.headless", "true");
    if (sourceCommit != null && System.getProperty("fwdlearn.commit") == null) {
      System.setProperty("fwdlearn.commit", sourceCommit);
    }
    TrainConfig c = config(run, threads);
    TrainCommand.execute(c, dir, resume, !resume, "lines", log, log, SweepTrainTask::sharedData);
  }

  // ---------------------------------------------------------------- data shared by the runs of a process

  private static final Map<String, SoftReference<DatasetSplit>> DATA = new ConcurrentHashMap<>();
  private static final Map<String, Object> LOCKS = new ConcurrentHashMap<>();

  /** The run's dataset, loaded once per process while some run holds it (the first loader fetches MNIST if needed). */
  static DatasetSplit sharedData(TrainConfig c, PrintWriter err) {
    String key = c.dataset + "|" + c.dataDir + "|" + c.standardize;
    synchronized (LOCKS.computeIfAbsent(key, k -> new Object())) {
      SoftReference<DatasetSplit> ref = DATA.get(key);
      DatasetSplit d = ref == null ? null : ref.get();
      if (d == null) {
        d = TrainCommand.loadData(c, err);
        DATA.put(key, new SoftReference<>(d));
      }
      return d;
    }
  }
}

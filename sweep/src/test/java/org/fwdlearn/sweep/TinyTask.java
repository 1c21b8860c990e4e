package org.fwdlearn.sweep;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.fwdlearn.core.Matrix;
import org.fwdlearn.core.Rng;
import org.fwdlearn.data.Dataset;
import org.fwdlearn.data.DatasetSplit;
import org.fwdlearn.io.AtomicFiles;
import org.fwdlearn.io.Json;
import org.fwdlearn.io.Safetensors;
import org.fwdlearn.train.EpochReport;
import org.fwdlearn.train.TrainConfig;
import org.fwdlearn.train.Trainer;
import org.fwdlearn.train.TrainingListener;

/**
 * A real run for the engine tests: PEPITA (or any rule of the Trainer) on a generated 4-class problem (16 features,
 * 256 training and 128 test examples), checkpointed after every epoch like a train run, with model.safetensors and
 * result.json at the end. Settings: rule, lr, epochs, hidden, seed, batch. Test hooks, as settings:
 * "fail-once-after-epoch": E throws after epoch E's checkpoint on the run's first attempt (a marker file in the run
 * directory remembers it); "kill-run": NAME with "kill-after-epoch": E throws {@link Kill} (not caught by the
 * engines: the sweep dies as if its process were killed) after epoch E's checkpoint of the run NAME when it was
 * started from scratch.
 */
final class TinyTask implements RunTask {
  private static final long serialVersionUID = 1L;

  /** Stands for the death of the sweep's process. */
  static final class Kill extends Error {
    private static final long serialVersionUID = 1L;

    Kill(String message) {
      super(message);
    }
  }

  static final DatasetSplit DATA = data();

  private static DatasetSplit data() {
    Rng rng = new Rng(0x7E57DA7AL);
    int classes = 4;
    int d = 16;
    float[][] proto = new float[classes][d];
    for (float[] p : proto) {
      for (int j = 0; j < d; j++) {
        p[j] = rng.nextFloat();
      }
    }
    return new DatasetSplit(make("tiny-train", 256, proto, rng), make("tiny-test", 128, proto, rng));
  }

  private static Dataset make(String name, int n, float[][] proto, Rng rng) {
    Matrix x = new Matrix(n, proto[0].length);
    int[] labels = new int[n];
    for (int i = 0; i < n; i++) {
      labels[i] = rng.nextInt(proto.length);
      for (int j = 0; j < proto[0].length; j++) {
        x.set(i, j, proto[labels[i]][j] + 0.3f * (float) rng.nextGaussian());
      }
    }
    return new Dataset(name, x, labels, proto.length, new int[] {1, 4, 4});
  }

  static TrainConfig config(SweepRun run, int threads) {
    TrainConfig c = new TrainConfig();
    c.dataset = "tiny";
    c.hidden = new int[] {8};
    c.epochs = 2;
    c.batch = 32;
    c.decayEpochs = new int[0];
    c.threads = threads;
    for (Map.Entry<String, Object> e : run.settings().entrySet()) {
      Object v = e.getValue();
      switch (e.getKey()) {
        case "rule" -> c.rule = (String) v;
        case "lr" -> c.lr = ((Number) v).floatValue();
        case "epochs" -> c.epochs = ((Number) v).intValue();
        case "batch" -> c.batch = ((Number) v).intValue();
        case "seed" -> c.seed = ((Number) v).longValue();
        case "hidden" -> c.hidden = ((List<?>) v).stream().mapToInt(x -> ((Number) x).intValue()).toArray();
        case "fail-once-after-epoch", "kill-after-epoch", "kill-run" -> { }
        default -> throw new IllegalArgumentException("unknown setting \"" + e.getKey() + "\"");
      }
    }
    return c.validate();
  }

  @Override
  public void check(SweepRun run) {
    config(run, 1);
  }

  @Override
  public RunState state(Path dir) throws IOException {
    if (Files.isRegularFile(dir.resolve("result.json"))) {
      return RunState.finished(((Number) Json.parseObject(Files.readString(dir.resolve("result.json"))).get("epochs")).intValue());
    }
    if (Files.isRegularFile(dir.resolve("checkpoint.bin"))) {
      return RunState.partial(Integer.parseInt(Files.readString(dir.resolve("epochs.txt")).trim()));
    }
    return RunState.NEW;
  }

  @Override
  public RunResult result(Path dir) throws IOException {
    Map<String, Object> m = Json.parseObject(Files.readString(dir.resolve("result.json")));
    return new RunResult((Double) m.get("test_accuracy"), (Double) m.get("best_test_accuracy"),
        ((Number) m.get("best_epoch")).intValue(), ((Number) m.get("epochs")).intValue(), (Double) m.get("seconds"));
  }

  @Override
  public void train(SweepRun run, Path dir, int threads, boolean resume, PrintWriter log) throws IOException {
    TrainConfig c = config(run, threads);
    Files.createDirectories(dir);
    int failAfter = run.settings().get("fail-once-after-epoch") instanceof Long l ? (int) (long) l : -1;
    int killAfter = run.settings().get("kill-after-epoch") instanceof Long l && !resume
        && run.name().equals(run.settings().get("kill-run")) ? (int) (long) l : -1;
    try (Trainer t = new Trainer(c, DATA)) {
      if (resume) {
        try (InputStream in = new BufferedInputStream(Files.newInputStream(dir.resolve("checkpoint.bin")))) {
          t.loadCheckpoint(in);
        }
        log.println("resuming after epoch " + t.nextEpoch());
      } else {
        Files.deleteIfExists(dir.resolve("checkpoint.bin"));
      }
      List<EpochReport> all = new ArrayList<>(t.reports());
      t.run(new TrainingListener() {
        @Override
        public void epochDone(EpochReport r) {
          all.add(r);
          log.printf("epoch %d: test accuracy %.4f%n", r.epoch() + 1, r.testAccuracy());
          try {
            AtomicFiles.write(dir.resolve("checkpoint.bin"), t::saveCheckpoint);
            AtomicFiles.writeString(dir.resolve("epochs.txt"), (r.epoch() + 1) + "\n");
            if (r.epoch() + 1 == failAfter && !Files.exists(dir.resolve("failed-once"))) {
              Files.createFile(dir.resolve("failed-once"));
              throw new IllegalStateException("planned failure after epoch " + failAfter);
            }
          } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
          }
          if (r.epoch() + 1 == killAfter) {
            throw new Kill("killed after epoch " + killAfter);
          }
        }
      });
      Safetensors.write(dir.resolve("model.safetensors"), t.namedTensors(), Map.of("rule", c.rule));
      EpochReport last = all.get(all.size() - 1);
      EpochReport best = last;
      for (EpochReport r : all) {
        if (r.testAccuracy() > best.testAccuracy()) {
          best = r;
        }
      }
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("test_accuracy", last.testAccuracy());
      m.put("best_test_accuracy", best.testAccuracy());
      m.put("best_epoch", best.epoch() + 1);
      m.put("epochs", all.size());
      m.put("seconds", all.stream().mapToDouble(EpochReport::seconds).sum());
      AtomicFiles.writeString(dir.resolve("result.json"), Json.write(m) + "\n");
    }
  }
}

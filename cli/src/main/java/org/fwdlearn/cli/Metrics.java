package org.fwdlearn.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.fwdlearn.io.AtomicFiles;
import org.fwdlearn.io.Json;
import org.fwdlearn.train.EpochReport;

/**
 * The per-epoch metrics of a run and their files: {@code metrics.json}
 * ({@code {"config":..., "epochs":[...], "final":{...}}}) and {@code metrics.csv} (one row per epoch). Epochs
 * are numbered from 1 in both files (epoch 1 is the first epoch trained); accuracies are fractions in [0, 1];
 * quantities a rule does not have (the F angle of backprop) are {@code null} in JSON and {@code NaN} in CSV.
 */
public final class Metrics {
  /** The CSV columns before the per-layer weight norms. */
  static final List<String> CSV_HEAD =
      List.of("epoch", "train_loss", "train_accuracy", "test_loss", "test_accuracy", "lr", "f_angle_deg");

  /** The CSV columns after the per-layer weight norms. */
  static final List<String> CSV_TAIL = List.of("f_std", "seconds");

  private final Map<String, Object> config;
  private final List<EpochReport> epochs = new ArrayList<>();

  /** @param config the settings as written to config.json, repeated in metrics.json */
  public Metrics(Map<String, Object> config) {
    this.config = config;
  }

  public List<EpochReport> epochs() {
    return epochs;
  }

  public void add(EpochReport r) {
    epochs.add(r);
  }

  /** Total training time of the epochs so far (over all sessions of a resumed run). */
  public double seconds() {
    return epochs.stream().mapToDouble(EpochReport::seconds).sum();
  }

  /** The epoch with the highest test accuracy (the first such), or null. */
  public EpochReport best() {
    EpochReport b = null;
    for (EpochReport r : epochs) {
      if (b == null || r.testAccuracy() > b.testAccuracy()) {
        b = r;
      }
    }
    return b;
  }

  /** The last epoch, or null. */
  public EpochReport last() {
    return epochs.isEmpty() ? null : epochs.get(epochs.size() - 1);
  }

  /** One epoch as a JSON object. */
  static Map<String, Object> toJson(EpochReport r) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("epoch", r.epoch() + 1);
    m.put("train_loss", r.trainLoss());
    m.put("train_accuracy", r.trainAccuracy());
    m.put("test_loss", r.testLoss());
    m.put("test_accuracy", r.testAccuracy());
    m.put("lr", (float) r.lr()); // the optimiser's float learning rate, written as such
    m.put("f_angle_deg", r.fAngleDeg());
    m.put("layer_angles_deg", r.layerAnglesDeg());
    m.put("weight_norms", r.weightNorms());
    m.put("f_std", r.fStd());
    m.put("f_mean", r.fMean());
    m.put("seconds", r.seconds());
    return m;
  }

  /** The metrics.json object; {@code finished} adds the "final" block. */
  public Map<String, Object> toJson(boolean finished) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("config", config);
    List<Object> es = new ArrayList<>();
    for (EpochReport r : epochs) {
      es.add(toJson(r));
    }
    m.put("epochs", es);
    if (finished && !epochs.isEmpty()) {
      Map<String, Object> f = new LinkedHashMap<>();
      EpochReport best = best();
      f.put("epochs", epochs.size());
      f.put("test_accuracy", last().testAccuracy());
      f.put("best_test_accuracy", best.testAccuracy());
      f.put("best_epoch", best.epoch() + 1);
      f.put("test_loss", last().testLoss());
      f.put("train_accuracy", last().trainAccuracy());
      f.put("seconds", seconds());
      m.put("final", f);
    }
    return m;
  }

  /** metrics.csv: a header and one row per epoch. */
  public String toCsv() {
    int layers = epochs.stream().mapToInt(r -> r.weightNorms().length).max().orElse(0);
    List<String> cols = new ArrayList<>(CSV_HEAD);
    for (int l = 1; l <= layers; l++) {
      cols.add("w" + l + "_norm");
    }
    cols.addAll(CSV_TAIL);
    StringBuilder sb = new StringBuilder(String.join(",", cols)).append('\n');
    for (EpochReport r : epochs) {
      List<String> v = new ArrayList<>();
      v.add(Integer.toString(r.epoch() + 1));
      for (double x : new double[] {r.trainLoss(), r.trainAccuracy(), r.testLoss(), r.testAccuracy()}) {
        v.add(csv(x));
      }
      v.add(Float.toString((float) r.lr()).replace('E', 'e'));
      v.add(csv(r.fAngleDeg()));
      for (int l = 0; l < layers; l++) {
        v.add(l < r.weightNorms().length ? csv(r.weightNorms()[l]) : "NaN");
      }
      v.add(csv(r.fStd()));
      v.add(csv(r.seconds()));
      sb.append(String.join(",", v)).append('\n');
    }
    return sb.toString();
  }

  private static String csv(double x) {
    return Double.isFinite(x) ? Double.toString(x).replace('E', 'e') : Double.isNaN(x) ? "NaN" : (x > 0 ? "Infinity" : "-Infinity");
  }

  /** Writes metrics.json and metrics.csv atomically into {@code dir}. */
  public void write(Path dir, boolean finished) throws IOException {
    AtomicFiles.writeString(dir.resolve("metrics.json"), Json.write(toJson(finished)) + "\n");
    AtomicFiles.writeString(dir.resolve("metrics.csv"), toCsv());
  }

  static String percent(double fraction) {
    return String.format(Locale.ROOT, "%.2f%%", 100 * fraction);
  }
}

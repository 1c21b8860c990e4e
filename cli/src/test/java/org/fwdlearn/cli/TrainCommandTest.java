package org.fwdlearn.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.fwdlearn.core.Matrix;
import org.fwdlearn.io.Json;
import org.fwdlearn.io.Safetensors;
import org.fwdlearn.train.TrainConfig;
import org.fwdlearn.train.Trainer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code fwdlearn train} end to end on the generated dataset: every file of the run directory, eval, help. */
class TrainCommandTest {
  @TempDir Path tmp;

  /** A short run: 16-8-4 on the synthetic data, one thread. */
  static String[] shortRun(Path out, String... extra) {
    List<String> a = new ArrayList<>(List.of("train", "--dataset", "synthetic", "--batch", "32", "--threads", "1",
        "--out", out.toString()));
    if (!List.of(extra).contains("--hidden")) {
      a.addAll(List.of("--hidden", "8"));
    }
    a.addAll(List.of(extra));
    return a.toArray(String[]::new);
  }

  @SuppressWarnings("unchecked")
  @Test
  void oneEpochWritesEveryFileOfTheRunDirectory() throws Exception {
    Path dir = tmp.resolve("run");
    Cli.Result r = Cli.run(shortRun(dir, "--epochs", "1"));
    assertEquals(0, r.code(), r.all());

    // Progress off a terminal: one plain line for the epoch, no carriage returns; then the summary.
    assertFalse(r.out().contains("\r"), r.out());
    assertEquals(1, r.out().lines().filter(l -> l.startsWith("epoch 1/1: train loss")).count(), r.out());
    assertTrue(r.out().contains("final test accuracy") && r.out().contains("report: " + dir.resolve("metrics.json")), r.out());

    // config.json: every setting resolved, and the environment.
    Map<String, Object> config = Json.parseObject(Files.readString(dir.resolve("config.json")));
    for (Settings.Setting s : Settings.all()) {
      assertTrue(config.containsKey(s.key()), "config.json lacks " + s.key());
    }
    assertEquals("pepita", config.get("rule"));
    assertEquals(0.1, (Double) config.get("lr"), 1e-7);
    assertEquals(List.of(8L), config.get("hidden"));
    Map<String, Object> env = (Map<String, Object>) config.get("environment");
    for (String k : List.of("fwdlearn_version", "source_commit", "jdk", "cpu", "kernel_path", "vector_bits")) {
      assertTrue(env.containsKey(k), "environment lacks " + k);
    }
    assertEquals(org.fwdlearn.core.kernel.Kernels.get().path(), env.get("kernel_path"));

    // metrics.json: {"config", "epochs", "final"}, accuracies in [0, 1].
    Map<String, Object> metrics = Json.parseObject(Files.readString(dir.resolve("metrics.json")));
    assertEquals(List.of("config", "epochs", "final"), List.copyOf(metrics.keySet()));
    assertEquals(config, metrics.get("config"));
    List<Object> epochs = (List<Object>) metrics.get("epochs");
    assertEquals(1, epochs.size());
    Map<String, Object> e1 = (Map<String, Object>) epochs.get(0);
    assertEquals(List.of("epoch", "train_loss", "train_accuracy", "test_loss", "test_accuracy", "lr", "f_angle_deg",
        "layer_angles_deg", "weight_norms", "f_std", "f_mean", "seconds"), List.copyOf(e1.keySet()));
    assertEquals(1L, e1.get("epoch"));
    for (String k : List.of("train_accuracy", "test_accuracy")) {
      double a = (Double) e1.get(k);
      assertTrue(a >= 0 && a <= 1, k + " = " + a);
    }
    double angle = (Double) e1.get("f_angle_deg");
    assertTrue(angle > 0 && angle < 180, "F angle " + angle);
    assertEquals(2, ((List<Object>) e1.get("weight_norms")).size());
    Map<String, Object> fin = (Map<String, Object>) metrics.get("final");
    assertEquals(e1.get("test_accuracy"), fin.get("test_accuracy"));
    assertEquals(e1.get("test_accuracy"), fin.get("best_test_accuracy"));
    assertEquals(e1.get("seconds"), fin.get("seconds"));

    // metrics.csv: the header and one row per epoch, the same numbers as metrics.json.
    List<String> csv = Files.readAllLines(dir.resolve("metrics.csv"));
    assertEquals("epoch,train_loss,train_accuracy,test_loss,test_accuracy,lr,f_angle_deg,w1_norm,w2_norm,f_std,seconds",
        csv.get(0));
    assertEquals(2, csv.size());
    String[] row = csv.get(1).split(",");
    assertEquals(11, row.length);
    assertEquals("1", row[0]);
    assertEquals((Double) e1.get("test_accuracy"), Double.parseDouble(row[4]));
    assertEquals("0.1", row[5]);
    assertEquals(angle, Double.parseDouble(row[6]));

    // curves.png decodes.
    BufferedImage png = ImageIO.read(dir.resolve("curves.png").toFile());
    assertNotNull(png, "curves.png is not a PNG");
    assertTrue(png.getWidth() > 500 && png.getHeight() > 200);

    // model.safetensors holds exactly the trained state (the checkpoint's), and re-writes to the same bytes.
    byte[] bytes = Files.readAllBytes(dir.resolve("model.safetensors"));
    Safetensors.Contents st = Safetensors.read(new java.io.ByteArrayInputStream(bytes), "model");
    assertEquals(List.of("W1", "W2", "F"), List.copyOf(st.tensors().keySet()));
    assertEquals("8x16", st.tensors().get("W1").shape());
    assertEquals("4x8", st.tensors().get("W2").shape());
    assertEquals("16x4", st.tensors().get("F").shape());
    ByteArrayOutputStream again = new ByteArrayOutputStream();
    Safetensors.write(again, st.tensors(), st.metadata());
    assertArrayEquals(bytes, again.toByteArray());
    TrainConfig c = new TrainConfig();
    Settings.applyJson(c, config, "config.json");
    try (Trainer t = new Trainer(c, SyntheticData.split());
        InputStream in = Files.newInputStream(dir.resolve("checkpoint.bin"))) {
      t.loadCheckpoint(in);
      assertEquals(1, t.nextEpoch());
      for (Map.Entry<String, Matrix> e : t.namedTensors().entrySet()) {
        assertTrue(e.getValue().contentEquals(st.tensors().get(e.getKey())), e.getKey() + " differs from the trainer's");
      }
    }

    // model.json describes the architecture.
    Map<String, Object> model = Json.parseObject(Files.readString(dir.resolve("model.json")));
    assertEquals(List.of(16L, 8L, 4L), model.get("layers"));
    assertEquals(List.of("W1", "W2"), model.get("weights"));
    assertEquals(List.of("F"), model.get("feedback"));
    assertEquals(List.of(1L, 4L, 4L), model.get("input_shape"));

    // eval reproduces the run's final test accuracy and draws the confusion matrix.
    Cli.Result ev = Cli.run("eval", "--model", dir.toString());
    assertEquals(0, ev.code(), ev.all());
    assertTrue(ev.out().contains(String.format(java.util.Locale.ROOT, "accuracy %.4f", (Double) fin.get("test_accuracy"))), ev.out());
    assertTrue(ev.out().contains("confusion matrix"), ev.out());
    // Compared with itself: no discordant example, p = 1.
    Cli.Result cmp = Cli.run("eval", "--model", dir.toString(), "--compare", dir.toString(), "--report-dir",
        tmp.resolve("cmp").toString());
    assertEquals(0, cmp.code(), cmp.all());
    assertTrue(cmp.out().contains("only this model right on 0 examples"), cmp.out());
    assertTrue(cmp.out().contains("exact McNemar p = 1"), cmp.out());
    Map<String, Object> cmpj = Json.parseObject(Files.readString(tmp.resolve("cmp").resolve("eval.json")));
    assertEquals(1.0, ((Map<String, Object>) cmpj.get("compare")).get("mcnemar_exact_p"));
    Cli.Result none = Cli.run("eval", "--model", dir.toString(), "--compare", tmp.resolve("nothing").toString());
    assertEquals(2, none.code());
    assertTrue(none.err().contains("holds no model"), none.err());
    assertNotNull(ImageIO.read(dir.resolve("confusion.png").toFile()));
    Map<String, Object> evj = Json.parseObject(Files.readString(dir.resolve("eval.json")));
    assertEquals(fin.get("test_accuracy"), evj.get("accuracy"));
    long total = 0;
    for (Object rowObj : (List<Object>) evj.get("confusion")) {
      for (Object v : (List<Object>) rowObj) {
        total += (Long) v;
      }
    }
    assertEquals(SyntheticData.TEST, total);
  }

  @SuppressWarnings("unchecked")
  @ParameterizedTest
  @ValueSource(strings = {"pepita", "pepita-tl", "pepita-hebbian", "afa", "bp", "fa", "dfa", "drtp"})
  void everyRuleTrainsThroughTheCommand(String rule) throws Exception {
    Path dir = tmp.resolve(rule);
    Cli.Result r = Cli.run(shortRun(dir, "--epochs", "2", "--rule", rule, "--hidden", "8,8"));
    assertEquals(0, r.code(), r.all());
    List<String> csv = Files.readAllLines(dir.resolve("metrics.csv"));
    assertEquals(3, csv.size());
    assertTrue(csv.get(0).contains("w3_norm"), csv.get(0));
    for (String line : csv.subList(1, 3)) {
      String[] v = line.split(",");
      assertTrue(Double.isFinite(Double.parseDouble(v[1])) && Double.isFinite(Double.parseDouble(v[3])), line);
    }
    // The rule reached the trainer: model.json names it, and the feedback tensors are that rule's.
    Map<String, Object> model = Json.parseObject(Files.readString(dir.resolve("model.json")));
    assertEquals(rule, model.get("rule"));
    List<Object> feedback = (List<Object>) model.get("feedback");
    switch (rule) {
      case "bp" -> assertEquals(List.of(), feedback);
      case "fa" -> assertEquals(List.of("B2", "B3"), feedback);
      case "dfa", "drtp" -> assertEquals(List.of("K1", "K2"), feedback);
      default -> assertTrue(feedback.contains("F"), feedback.toString());
    }
  }

  @Test
  void flagsOverrideTheConfigFile() throws Exception {
    Path cfg = tmp.resolve("c.json");
    Files.writeString(cfg, "{\"rule\": \"bp\", \"epochs\": 5, \"hidden\": [8], \"weight-decay\": 1e-4}");
    Path dir = tmp.resolve("run");
    Cli.Result r = Cli.run(shortRun(dir, "--config", cfg.toString(), "--epochs", "1"));
    assertEquals(0, r.code(), r.all());
    Map<String, Object> config = Json.parseObject(Files.readString(dir.resolve("config.json")));
    assertEquals("bp", config.get("rule"));
    assertEquals(1L, config.get("epochs"));
    assertEquals(1e-4, (Double) config.get("weight-decay"), 1e-10);
    assertEquals(0.01, (Double) config.get("lr"), 1e-9); // bp's default
    // A run's config.json is itself a valid --config file.
    Cli.Result again = Cli.run("train", "--config", dir.resolve("config.json").toString(), "--out", tmp.resolve("again").toString());
    assertEquals(0, again.code(), again.all());
  }

  @Test
  void anExistingRunIsNotOverwrittenWithoutForce() throws Exception {
    Path dir = tmp.resolve("run");
    Files.createDirectories(dir);
    Files.writeString(dir.resolve("config.json"), "keep");
    Cli.Result r = Cli.run(shortRun(dir, "--epochs", "1"));
    assertEquals(2, r.code(), r.all());
    assertTrue(r.err().contains("already holds a run") && r.err().contains("--force"), r.err());
    assertEquals("keep", Files.readString(dir.resolve("config.json")));
    assertEquals(1, Files.list(dir).count());
    Cli.Result forced = Cli.run(shortRun(dir, "--epochs", "1", "--force"));
    assertEquals(0, forced.code(), forced.all());
    assertTrue(Files.readString(dir.resolve("config.json")).contains("\"rule\""));
  }

  @Test
  void withoutOutTheRunGoesToRunsDateRuleDataset() throws Exception {
    Cli.Result r = Cli.runChild(tmp, List.of(), "train", "--dataset", "synthetic", "--hidden", "4", "--epochs", "1",
        "--rule", "bp", "--threads", "1");
    assertEquals(0, r.code(), r.all());
    List<Path> runs = Files.list(tmp.resolve("runs")).toList();
    assertEquals(1, runs.size());
    assertTrue(runs.get(0).getFileName().toString().matches("\\d{8}-\\d{6}-bp-synthetic"), runs.toString());
    assertTrue(Files.isRegularFile(runs.get(0).resolve("metrics.json")));
  }

  @Test
  void helpDocumentsEverySettingWithItsDefault() {
    Cli.Result r = Cli.run("train", "--help");
    assertEquals(0, r.code());
    String help = r.out().replaceAll("\\s+", " ");
    for (Settings.Setting s : Settings.all()) {
      assertTrue(help.contains(s.flag() + "=") || help.contains(s.flag() + "[="), "help lacks " + s.flag());
    }
    assertTrue(help.contains("Default: 0.9."), help);
    for (String f : List.of("--config", "--out", "--force", "--resume", "--progress")) {
      assertTrue(help.contains(f), "help lacks " + f);
    }
  }

  @Test
  void configJsonRecordsTheFormOfFThatRan() {
    org.fwdlearn.train.TrainConfig c = new org.fwdlearn.train.TrainConfig();
    c.rule = "pepita";
    c.fInit = "uniform";
    assertEquals("uniform", TrainCommand.configJson(c, SyntheticData.split()).get("f-init"));
    c.mirror = true; // mirroring needs F as a product of per-layer factors, so it runs with the normal form
    assertEquals("normal", TrainCommand.configJson(c, SyntheticData.split()).get("f-init"));
  }

  @Test
  void everyDescriptionIsAValidFormatString() {
    // picocli formats descriptions with String.format: a bare '%' makes it print a warning and the raw text.
    for (Settings.Setting s : Settings.all()) {
      String d = s.description();
      try {
        String.format(d);
      } catch (java.util.IllegalFormatException e) {
        throw new AssertionError(s.flag() + ": description is not a valid format string: " + d, e);
      }
    }
  }
}

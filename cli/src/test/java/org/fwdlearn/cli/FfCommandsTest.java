package org.fwdlearn.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.fwdlearn.io.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code train --rule ff} and {@code experiment ff-vs-pepita} end to end on the generated dataset. */
class FfCommandsTest {
  @TempDir Path tmp;

  private static String[] ff(Path out, String... extra) {
    List<String> a = new ArrayList<>(List.of("train", "--rule", "ff", "--dataset", "synthetic", "--dropout", "0",
        "--hidden", "12,10", "--batch", "32", "--threads", "1", "--ff-optimizer", "adam", "--lr", "0.01",
        "--ff-cooldown", "false", "--out", out.toString()));
    a.addAll(List.of(extra));
    return a.toArray(String[]::new);
  }

  @SuppressWarnings("unchecked")
  @Test
  void ffRunWritesTheRunDirectoryAndResumesToTheSameModel() throws Exception {
    Path full = tmp.resolve("full");
    Cli.Result r = Cli.run(ff(full, "--epochs", "2"));
    assertEquals(0, r.code(), r.all());
    assertTrue(r.out().contains("ff (Forward-Forward)") && r.out().contains("ff layers | 1: loss"), r.out());
    for (String f : List.of("config.json", "metrics.json", "metrics.csv", "curves.png", "model.safetensors", "model.json",
        "checkpoint.bin", "ff_metrics.csv", "ff_metrics.json")) {
      assertTrue(Files.isRegularFile(full.resolve(f)), "missing " + f);
    }
    Map<String, Object> model = Json.parseObject(Files.readString(full.resolve("model.json")));
    assertEquals("fwdlearn-ff-model", model.get("format"));
    assertEquals(List.of(16L, 12L, 10L), model.get("layers"));
    List<String> csv = Files.readAllLines(full.resolve("ff_metrics.csv"));
    assertEquals(3, csv.size(), String.join("\n", csv));
    assertTrue(csv.get(0).startsWith("epoch,first_trained_layer,last_trained_layer,test_accuracy_goodness")
        && csv.get(0).contains("separation_2"), csv.get(0));
    Map<String, Object> metrics = Json.parseObject(Files.readString(full.resolve("metrics.json")));
    double acc = ((Number) ((Map<String, Object>) metrics.get("final")).get("test_accuracy")).doubleValue();
    assertTrue(acc > 0.25, "better than chance on 4 classes: " + acc);

    Path split = tmp.resolve("split");
    assertEquals(0, Cli.run(ff(split, "--epochs", "1")).code());
    Cli.Result resumed = Cli.run("train", "--resume", split.toString(), "--epochs", "2", "--threads", "1");
    assertEquals(0, resumed.code(), resumed.all());
    assertTrue(resumed.out().contains("resuming after epoch 1"), resumed.out());
    assertArrayEquals(Files.readAllBytes(full.resolve("model.safetensors")), Files.readAllBytes(split.resolve("model.safetensors")),
        "a resumed run ends with the weights of an uninterrupted one");
  }

  @Test
  void ffRejectsDropoutByName() {
    Path out = tmp.resolve("bad");
    Cli.Result r = Cli.run("train", "--rule", "ff", "--dataset", "synthetic", "--threads", "1", "--out", out.toString());
    assertEquals(2, r.code(), r.all());
    assertTrue(r.err().contains("--dropout 0"), r.err());
    assertTrue(!Files.exists(out));
  }

  @Test
  void ffVsPepitaWritesItsTables() throws Exception {
    Path out = tmp.resolve("exp");
    Cli.Result r = Cli.run("experiment", "ff-vs-pepita", "--dataset", "synthetic", "--hidden", "12,10", "--epochs", "2",
        "--batch", "32", "--probe-every", "4", "--threads", "1", "--out", out.toString());
    assertEquals(0, r.code(), r.all());
    List<String> csv = Files.readAllLines(out.resolve("hebbian.csv"));
    // 2 epochs x (pepita 3 layers + pepita-hebbian 3 + ff 2)
    assertEquals(1 + 2 * 8, csv.size(), String.join("\n", csv));
    assertTrue(csv.get(0).contains("hebbian_norm,anti_hebbian_norm") && csv.get(0).contains("cos_ff_same_batch"), csv.get(0));
    assertEquals(3, Files.readAllLines(out.resolve("metrics.csv")).size());
    assertTrue(Files.isRegularFile(out.resolve("hebbian.json")) && Files.isRegularFile(out.resolve("config.json")));
    Cli.Result again = Cli.run("experiment", "ff-vs-pepita", "--dataset", "synthetic", "--out", out.toString());
    assertEquals(2, again.code(), "a non-empty output directory needs --force: " + again.all());
  }
}

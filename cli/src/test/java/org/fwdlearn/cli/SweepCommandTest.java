package org.fwdlearn.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import javax.imageio.ImageIO;
import org.apache.spark.launcher.JavaModuleOptions;
import org.fwdlearn.io.Json;
import org.fwdlearn.sweep.SparkEngine;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code fwdlearn sweep} end to end on the synthetic dataset: each run is a normal train run (the same files, the same
 * model bit for bit as {@code fwdlearn train} with its settings); two runs at once, one at a time and Spark in
 * {@code local[2]} give the same models; a sweep killed with its process continues where it stopped; a run that fails
 * is reported while the others finish; bad sweep files name the file, key and value.
 */
class SweepCommandTest {
  @TempDir Path tmp;

  /** 2 learning rates x 2 seeds, 16-8-4 on the synthetic data, 2 epochs. */
  static final String TINY = """
      {"name": "tiny", "base": {"dataset": "synthetic", "hidden": [8], "epochs": 2, "batch": 32},
       "axes": {"lr": [0.05, 0.1]}, "seeds": 2}""";

  static final List<String> RUNS = List.of("lr=0.05_seed=1", "lr=0.05_seed=2", "lr=0.1_seed=1", "lr=0.1_seed=2");

  private Path file(String name, String json) throws Exception {
    Path f = tmp.resolve(name);
    Files.writeString(f, json);
    return f;
  }

  private static List<Map<String, Object>> epochsWithoutTime(Path dir) throws Exception {
    return ResumeTest.epochsWithoutTime(dir);
  }

  private static Set<String> files(Path dir) throws Exception {
    try (var s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).collect(Collectors.toSet());
    }
  }

  @Test
  void eachRunIsANormalTrainRunAndParallelRunsMatchSequentialOnes() throws Exception {
    Path f = file("tiny.json", TINY);
    Path par = tmp.resolve("par");
    Cli.Result r = Cli.run("sweep", f.toString(), "--parallel", "2", "--out", par.toString());
    assertEquals(0, r.code(), r.all());
    assertTrue(r.out().contains("sweep tiny: 4 runs (2 configurations x 2 seeds)"), r.out());
    assertTrue(r.out().contains("engine local: 2 runs at once, 1 thread each"), r.out());
    for (int i = 1; i <= 4; i++) {
      assertTrue(r.out().contains("[" + i + "/4 done] run "), r.out());
    }
    assertTrue(r.out().contains("run 3/4 lr=0.1_seed=1: started"), r.out());
    assertTrue(r.out().contains("  lr=0.05: 0."), r.out());

    Path seq = tmp.resolve("seq");
    assertEquals(0, Cli.run("sweep", f.toString(), "--parallel", "1", "--out", seq.toString()).code());

    // lr 0.1, seed 2 by hand: the same files and the same model, metrics and model.json as the sweep's run.
    Path single = tmp.resolve("single");
    Cli.Result t = Cli.run("train", "--dataset", "synthetic", "--hidden", "8", "--epochs", "2", "--batch", "32", "--lr",
        "0.1", "--seed", "2", "--threads", "1", "--out", single.toString());
    assertEquals(0, t.code(), t.all());
    Path run = par.resolve("runs/lr=0.1_seed=2");
    assertEquals(files(single), files(run));
    assertArrayEquals(Files.readAllBytes(single.resolve("model.safetensors")), Files.readAllBytes(run.resolve("model.safetensors")));
    assertEquals(Files.readString(single.resolve("model.json")), Files.readString(run.resolve("model.json")));
    assertEquals(epochsWithoutTime(single), epochsWithoutTime(run));
    Map<String, Object> config = Json.parseObject(Files.readString(run.resolve("config.json")));
    assertEquals(2L, config.get("seed"));
    assertEquals(1L, config.get("threads"));

    for (String name : RUNS) {
      assertArrayEquals(Files.readAllBytes(seq.resolve("runs").resolve(name).resolve("model.safetensors")),
          Files.readAllBytes(par.resolve("runs").resolve(name).resolve("model.safetensors")), name);
      assertTrue(Files.readString(par.resolve("logs").resolve(name + ".log")).contains("epoch 2/2: train loss"), name);
    }

    // The reports.
    List<String> csv = Files.readAllLines(par.resolve("sweep.csv"));
    assertEquals("index,name,configuration,lr,seed,status,test_accuracy,best_test_accuracy,best_epoch,epochs,"
        + "train_seconds,wall_seconds,attempts,host,error", csv.get(0));
    assertEquals(5, csv.size());
    double acc = (Double) ((Map<?, ?>) Json.parseObject(Files.readString(run.resolve("metrics.json"))).get("final"))
        .get("test_accuracy");
    assertTrue(csv.get(4).startsWith("3,lr=0.1_seed=2,lr=0.1,0.1,2,finished," + acc + ","), csv.get(4));
    List<String> summary = Files.readAllLines(par.resolve("summary.csv"));
    assertEquals(3, summary.size());
    Map<String, Object> json = Json.parseObject(Files.readString(par.resolve("sweep.json")));
    assertEquals(List.of("sweep", "runs", "summary"), List.copyOf(json.keySet()));
    assertEquals(4, ((List<?>) json.get("runs")).size());
    BufferedImage png = ImageIO.read(par.resolve("sweep.png").toFile());
    assertTrue(png.getWidth() > 400 && png.getHeight() > 300);
  }

  @Test
  void sparkInLocalTwoGivesTheSameRunsAsTheLocalEngine() throws Exception {
    Path f = file("tiny.json", TINY);
    Path local = tmp.resolve("local");
    assertEquals(0, Cli.run("sweep", f.toString(), "--parallel", "2", "--out", local.toString()).code());
    Path spark = tmp.resolve("spark");
    Cli.Result r = Cli.run("sweep", f.toString(), "--engine", "spark", "--master", "local[2]", "--out", spark.toString());
    assertEquals(0, r.code(), r.all());
    assertTrue(r.out().contains("engine spark: master local[2,2], one task per run"), r.out());
    assertTrue(r.out().contains("started on executor driver"), r.out());
    for (String name : RUNS) {
      assertArrayEquals(Files.readAllBytes(local.resolve("runs").resolve(name).resolve("model.safetensors")),
          Files.readAllBytes(spark.resolve("runs").resolve(name).resolve("model.safetensors")), name);
      assertEquals(epochsWithoutTime(local.resolve("runs").resolve(name)), epochsWithoutTime(spark.resolve("runs").resolve(name)));
    }
    Map<String, Object> json = Json.parseObject(Files.readString(spark.resolve("sweep.json")));
    assertEquals("spark", ((Map<?, ?>) json.get("sweep")).get("engine"));
  }

  @Test
  void aSweepKilledWithItsProcessContinuesWhereItStopped() throws Exception {
    // One run at a time: epochs=1 finishes, then epochs=3 is killed (a real halt of the JVM) after its epoch 2.
    Path f = file("kill.json", """
        {"base": {"dataset": "synthetic", "hidden": [8], "batch": 32}, "axes": {"epochs": [1, 3]}}""");
    Path out = tmp.resolve("killed");
    Cli.Result k = Cli.runChild(tmp, List.of("-Dfwdlearn.test.haltAfterEpoch=2"), "sweep", f.toString(), "--parallel",
        "1", "--out", out.toString());
    assertEquals(137, k.code(), k.all());
    assertTrue(k.out().contains("[1/2 done] run 1/2 epochs=1_seed=42: finished"), k.out());
    assertFalse(Files.exists(out.resolve("sweep.csv")));

    Cli.Result r = Cli.run("sweep", f.toString(), "--parallel", "1", "--out", out.toString());
    assertEquals(0, r.code(), r.all());
    assertTrue(r.out().contains("run 1/2 epochs=1_seed=42: finished earlier"), r.out());
    assertTrue(r.out().contains("1 run trained in this session, 1 finished before, 0 failed"), r.out());
    String log = Files.readString(out.resolve("logs/epochs=3_seed=42.log"));
    assertTrue(log.contains("resuming after epoch 2"), log);
    // The first run was trained once; the second ends where an uninterrupted train run ends.
    assertEquals(1, Files.readAllLines(out.resolve("logs/epochs=1_seed=42.log")).stream()
        .filter(l -> l.matches("=== \\d{4}-.*attempt.*")).count());
    Path whole = tmp.resolve("whole");
    assertEquals(0, Cli.run("train", "--dataset", "synthetic", "--hidden", "8", "--batch", "32", "--epochs", "3",
        "--threads", "1", "--out", whole.toString()).code());
    Path run = out.resolve("runs/epochs=3_seed=42");
    assertArrayEquals(Files.readAllBytes(whole.resolve("model.safetensors")), Files.readAllBytes(run.resolve("model.safetensors")));
    assertEquals(epochsWithoutTime(whole), epochsWithoutTime(run));
    assertEquals(3, Files.readAllLines(out.resolve("sweep.csv")).size());
  }

  @Test
  void aRunThatFailsIsReportedAndTheOthersFinish() throws Exception {
    Path f = file("fail.json", """
        {"base": {"dataset": "synthetic", "hidden": [8], "epochs": 2, "batch": 32}, "axes": {"lr": [0.05, 1e30]}}""");
    Path out = tmp.resolve("fail");
    Cli.Result r = Cli.run("sweep", f.toString(), "--retries", "0", "--parallel", "2", "--out", out.toString());
    assertEquals(Main.FAILURE, r.code(), r.all());
    assertTrue(r.out().contains("run 2/2 lr=1e30_seed=42: FAILED: training diverged"), r.out());
    assertTrue(r.out().contains("run 1/2 lr=0.05_seed=42: finished"), r.out());
    assertTrue(r.out().contains("failed: lr=1e30_seed=42 (logs in "), r.out());
    List<String> csv = Files.readAllLines(out.resolve("sweep.csv"));
    assertTrue(csv.get(1).contains(",finished,") && csv.get(2).contains(",failed,"), String.join("\n", csv));
    assertTrue(csv.get(2).contains("training diverged"), csv.get(2));
    assertTrue(Files.exists(out.resolve("sweep.png")));
  }

  @Test
  void badSweepFilesNameTheFileTheKeyAndTheValue() throws Exception {
    record Case(String json, String message) {}
    List<Case> cases = List.of(
        new Case("{\"base\": {\"dataset\": \"synthetic\", \"colour\": 1}}",
            "every run: settings: unknown key 'colour'; allowed keys: rule, "),
        new Case("{\"base\": {\"dataset\": \"synthetic\"}, \"axes\": {\"lr\": [0.1, \"fast\"]}}",
            "run lr=fast_seed=42: settings: \"lr\" is a string (\"fast\"), expected a number"),
        new Case("{\"base\": {\"dataset\": \"synthetic\"}, \"axes\": {\"momentum\": [0.5, 1.5]}}",
            "run momentum=1.5_seed=42: invalid settings: momentum"),
        new Case("{\"base\": {\"dataset\": \"synthetic\"}, \"axes\": {\"lr\": 0.1}}",
            "\"axes\": \"lr\" is a number (0.1); an axis is a list of values"),
        new Case("{\"base\": {\"dataset\": \"synthetic\"}, \"axes\": {\"lr\": [0.1}}", ""));
    for (Case c : cases) {
      Path f = file("bad.json", c.json());
      Cli.Result r = Cli.run("sweep", f.toString(), "--out", tmp.resolve("bad").toString());
      assertEquals(Main.USAGE, r.code(), r.all());
      assertTrue(r.err().startsWith("fwdlearn sweep: " + f + ": " + c.message()), r.err());
      assertFalse(Files.exists(tmp.resolve("bad")), "nothing is written for a bad sweep file");
    }
    Cli.Result missing = Cli.run("sweep", tmp.resolve("none.json").toString());
    assertEquals(Main.USAGE, missing.code());
    assertTrue(missing.err().contains(tmp.resolve("none.json") + ": no such file"), missing.err());
    Cli.Result engine = Cli.run("sweep", file("ok.json", TINY).toString(), "--master", "local[2]");
    assertEquals(Main.USAGE, engine.code());
    assertTrue(engine.err().contains("--master is a setting of the spark engine; add --engine spark"), engine.err());
    Cli.Result parallel = Cli.run("sweep", tmp.resolve("ok.json").toString(), "--parallel", "1000");
    assertEquals(Main.USAGE, parallel.code());
    assertTrue(parallel.err().contains("--parallel: 1000 runs at once on "), parallel.err());
  }

  @Test
  void aDryRunListsTheRunsAndTrainsNothing() throws Exception {
    Path out = tmp.resolve("dry");
    Cli.Result r = Cli.run("sweep", file("tiny.json", TINY).toString(), "--dry-run", "--out", out.toString());
    assertEquals(0, r.code(), r.all());
    assertTrue(r.out().startsWith("sweep tiny: 4 runs (2 configurations x 2 seeds), settings checked"), r.out());
    for (int i = 0; i < 4; i++) {
      assertTrue(r.out().contains("  " + (i + 1) + " " + RUNS.get(i) + "\n"), r.out());
    }
    assertFalse(Files.exists(out));
  }

  @Test
  void theLauncherAndTheTestJvmHaveTheJvmOptionsOfSparksLauncher() throws Exception {
    // This JVM has them through the root pom's spark.jvm.options (else Spark could not start here on JDK 25).
    assertEquals(List.of(), SparkEngine.missingJvmOptions());
    // ./fwdlearn passes every one of Spark's options to 'fwdlearn sweep', but for the packages this JDK lacks and
    // the one that would hide typos in FWDLEARN_JAVA_OPTS.
    String launcher = Files.readString(Path.of("..", "fwdlearn"));
    for (String opt : JavaModuleOptions.defaultModuleOptionArray()) {
      if (opt.equals("-XX:+IgnoreUnrecognizedVMOptions")) {
        continue;
      }
      if (opt.startsWith("--add-opens=")) {
        String[] target = opt.substring("--add-opens=".length()).split("=", 2)[0].split("/", 2);
        if (ModuleLayer.boot().findModule(target[0]).map(m -> !m.getPackages().contains(target[1])).orElse(true)) {
          continue;
        }
      }
      assertTrue(launcher.contains(opt), "./fwdlearn lacks " + opt);
    }
  }
}

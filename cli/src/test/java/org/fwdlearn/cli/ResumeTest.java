package org.fwdlearn.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.fwdlearn.io.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The checkpoint property: a run killed after an epoch (or in the middle of one) and resumed ends bit for bit
 * where an uninterrupted run ends. The kill is a real one: a child JVM halts itself (as on SIGKILL, no shutdown
 * hooks, no flushing) at the point a test system property names.
 */
class ResumeTest {
  @TempDir Path tmp;

  private static String[] run(Path out) {
    return TrainCommandTest.shortRun(out, "--epochs", "3", "--hidden", "8,6", "--weight-decay", "1e-4");
  }

  /** The epochs of a run's metrics.json without their wall times (the part that must match bit for bit). */
  @SuppressWarnings("unchecked")
  static List<Map<String, Object>> epochsWithoutTime(Path dir) throws Exception {
    Map<String, Object> m = Json.parseObject(Files.readString(dir.resolve("metrics.json")));
    List<Map<String, Object>> l = new ArrayList<>();
    for (Object o : (List<Object>) m.get("epochs")) {
      Map<String, Object> e = (Map<String, Object>) o;
      e.remove("seconds");
      l.add(e);
    }
    return l;
  }

  @Test
  void killedAfterEpochOneThenResumedEqualsAnUninterruptedRun() throws Exception {
    Path whole = tmp.resolve("whole");
    assertEquals(0, Cli.run(run(whole)).code());

    Path killed = tmp.resolve("killed");
    Cli.Result k = Cli.runChild(tmp, List.of("-Dfwdlearn.test.haltAfterEpoch=1"), run(killed));
    assertEquals(137, k.code(), k.all());
    assertEquals(1, epochsWithoutTime(killed).size());
    assertFalse(Files.readString(killed.resolve("metrics.json")).contains("\"final\""));
    assertFalse(Files.exists(killed.resolve("curves.png")));

    Cli.Result resumed = Cli.run("train", "--resume", killed.toString());
    assertEquals(0, resumed.code(), resumed.all());
    assertTrue(resumed.out().contains("resuming after epoch 1"), resumed.out());
    assertEquals(2, resumed.out().lines().filter(l -> l.startsWith("epoch ")).count(), resumed.out());

    assertArrayEquals(Files.readAllBytes(whole.resolve("model.safetensors")), Files.readAllBytes(killed.resolve("model.safetensors")));
    assertEquals(epochsWithoutTime(whole), epochsWithoutTime(killed));
    assertEquals(Files.readString(whole.resolve("model.json")), Files.readString(killed.resolve("model.json")));
  }

  @Test
  void aCrashInTheMiddleOfAnEpochLeavesThePreviousCheckpoint() throws Exception {
    Path afterOne = tmp.resolve("after-one");
    assertEquals(137, Cli.runChild(tmp, List.of("-Dfwdlearn.test.haltAfterEpoch=1"), run(afterOne)).code());

    Path crashed = tmp.resolve("crashed");
    Cli.Result c = Cli.runChild(tmp, List.of("-Dfwdlearn.test.haltAtBatch=2:5"), run(crashed));
    assertEquals(137, c.code(), c.all());
    // The state on disk is the one after epoch 1, intact: same model, one epoch of metrics, no temporary files.
    assertArrayEquals(Files.readAllBytes(afterOne.resolve("model.safetensors")), Files.readAllBytes(crashed.resolve("model.safetensors")));
    assertEquals(epochsWithoutTime(afterOne), epochsWithoutTime(crashed));
    try (var files = Files.list(crashed)) {
      assertTrue(files.noneMatch(p -> p.getFileName().toString().endsWith(".tmp")));
    }

    Path whole = tmp.resolve("whole");
    assertEquals(0, Cli.run(run(whole)).code());
    assertEquals(0, Cli.run("train", "--resume", crashed.toString()).code());
    assertArrayEquals(Files.readAllBytes(whole.resolve("model.safetensors")), Files.readAllBytes(crashed.resolve("model.safetensors")));
    assertEquals(epochsWithoutTime(whole), epochsWithoutTime(crashed));
  }

  @Test
  void resumingAFinishedRunOnlyRewritesTheReport() throws Exception {
    Path dir = tmp.resolve("done");
    assertEquals(0, Cli.run(TrainCommandTest.shortRun(dir, "--epochs", "1")).code());
    byte[] model = Files.readAllBytes(dir.resolve("model.safetensors"));
    Cli.Result r = Cli.run("train", "--resume", dir.toString());
    assertEquals(0, r.code(), r.all());
    assertTrue(r.out().contains("already has its 1 epochs"), r.out());
    assertArrayEquals(model, Files.readAllBytes(dir.resolve("model.safetensors")));
    // --epochs may grow on a resume: one more epoch is trained.
    Cli.Result more = Cli.run("train", "--resume", dir.toString(), "--epochs", "2");
    assertEquals(0, more.code(), more.all());
    assertEquals(2, epochsWithoutTime(dir).size());
  }
}

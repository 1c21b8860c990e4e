package org.fwdlearn.sweep;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Spark engine in {@code local[2]} inside the test JVM: the runs end bit for bit where sequential runs on this
 * machine end, a task that fails once is retried by Spark and resumes from the run's checkpoint, a run that fails on
 * every attempt is reported while the others finish; and the master and attempt settings.
 */
class SparkEngineTest {
  @TempDir Path tmp;

  @Test
  void theSurefireJvmHasTheOptionsSparkNeeds() {
    // The sweep module's surefire argLine carries ${spark.jvm.options}; without them Spark cannot start on JDK 25.
    assertEquals(List.of(), SparkEngine.missingJvmOptions());
  }

  @Test
  void localTwoGivesTheSameRunsAsSequentialRetriesFromCheckpointsAndReportsFailures() throws Exception {
    // 8 runs: lr 0.05 trains, lr 1e30 diverges in its first epoch; fail-once-after-epoch 1 makes a run's first attempt
    // fail after epoch 1's checkpoint (0: never).
    String json = """
        {"base": {"epochs": 3}, "axes": {"lr": [0.05, 1e30], "fail-once-after-epoch": [0, 1]}, "seeds": 2}""";
    Sweep.Report seq = LocalEngineTest.run(json, tmp.resolve("seq"), new LocalEngine(1, 1, 1), new Recorder());

    SparkEngine spark = new SparkEngine("local[2]", 1, Map.of());
    assertEquals("local[2,2]", spark.master());
    Recorder rec = new Recorder();
    Path out = tmp.resolve("spark");
    Sweep.Report r = LocalEngineTest.run(json, out, spark, rec);
    assertEquals("spark", r.engine());

    Map<String, byte[]> a = Recorder.models(tmp.resolve("seq"), seq.runs());
    Map<String, byte[]> b = Recorder.models(out, r.runs());
    assertEquals(4, a.size());
    assertEquals(a.keySet(), b.keySet());
    for (String name : a.keySet()) {
      assertArrayEquals(a.get(name), b.get(name), name);
    }
    for (int i = 0; i < 8; i++) {
      RunOutcome s = seq.outcomes().get(i);
      RunOutcome o = r.outcomes().get(i);
      assertEquals(i, o.index());
      assertEquals(s.status(), o.status(), o.toString());
      assertEquals(s.result(), o.result() == null ? null : new RunResult(o.result().testAccuracy(),
          o.result().bestTestAccuracy(), o.result().bestEpoch(), o.result().epochs(), s.result().trainSeconds()));
      assertEquals(2, o.attempts() + (o.name().contains("fail-once-after-epoch=0") && o.name().startsWith("lr=0.05") ? 1 : 0),
          o.toString());
    }
    // The retried runs resumed after epoch 1 and end where the runs that never failed end.
    for (long seed = 1; seed <= 2; seed++) {
      RunOutcome once = r.outcomes().get((int) (1 + seed));
      assertEquals("lr=0.05_fail-once-after-epoch=1_seed=" + seed, once.name());
      assertEquals(1, once.resumedAfterEpoch());
      assertArrayEquals(b.get("lr=0.05_fail-once-after-epoch=0_seed=" + seed), b.get(once.name()));
    }
    // The diverging runs failed on both attempts with the trainer's message.
    for (int i = 4; i < 8; i++) {
      assertEquals(RunOutcome.Status.FAILED, r.outcomes().get(i).status());
      assertTrue(r.outcomes().get(i).error().contains("diverged"), r.outcomes().get(i).error());
    }
    // Spark's task events: 2 runs with one attempt and 6 with two started; the 6 failed first attempts were retried
    // (a last attempt returns its failure instead of failing the task); 8 runs ended.
    assertEquals(14, rec.count("started "));
    assertEquals(6, rec.count("failed "));
    assertEquals(6, rec.events.stream().filter(e -> e.startsWith("failed ") && e.endsWith(" 1 retry")).count());
    assertEquals(8, rec.count("ended "));
    assertEquals(List.of(1, 2, 3, 4, 5, 6, 7, 8), rec.doneCounts);
    assertEquals(9, Files.readAllLines(out.resolve("sweep.csv")).size());
  }

  @Test
  void theMasterGetsTheAttemptCount() {
    assertEquals("local[1,3]", new SparkEngine("local", 2, Map.of()).master());
    assertEquals("local[*,1]", new SparkEngine("local[*]", 0, Map.of()).master());
    SparkEngine given = new SparkEngine("local[4, 5]", 1, Map.of());
    assertEquals("local[4, 5]", given.master());
    assertEquals(5, given.maxAttempts());
    SparkEngine cluster = new SparkEngine("spark://head:7077", 1, Map.of());
    assertEquals("spark://head:7077", cluster.master());
    assertEquals(2, cluster.maxAttempts());
    SparkEngine configured = new SparkEngine("spark://head:7077", 1, Map.of("spark.task.maxFailures", "4",
        "spark.task.cpus", "3"));
    assertEquals(4, configured.maxAttempts());
    assertEquals(3, configured.threadsPerRun());
    assertTrue(configured.describe().contains("3 threads each"), configured.describe());
  }
}

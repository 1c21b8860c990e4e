package org.fwdlearn.sweep;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.fwdlearn.io.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The local engine on real (tiny) training runs: parallel runs give the same models bit for bit as sequential ones;
 * the thread budget; a failing run is retried from its checkpoint, then reported, and the others finish; an
 * interrupted sweep resumes without repeating finished runs; a restart with changed settings is refused.
 */
class LocalEngineTest {
  @TempDir Path tmp;

  /** Two learning rates, two architectures, two seeds: 8 runs of 3 epochs. */
  static final String TINY = """
      {"name": "tiny", "base": {"epochs": 3}, "axes": {"lr": [0.05, 0.1], "hidden": [[8], [6, 4]]}, "seeds": 2}""";

  static SweepSpec spec(String json) {
    return SweepSpec.parse(json, "tiny.json", "tiny");
  }

  static Sweep.Report run(String json, Path out, SweepEngine engine, Recorder rec) throws Exception {
    return Sweep.run(spec(json), out, engine, new TinyTask(), rec);
  }

  @Test
  void twoRunsAtOnceGiveTheSameModelsBitForBitAsOneAtATime() throws Exception {
    Sweep.Report seq = run(TINY, tmp.resolve("seq"), new LocalEngine(1, 0, 1), new Recorder());
    Recorder rec = new Recorder();
    Sweep.Report par = run(TINY, tmp.resolve("par"), new LocalEngine(2, 0, 2), rec);
    Sweep.Report wide = run(TINY, tmp.resolve("wide"), new LocalEngine(1, 0, 2), new Recorder());

    assertEquals(8, seq.runs().size());
    Map<String, byte[]> a = Recorder.models(tmp.resolve("seq"), seq.runs());
    assertEquals(8, a.size());
    for (var other : List.of(Recorder.models(tmp.resolve("par"), par.runs()), Recorder.models(tmp.resolve("wide"), wide.runs()))) {
      assertEquals(a.keySet(), other.keySet());
      for (String name : a.keySet()) {
        assertArrayEquals(a.get(name), other.get(name), name);
      }
    }
    for (int i = 0; i < 8; i++) {
      assertEquals(RunOutcome.Status.FINISHED, par.outcomes().get(i).status());
      assertEquals(seq.outcomes().get(i).result().testAccuracy(), par.outcomes().get(i).result().testAccuracy());
      assertEquals(seq.outcomes().get(i).result().bestTestAccuracy(), wide.outcomes().get(i).result().bestTestAccuracy());
      assertEquals(1, par.outcomes().get(i).attempts());
    }
    // The seeds differ: two runs of one configuration end with different models.
    assertTrue(!java.util.Arrays.equals(a.get("lr=0.05_hidden=8_seed=1"), a.get("lr=0.05_hidden=8_seed=2")));
    // Progress: every run started once and ended once, the count of ended runs going 1..8.
    assertEquals(8, rec.count("started "));
    assertEquals(8, rec.count("ended "));
    assertEquals(List.of(1, 2, 3, 4, 5, 6, 7, 8), rec.doneCounts);
  }

  @Test
  void theThreadsOfTheRunsNeverExceedTheCores() throws Exception {
    assertEquals(1, new LocalEngine(2, 0, 2).threadsPerRun());
    assertEquals(2, new LocalEngine(1, 0, 2).threadsPerRun());
    assertEquals(2, new LocalEngine(3, 0, 8).threadsPerRun());
    assertEquals(1, new LocalEngine(5, 0, 5).threadsPerRun());
    for (int cores = 1; cores <= 16; cores++) {
      for (int p = 1; p <= cores; p++) {
        LocalEngine e = new LocalEngine(p, 0, cores);
        assertTrue(e.threadsPerRun() >= 1 && e.parallel() * e.threadsPerRun() <= cores, p + " on " + cores);
      }
    }
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new LocalEngine(3, 0, 2));
    assertEquals("--parallel: 3 runs at once on 2 cores; allowed: 1 to 2 (each run needs a core of its own)", e.getMessage());

    // The runs get that many threads, and no more than `parallel` train at once.
    AtomicInteger running = new AtomicInteger();
    AtomicInteger most = new AtomicInteger();
    AtomicInteger threads = new AtomicInteger(-1);
    RunTask counting = new CountingTask(running, most, threads);
    Sweep.run(spec(TINY), tmp.resolve("count"), new LocalEngine(2, 0, 4), counting, new Recorder());
    assertTrue(most.get() >= 1 && most.get() <= 2, "at most 2 runs at once, saw " + most.get());
    assertEquals(2, threads.get());
  }

  /** TinyTask, counting the runs in training at once and recording the thread count it is given. */
  private static final class CountingTask implements RunTask {
    private static final long serialVersionUID = 1L;
    private final transient AtomicInteger running;
    private final transient AtomicInteger most;
    private final transient AtomicInteger threads;
    private final TinyTask inner = new TinyTask();

    CountingTask(AtomicInteger running, AtomicInteger most, AtomicInteger threads) {
      this.running = running;
      this.most = most;
      this.threads = threads;
    }

    @Override
    public void check(SweepRun run) {
      inner.check(run);
    }

    @Override
    public RunState state(Path dir) throws java.io.IOException {
      return inner.state(dir);
    }

    @Override
    public RunResult result(Path dir) throws java.io.IOException {
      return inner.result(dir);
    }

    @Override
    public void train(SweepRun run, Path dir, int t, boolean resume, PrintWriter log) throws Exception {
      most.accumulateAndGet(running.incrementAndGet(), Math::max);
      threads.set(t);
      try {
        inner.train(run, dir, t, resume, log);
      } finally {
        running.decrementAndGet();
      }
    }
  }

  @Test
  void aRunThatFailsIsRetriedThenReportedAndTheOthersFinish() throws Exception {
    // lr 1e30 diverges in its first epoch; one retry (a new start: no checkpoint was written) diverges again.
    String json = "{\"base\": {\"epochs\": 2}, \"axes\": {\"lr\": [0.05, 1e30, 0.1]}}";
    Recorder rec = new Recorder();
    Path out = tmp.resolve("fail");
    Sweep.Report r = run(json, out, new LocalEngine(2, 1, 2), rec);
    assertEquals(List.of(RunOutcome.Status.FINISHED, RunOutcome.Status.FAILED, RunOutcome.Status.FINISHED),
        r.outcomes().stream().map(RunOutcome::status).toList());
    RunOutcome bad = r.outcomes().get(1);
    assertTrue(bad.error().contains("diverged"), bad.error());
    assertNull(bad.result());
    assertEquals(2, bad.attempts());
    assertEquals(List.of("failed lr=1e30_seed=42 1 retry", "failed lr=1e30_seed=42 2 final"),
        rec.events.stream().filter(e -> e.startsWith("failed ")).toList());
    assertEquals(2, Recorder.attemptHeaders(out, "lr=1e30_seed=42").size());
    assertTrue(Files.readString(out.resolve("logs/lr=1e30_seed=42.log")).contains("diverged"));

    // The reports: one row per run, the failure with its message; its configuration has no mean.
    List<String> csv = Files.readAllLines(out.resolve("sweep.csv"));
    assertEquals(4, csv.size(), String.join("\n", csv));
    assertTrue(csv.get(2).contains(",failed,") && csv.get(2).contains("diverged"), csv.get(2));
    Map<String, Object> json2 = Json.parseObject(Files.readString(out.resolve("sweep.json")));
    assertEquals(1L, ((Map<?, ?>) json2.get("sweep")).get("failed"));
    List<String> summary = Files.readAllLines(out.resolve("summary.csv"));
    assertTrue(summary.get(2).startsWith("lr=1e30,1.0e30,1,0,1,,"), summary.get(2));

    // A failed run is tried again when the sweep is restarted; the finished ones are skipped.
    Recorder again = new Recorder();
    Sweep.Report r2 = run(json, out, new LocalEngine(2, 0, 2), again);
    assertEquals(List.of("skipped lr=0.05_seed=42", "skipped lr=0.1_seed=42"),
        again.events.stream().filter(e -> e.startsWith("skipped ")).toList());
    assertEquals(3, r2.outcomes().get(1).attempts());
    assertEquals(RunOutcome.Status.SKIPPED, r2.outcomes().get(0).status());
    assertEquals(r.outcomes().get(0).result(), r2.outcomes().get(0).result());
  }

  @Test
  void aFailedAttemptIsRetriedFromItsCheckpointAndEndsWhereAnUninterruptedRunEnds() throws Exception {
    // The runs with fail-once-after-epoch 1 fail after epoch 1 on their first attempt.
    String json = "{\"base\": {\"epochs\": 3}, \"axes\": {\"fail-once-after-epoch\": [0, 1]}, \"seeds\": 2}";
    Path out = tmp.resolve("retry");
    Recorder rec = new Recorder();
    Sweep.Report r = run(json, out, new LocalEngine(2, 1, 2), rec);
    for (RunOutcome o : r.outcomes()) {
      assertEquals(RunOutcome.Status.FINISHED, o.status(), o.toString());
      boolean planned = o.name().startsWith("fail-once-after-epoch=1");
      assertEquals(planned ? 2 : 1, o.attempts(), o.name());
      assertEquals(planned ? 1 : 0, o.resumedAfterEpoch(), o.name());
    }
    Map<String, byte[]> m = Recorder.models(out, r.runs());
    for (long seed = 1; seed <= 2; seed++) {
      assertArrayEquals(m.get("fail-once-after-epoch=0_seed=" + seed), m.get("fail-once-after-epoch=1_seed=" + seed));
      assertEquals(r.outcomes().get((int) seed - 1).result().testAccuracy(), r.outcomes().get((int) seed + 1).result().testAccuracy());
    }
    List<String> headers = Recorder.attemptHeaders(out, "fail-once-after-epoch=1_seed=1");
    assertEquals(2, headers.size());
    assertTrue(headers.get(0).endsWith("new run") && headers.get(1).endsWith("resuming after epoch 1"), headers.toString());
  }

  @Test
  void anInterruptedSweepResumesWithoutRepeatingFinishedRuns() throws Exception {
    String base = "{\"base\": {\"epochs\": 3%s}, \"axes\": {\"lr\": [0.05, 0.1]}, \"seeds\": 2}";
    Sweep.Report whole = run(String.format(base, ""), tmp.resolve("whole"), new LocalEngine(1, 0, 1), new Recorder());

    // The third run (lr 0.1, seed 1) dies with the sweep after its second epoch; one run at a time, so the first two
    // are finished and the last has not started.
    String killing = String.format(base, ", \"kill-run\": \"lr=0.1_seed=1\", \"kill-after-epoch\": 2");
    Path out = tmp.resolve("killed");
    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> run(killing, out, new LocalEngine(1, 0, 1), new Recorder()));
    assertTrue(e.getCause() instanceof TinyTask.Kill, String.valueOf(e.getCause()));
    assertEquals("running", SweepDirectory.at(out).readState(whole.runs().get(2)).get("status"));
    assertTrue(!Files.exists(out.resolve("runs/lr=0.1_seed=2")));

    Recorder rec = new Recorder();
    Sweep.Report r = run(killing, out, new LocalEngine(1, 0, 1), rec);
    assertEquals(List.of("skipped lr=0.05_seed=1", "skipped lr=0.05_seed=2", "started lr=0.1_seed=1 1",
        "ended lr=0.1_seed=1 finished", "started lr=0.1_seed=2 1", "ended lr=0.1_seed=2 finished"), rec.events);
    assertEquals(List.of(RunOutcome.Status.SKIPPED, RunOutcome.Status.SKIPPED, RunOutcome.Status.FINISHED,
        RunOutcome.Status.FINISHED), r.outcomes().stream().map(RunOutcome::status).toList());
    assertEquals(2, r.outcomes().get(2).resumedAfterEpoch());
    assertEquals(2, r.outcomes().get(2).attempts());
    // The finished runs were trained once: one attempt in their logs.
    for (String name : List.of("lr=0.05_seed=1", "lr=0.05_seed=2", "lr=0.1_seed=2")) {
      assertEquals(1, Recorder.attemptHeaders(out, name).size(), name);
    }
    assertTrue(Recorder.attemptHeaders(out, "lr=0.1_seed=1").get(1).endsWith("resuming after epoch 2"));
    // Every run ends where the uninterrupted sweep's does, bit for bit; the report has one row per run.
    Map<String, byte[]> a = Recorder.models(tmp.resolve("whole"), whole.runs());
    Map<String, byte[]> b = Recorder.models(out, r.runs());
    for (String name : a.keySet()) {
      assertArrayEquals(a.get(name), b.get(name), name);
    }
    for (int i = 0; i < 4; i++) {
      assertEquals(whole.outcomes().get(i).result().testAccuracy(), r.outcomes().get(i).result().testAccuracy());
    }
    assertEquals(5, Files.readAllLines(out.resolve("sweep.csv")).size());

    // A third session has nothing left to do.
    Recorder third = new Recorder();
    run(killing, out, new LocalEngine(1, 0, 1), third);
    assertEquals(4, third.count("skipped "));
    assertEquals(4, third.events.size());
  }

  @Test
  void aRestartWithOtherSettingsForTheSameRunsIsRefused() throws Exception {
    Path out = tmp.resolve("changed");
    run("{\"base\": {\"epochs\": 1}, \"axes\": {\"lr\": [0.05]}}", out, new LocalEngine(1, 0, 1), new Recorder());
    SweepFormatException e = assertThrows(SweepFormatException.class,
        () -> run("{\"base\": {\"epochs\": 2}, \"axes\": {\"lr\": [0.05]}}", out, new LocalEngine(1, 0, 1), new Recorder()));
    assertEquals("tiny.json: run lr=0.05_seed=42 in " + out + " was started with other settings (\"epochs\" 1 then, 2 now);"
        + " restore the sweep file or choose another --out", e.getMessage());
  }

  @Test
  void invalidSettingsAreReportedBeforeAnythingRuns() {
    Path out = tmp.resolve("invalid");
    SweepFormatException e = assertThrows(SweepFormatException.class,
        () -> run("{\"base\": {\"colour\": 1}, \"axes\": {\"lr\": [0.05, -1]}}", out, new LocalEngine(1, 0, 1), new Recorder()));
    assertTrue(e.getMessage().startsWith("tiny.json: every run: unknown setting \"colour\""), e.getMessage());
    e = assertThrows(SweepFormatException.class,
        () -> run("{\"axes\": {\"lr\": [0.05, -1]}}", out, new LocalEngine(1, 0, 1), new Recorder()));
    assertTrue(e.getMessage().startsWith("tiny.json: run lr=-1_seed=42: "), e.getMessage());
    assertTrue(!Files.exists(out), "nothing is written for a sweep that cannot run");
  }

  @Test
  void twoSweepsCannotShareAnOutputDirectory() throws Exception {
    Path out = tmp.resolve("locked");
    try (SweepDirectory d = SweepDirectory.open(out)) {
      IllegalStateException e = assertThrows(IllegalStateException.class,
          () -> run(TINY, out, new LocalEngine(1, 0, 1), new Recorder()));
      assertTrue(e.getMessage().startsWith("another sweep is running in " + out), e.getMessage());
    }
  }
}

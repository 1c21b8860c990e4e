package org.fwdlearn.sweep;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Records a sweep's events, and reads what its runs left behind. */
final class Recorder implements SweepListener {
  final List<String> events = new ArrayList<>();
  final List<Integer> doneCounts = new ArrayList<>();

  @Override
  public synchronized void runSkipped(RunOutcome o, int total) {
    events.add("skipped " + o.name());
  }

  @Override
  public synchronized void runStarted(SweepRun run, int total, int attempt, String where) {
    events.add("started " + run.name() + " " + attempt);
  }

  @Override
  public synchronized void attemptFailed(SweepRun run, int total, int attempt, String error, boolean retry) {
    events.add("failed " + run.name() + " " + attempt + (retry ? " retry" : " final"));
  }

  @Override
  public synchronized void runEnded(RunOutcome o, int done, int total) {
    events.add("ended " + o.name() + " " + o.status().word());
    doneCounts.add(done);
  }

  synchronized long count(String prefix) {
    return events.stream().filter(e -> e.startsWith(prefix)).count();
  }

  /** The model.safetensors bytes of every run that has one, by run name. */
  static Map<String, byte[]> models(Path out, List<SweepRun> runs) throws IOException {
    Map<String, byte[]> m = new LinkedHashMap<>();
    for (SweepRun r : runs) {
      Path f = out.resolve("runs").resolve(r.name()).resolve("model.safetensors");
      if (Files.exists(f)) {
        m.put(r.name(), Files.readAllBytes(f));
      }
    }
    return m;
  }

  /** The attempt headers of a run's log. */
  static List<String> attemptHeaders(Path out, String run) throws IOException {
    return Files.readAllLines(out.resolve("logs").resolve(run + ".log")).stream().filter(l -> l.matches("=== \\d{4}-.*"))
        .toList();
  }
}

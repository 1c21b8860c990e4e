package org.fwdlearn.sweep;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Map;
import org.fwdlearn.io.AtomicFiles;
import org.fwdlearn.io.Json;

/**
 * The output directory of a sweep:
 *
 * <pre>
 * OUT/runs/NAME/        each run's directory (a normal training run)
 * OUT/logs/NAME.log     each run's console output, every attempt appended
 * OUT/state/NAME.json   each run's settings and how its last attempt ended (status, error, attempts, wall time,
 *                       result), written by whichever process ran it
 * OUT/sweep-file.json   the sweep file of the latest session
 * OUT/sweep.csv, sweep.json, summary.csv, sweep.png   the reports
 * </pre>
 *
 * <p>The directory must be one that the driver and every executor see (a shared file system on a cluster): a
 * retried or restarted run continues from its checkpoint there. The driver holds {@code OUT/.lock} while a sweep
 * runs, so that two sweeps never train into the same directory at once.
 */
public final class SweepDirectory implements AutoCloseable {
  private final Path root;
  private final FileChannel lockChannel;
  private final FileLock lock;

  private SweepDirectory(Path root, FileChannel lockChannel, FileLock lock) {
    this.root = root;
    this.lockChannel = lockChannel;
    this.lock = lock;
  }

  /** The directory as an executor sees it (no lock). */
  public static SweepDirectory at(Path root) {
    return new SweepDirectory(root, null, null);
  }

  /**
   * Creates the directory if needed and takes its lock.
   *
   * @throws IllegalStateException if another sweep holds the lock
   */
  public static SweepDirectory open(Path root) throws IOException {
    if (Files.exists(root) && !Files.isDirectory(root)) {
      throw new IllegalArgumentException("--out: " + root + " exists and is not a directory");
    }
    Files.createDirectories(root.resolve("runs"));
    Files.createDirectories(root.resolve("logs"));
    Files.createDirectories(root.resolve("state"));
    FileChannel ch = FileChannel.open(root.resolve(".lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
    FileLock l;
    try {
      l = ch.tryLock();
    } catch (OverlappingFileLockException e) {
      l = null;
    }
    if (l == null) {
      ch.close();
      throw new IllegalStateException("another sweep is running in " + root + " (it holds " + root.resolve(".lock")
          + "); wait for it to end or choose another --out");
    }
    return new SweepDirectory(root, ch, l);
  }

  public Path root() {
    return root;
  }

  /** A run's directory. */
  public Path runDir(SweepRun run) {
    return root.resolve("runs").resolve(run.name());
  }

  /** A run's log file. */
  public Path log(SweepRun run) {
    return root.resolve("logs").resolve(run.name() + ".log");
  }

  /** A run's state file. */
  public Path stateFile(SweepRun run) {
    return root.resolve("state").resolve(run.name() + ".json");
  }

  /** Opens a run's log for appending (UTF-8, flushed on every line). */
  PrintWriter openLog(SweepRun run) throws IOException {
    Files.createDirectories(log(run).getParent());
    return new PrintWriter(Files.newBufferedWriter(log(run), StandardCharsets.UTF_8, StandardOpenOption.CREATE,
        StandardOpenOption.APPEND), true);
  }

  /** A run's state file as a JSON object, or null if it has none. */
  public Map<String, Object> readState(SweepRun run) {
    Path f = stateFile(run);
    if (!Files.isRegularFile(f)) {
      return null;
    }
    try {
      return Json.parseObject(Files.readString(f));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + f + ": " + e.getMessage(), e);
    } catch (Json.JsonException e) {
      throw new IllegalStateException(f + " is not valid JSON (" + e.getMessage() + "); delete it to start the run"
          + " afresh", e);
    }
  }

  /** Writes a run's state file atomically. */
  void writeState(SweepRun run, String status, RunOutcome o) throws IOException {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("name", run.name());
    m.put("index", run.index());
    m.put("settings", run.settings());
    m.put("status", status);
    m.put("error", o == null ? null : o.error());
    m.put("attempts", o == null ? 0 : o.attempts());
    m.put("wall_seconds", o == null ? 0.0 : o.wallSeconds());
    m.put("resumed_after_epoch", o == null ? 0 : o.resumedAfterEpoch());
    m.put("host", o == null ? null : o.host());
    RunResult r = o == null ? null : o.result();
    m.put("result", r == null ? null : resultJson(r));
    Files.createDirectories(stateFile(run).getParent());
    AtomicFiles.writeString(stateFile(run), Json.write(m) + "\n");
  }

  static Map<String, Object> resultJson(RunResult r) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("test_accuracy", r.testAccuracy());
    m.put("best_test_accuracy", r.bestTestAccuracy());
    m.put("best_epoch", r.bestEpoch());
    m.put("epochs", r.epochs());
    m.put("train_seconds", r.trainSeconds());
    return m;
  }

  /** The attempts and wall time recorded for a run so far (0 and 0 without a state file). */
  static double[] recorded(Map<String, Object> state) {
    if (state == null) {
      return new double[] {0, 0};
    }
    double attempts = state.get("attempts") instanceof Number n ? n.doubleValue() : 0;
    double wall = state.get("wall_seconds") instanceof Number n ? n.doubleValue() : 0;
    return new double[] {attempts, wall};
  }

  /** Writes a text file of the sweep atomically. */
  public void writeString(String name, String text) throws IOException {
    AtomicFiles.writeString(root.resolve(name), text);
  }

  @Override
  public void close() throws IOException {
    if (lock != null) {
      lock.release();
      lockChannel.close();
    }
  }
}

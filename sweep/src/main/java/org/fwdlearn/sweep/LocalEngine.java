package org.fwdlearn.sweep;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs a sweep on this machine: a fixed pool of {@code parallel} runs at once, each with {@code floor(cores /
 * parallel)} kernel threads (at least one), so the threads of the runs together never exceed the cores. A run that
 * fails is tried again from its checkpoint up to {@code retries} times, then recorded as failed.
 */
public final class LocalEngine implements SweepEngine {
  private final int parallel;
  private final int threads;
  private final int cores;
  private final int retries;

  /**
   * @param parallel the runs at once (at most {@code cores}; more is an error)
   * @param retries further attempts of a failed run (0: none)
   * @param cores the processors the sweep may use
   */
  public LocalEngine(int parallel, int retries, int cores) {
    if (cores < 1) {
      throw new IllegalArgumentException("cores: " + cores + ", expected at least 1");
    }
    if (parallel < 1 || parallel > cores) {
      throw new IllegalArgumentException("--parallel: " + parallel + " runs at once on " + cores + " core"
          + (cores == 1 ? "" : "s") + "; allowed: 1 to " + cores + " (each run needs a core of its own)");
    }
    if (retries < 0) {
      throw new IllegalArgumentException("--retries: " + retries + ", expected 0 or more");
    }
    this.parallel = parallel;
    this.cores = cores;
    this.threads = Math.max(1, cores / parallel);
    this.retries = retries;
  }

  /** The processors of this machine. */
  public static int machineCores() {
    return Runtime.getRuntime().availableProcessors();
  }

  /** The runs trained at once. */
  public int parallel() {
    return parallel;
  }

  /** The kernel threads of each run. */
  public int threadsPerRun() {
    return threads;
  }

  @Override
  public String name() {
    return "local";
  }

  @Override
  public String describe() {
    return "local: " + parallel + " run" + (parallel == 1 ? "" : "s") + " at once, " + threads + " thread"
        + (threads == 1 ? "" : "s") + " each (" + cores + " core" + (cores == 1 ? "" : "s") + "), " + retries
        + " retr" + (retries == 1 ? "y" : "ies") + " of a failed run";
  }

  @Override
  public List<RunOutcome> run(List<SweepRun> runs, SweepDirectory dir, RunTask task, Events events)
      throws InterruptedException {
    AtomicInteger ids = new AtomicInteger();
    ThreadFactory tf = r -> {
      Thread t = new Thread(r, "fwdlearn-sweep-" + ids.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
    ExecutorService pool = Executors.newFixedThreadPool(parallel, tf);
    try {
      List<Future<RunOutcome>> futures = new ArrayList<>();
      // Set by the worker whose run escapes RunAttempt (an engine bug, or the JVM going down) before that worker
      // can take the next run from the queue: no run starts after the sweep has begun to fail.
      java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
      for (SweepRun run : runs) {
        futures.add(pool.submit(() -> {
          if (stop.get()) {
            throw new java.util.concurrent.CancellationException("the sweep stopped before run " + run.name());
          }
          try {
            return attempts(run, dir, task, events);
          } catch (RuntimeException | Error e) {
            stop.set(true);
            throw e;
          }
        }));
      }
      List<RunOutcome> outcomes = new ArrayList<>();
      for (Future<RunOutcome> f : futures) {
        try {
          outcomes.add(f.get());
        } catch (ExecutionException e) {
          // RunAttempt catches the failures of a run; what arrives here is a bug of the engine.
          throw new IllegalStateException("the local engine failed: " + e.getCause(), e.getCause());
        }
      }
      return outcomes;
    } finally {
      pool.shutdownNow();
    }
  }

  private RunOutcome attempts(SweepRun run, SweepDirectory dir, RunTask task, Events events) {
    for (int attempt = 1; ; attempt++) {
      events.started(run, attempt, RunAttempt.host());
      RunOutcome o = RunAttempt.run(run, dir, task, threads, "local");
      if (o.status() == RunOutcome.Status.FAILED) {
        boolean retry = attempt <= retries;
        events.attemptFailed(run, attempt, o.error(), retry);
        if (retry) {
          continue;
        }
      }
      events.ended(o);
      return o;
    }
  }
}

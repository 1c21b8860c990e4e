package org.fwdlearn.core;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntConsumer;

/**
 * A fixed pool of worker threads for splitting a kernel over independent output blocks.
 *
 * <p>{@code parallelism() == 1} runs everything on the caller's thread. The split of work never changes
 * the arithmetic of any output element, so results are bit-for-bit identical whatever the thread count.
 * The default pool ({@link #common()}) has {@code -Dfwdlearn.threads} threads, or one per available
 * processor.
 */
public final class ThreadPool implements AutoCloseable {
  private static final AtomicInteger POOL_IDS = new AtomicInteger();
  private static volatile ThreadPool common;

  private final int parallelism;
  private final ExecutorService executor;

  /** A pool of {@code parallelism} threads in all, the caller's included (so {@code parallelism - 1} workers). */
  public ThreadPool(int parallelism) {
    if (parallelism < 1) {
      throw new IllegalArgumentException("thread count must be >= 1, got " + parallelism);
    }
    this.parallelism = parallelism;
    if (parallelism == 1) {
      executor = null;
    } else {
      int id = POOL_IDS.incrementAndGet();
      AtomicInteger n = new AtomicInteger();
      ThreadFactory tf =
          r -> {
            Thread t = new Thread(r, "fwdlearn-" + id + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
          };
      executor = Executors.newFixedThreadPool(parallelism - 1, tf);
    }
  }

  /** The shared default pool. */
  public static ThreadPool common() {
    ThreadPool p = common;
    if (p == null) {
      synchronized (ThreadPool.class) {
        p = common;
        if (p == null) {
          int n = Integer.getInteger("fwdlearn.threads", Runtime.getRuntime().availableProcessors());
          common = p = new ThreadPool(Math.max(1, n));
        }
      }
    }
    return p;
  }

  /** A single-threaded pool: every task runs on the caller's thread. */
  public static ThreadPool sequential() {
    return Sequential.INSTANCE;
  }

  private static final class Sequential {
    static final ThreadPool INSTANCE = new ThreadPool(1);
  }

  /** Threads in all, including the caller's. */
  public int parallelism() {
    return parallelism;
  }

  /**
   * Runs {@code body.accept(t)} for every {@code t} in {@code [0, tasks)}, spread over the pool, and
   * returns when all are done. Exceptions are rethrown on the caller's thread.
   */
  public void forEach(int tasks, IntConsumer body) {
    if (tasks <= 0) {
      return;
    }
    if (executor == null || tasks == 1) {
      for (int t = 0; t < tasks; t++) {
        body.accept(t);
      }
      return;
    }
    AtomicInteger next = new AtomicInteger();
    Runnable worker =
        () -> {
          int t;
          while ((t = next.getAndIncrement()) < tasks) {
            body.accept(t);
          }
        };
    int helpers = Math.min(parallelism - 1, tasks - 1);
    @SuppressWarnings("unchecked")
    Future<?>[] futures = new Future<?>[helpers];
    for (int i = 0; i < helpers; i++) {
      futures[i] = executor.submit(worker);
    }
    Throwable failure = null;
    try {
      worker.run();
    } catch (Throwable e) {
      failure = e;
    }
    for (Future<?> f : futures) {
      try {
        f.get();
      } catch (java.util.concurrent.ExecutionException e) {
        if (failure == null) {
          failure = e.getCause();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        if (failure == null) {
          failure = e;
        }
      }
    }
    if (failure instanceof RuntimeException re) {
      throw re;
    }
    if (failure instanceof Error er) {
      throw er;
    }
    if (failure != null) {
      throw new IllegalStateException(failure);
    }
  }

  @Override
  public void close() {
    if (executor != null && this != common) {
      executor.shutdownNow();
    }
  }
}

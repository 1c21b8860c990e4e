package org.fwdlearn.core;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntConsumer;

/**
 * A fixed pool of worker threads for splitting a kernel over independent output blocks.
 *
 * <p>{@code parallelism() == 1} runs everything on the caller's thread. The split of work never changes
 * the arithmetic of any output element, so results are bit-for-bit identical whatever the thread count.
 * The default pool ({@link #common()}) has {@code -Dfwdlearn.threads} threads, or one per available
 * processor.
 *
 * <p>Dispatch is built for kernels called thousands of times per second: {@link #forEach} allocates
 * nothing, the workers spin briefly on the next job before they park, and the caller runs tasks too. The
 * pool runs one job at a time: a {@code forEach} that finds the pool busy (a nested call from inside a
 * task, or a concurrent call from another thread) runs all its tasks on its own thread, which gives the
 * same results and cannot deadlock.
 */
public final class ThreadPool implements AutoCloseable {
  private static final AtomicInteger POOL_IDS = new AtomicInteger();
  private static volatile ThreadPool common;

  /** How long an idle worker spins on the next job before it parks, in microseconds. */
  private static final long SPIN_NANOS = 1000L * Integer.getInteger("fwdlearn.pool.spinMicros", 200);

  /** Spin iterations of a waiting caller between yields. */
  private static final int CALLER_SPINS = 1 << 12;

  /** Volatile access to the elements of {@link #parked}. */
  private static final VarHandle PARKED = MethodHandles.arrayElementVarHandle(boolean[].class);

  private final int parallelism;
  private final Thread[] workers;

  /** Per worker: set before it parks, cleared after; forEach unparks only the workers that set it. */
  private final boolean[] parked;

  /** Held by the caller of the running job; a second caller runs its tasks inline. */
  private final AtomicBoolean busy = new AtomicBoolean();

  /**
   * The job ticket: epoch (high 32 bits) and the number of tasks still unclaimed (low 32 bits). A task is
   * claimed by a compare-and-set that decrements the count within the same epoch; task index = count - 1.
   */
  private final AtomicLong ticket = new AtomicLong();

  /** Tasks of the current job not yet finished. */
  private final AtomicInteger pending = new AtomicInteger();

  private final AtomicReference<Throwable> failure = new AtomicReference<>();
  private volatile IntConsumer body;
  private volatile boolean shutdown;

  /** A pool of {@code parallelism} threads in all, the caller's included (so {@code parallelism - 1} workers). */
  public ThreadPool(int parallelism) {
    if (parallelism < 1) {
      throw new IllegalArgumentException("thread count must be >= 1, got " + parallelism);
    }
    this.parallelism = parallelism;
    this.workers = new Thread[parallelism - 1];
    this.parked = new boolean[parallelism - 1];
    if (parallelism > 1) {
      int id = POOL_IDS.incrementAndGet();
      for (int w = 0; w < workers.length; w++) {
        int index = w;
        Thread t = new Thread(() -> workerLoop(index), "fwdlearn-" + id + "-" + (w + 1));
        t.setDaemon(true);
        workers[w] = t;
      }
      for (Thread t : workers) {
        t.start();
      }
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
   * returns when all are done. Tasks are claimed in no fixed order and by no fixed thread. The first
   * exception thrown by a task is rethrown on the caller's thread after all tasks have finished.
   */
  public void forEach(int tasks, IntConsumer body) {
    if (tasks <= 0) {
      return;
    }
    if (workers.length == 0 || tasks == 1 || shutdown || !busy.compareAndSet(false, true)) {
      for (int t = 0; t < tasks; t++) {
        body.accept(t);
      }
      return;
    }
    try {
      this.body = body;
      failure.set(null);
      pending.set(tasks);
      long epoch = ((ticket.get() >>> 32) + 1) & 0xFFFF_FFFFL;
      ticket.set((epoch << 32) | tasks);
      for (int w = 0; w < workers.length; w++) {
        if (parkedVolatile(w)) {
          LockSupport.unpark(workers[w]);
        }
      }
      runTasks(epoch);
      int spins = 0;
      while (pending.get() != 0) {
        if (++spins < CALLER_SPINS) {
          Thread.onSpinWait();
        } else {
          // A worker holding a task may have been descheduled: let it run.
          Thread.yield();
          spins = 0;
        }
      }
      this.body = null;
    } finally {
      busy.set(false);
    }
    Throwable f = failure.getAndSet(null);
    if (f instanceof RuntimeException re) {
      throw re;
    }
    if (f instanceof Error er) {
      throw er;
    }
    if (f != null) {
      throw new IllegalStateException(f);
    }
  }

  /** Claims and runs tasks of job {@code epoch} until none is left. */
  private void runTasks(long epoch) {
    while (true) {
      long t = ticket.get();
      if ((t >>> 32) != epoch) {
        return;
      }
      int left = (int) t;
      if (left == 0) {
        return;
      }
      if (!ticket.compareAndSet(t, t - 1)) {
        continue;
      }
      // The job cannot finish while this task is claimed and unfinished, so body is this job's.
      IntConsumer b = body;
      try {
        b.accept(left - 1);
      } catch (Throwable e) {
        failure.compareAndSet(null, e);
      } finally {
        pending.decrementAndGet();
      }
    }
  }

  private boolean parkedVolatile(int w) {
    return (boolean) PARKED.getVolatile(parked, w);
  }

  private void workerLoop(int index) {
    long seen = ticket.get() >>> 32;
    while (!shutdown) {
      long epoch = ticket.get() >>> 32;
      if (epoch != seen) {
        seen = epoch;
        runTasks(epoch);
        continue;
      }
      long start = System.nanoTime();
      int spins = 0;
      while ((ticket.get() >>> 32) == seen && !shutdown) {
        Thread.onSpinWait();
        if ((++spins & 63) == 0 && System.nanoTime() - start > SPIN_NANOS) {
          break;
        }
      }
      if ((ticket.get() >>> 32) == seen && !shutdown) {
        PARKED.setVolatile(parked, index, true);
        // Re-check after announcing: forEach publishes the ticket before it reads the flag.
        if ((ticket.get() >>> 32) == seen && !shutdown) {
          LockSupport.park(this);
        }
        PARKED.setVolatile(parked, index, false);
      }
    }
  }

  @Override
  public void close() {
    if (workers.length > 0 && this != common) {
      shutdown = true;
      for (Thread t : workers) {
        LockSupport.unpark(t);
      }
    }
  }
}

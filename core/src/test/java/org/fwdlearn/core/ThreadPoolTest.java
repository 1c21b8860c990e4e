package org.fwdlearn.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.Test;

class ThreadPoolTest {
  @Test
  void everyTaskRunsExactlyOnceOverManyJobs() {
    try (ThreadPool pool = new ThreadPool(3)) {
      for (int job = 0; job < 2000; job++) {
        int tasks = 1 + job % 7;
        AtomicIntegerArray runs = new AtomicIntegerArray(tasks);
        pool.forEach(tasks, runs::incrementAndGet);
        for (int t = 0; t < tasks; t++) {
          assertEquals(1, runs.get(t), "job " + job + " task " + t + " of " + tasks);
        }
      }
    }
  }

  @Test
  void tasksRunOnMoreThanOneThread() {
    try (ThreadPool pool = new ThreadPool(2)) {
      Set<Thread> seen = ConcurrentHashMap.newKeySet();
      for (int job = 0; job < 1000 && seen.size() < 2; job++) {
        pool.forEach(
            2,
            t -> {
              seen.add(Thread.currentThread());
              long end = System.nanoTime() + 1_000_000;
              while (System.nanoTime() < end) {
                Thread.onSpinWait();
              }
            });
      }
      assertEquals(2, seen.size(), "the worker never took a task in 1000 jobs");
    }
  }

  @Test
  void firstExceptionIsRethrownAfterAllTasksFinish() {
    try (ThreadPool pool = new ThreadPool(2)) {
      AtomicIntegerArray runs = new AtomicIntegerArray(8);
      IllegalStateException boom = new IllegalStateException("task 3");
      IllegalStateException thrown =
          assertThrows(
              IllegalStateException.class,
              () ->
                  pool.forEach(
                      8,
                      t -> {
                        runs.incrementAndGet(t);
                        if (t == 3) {
                          throw boom;
                        }
                      }));
      assertSame(boom, thrown);
      for (int t = 0; t < 8; t++) {
        assertEquals(1, runs.get(t), "task " + t);
      }
      AtomicIntegerArray again = new AtomicIntegerArray(4);
      pool.forEach(4, again::incrementAndGet);
      assertEquals(4, again.get(0) + again.get(1) + again.get(2) + again.get(3), "pool unusable after a failure");
    }
  }

  @Test
  void nestedForEachRunsInlineWithoutDeadlock() {
    try (ThreadPool pool = new ThreadPool(2)) {
      AtomicIntegerArray inner = new AtomicIntegerArray(4 * 5);
      pool.forEach(4, t -> pool.forEach(5, u -> inner.incrementAndGet(t * 5 + u)));
      for (int i = 0; i < 20; i++) {
        assertEquals(1, inner.get(i), "inner task " + i);
      }
    }
  }

  @Test
  void rejectsNonPositiveThreadCount() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new ThreadPool(0));
    assertTrue(e.getMessage().contains("got 0"), e.getMessage());
  }
}

package org.fwdlearn.train;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.management.ManagementFactory;
import org.fwdlearn.core.Init;
import org.fwdlearn.core.Matrix;
import org.fwdlearn.core.Ops;
import org.fwdlearn.core.Rng;
import org.fwdlearn.core.ThreadPool;
import org.fwdlearn.core.Transpose;
import org.fwdlearn.data.DatasetSplit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The training loop allocates nothing per step: the bytes this thread allocates between the start of an
 * epoch and its last batch, after the JIT has warmed up, stay below one small object per step (an epoch
 * allocates one generator for its batch order). Runs single-threaded, where the kernels run on this thread,
 * and only on the scalar kernels ({@code -Dtest.extraArgs=-Dfwdlearn.kernels=scalar}): the Vector API kernels
 * box vectors wherever the JIT has not (yet) compiled them with C2, which is the kernels' concern, not the
 * training loop's. Also skipped if the active kernels allocate per call (measured here first).
 */
class AllocationTest {
  private static final com.sun.management.ThreadMXBean MX =
      (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
  private static final DatasetSplit DATA = Tasks.clusters(3, 16, 4, 960, 64, 0.35);
  private static double kernelBytesPerCall;

  @BeforeAll
  static void measureKernels() {
    Matrix a = Init.uniform(new Matrix(16, 24), 0f, 1f, new Rng(1));
    Matrix b = Init.uniform(new Matrix(32, 24), 0f, 1f, new Rng(2));
    Matrix c = new Matrix(16, 32);
    Matrix g = new Matrix(32, 24);
    Runnable calls = () -> {
      Ops.gemm(Transpose.N, Transpose.T, 1f, a, b, 0f, c, ThreadPool.sequential());
      Ops.gemm(Transpose.T, Transpose.N, 0.5f, c, a, 0f, g, ThreadPool.sequential());
      Ops.relu(c, c);
      Ops.softmaxRows(c, c);
    };
    for (int i = 0; i < 20_000; i++) {
      calls.run();
    }
    long t0 = MX.getCurrentThreadAllocatedBytes();
    for (int i = 0; i < 1000; i++) {
      calls.run();
    }
    kernelBytesPerCall = (MX.getCurrentThreadAllocatedBytes() - t0) / 4000.0;
  }

  @ParameterizedTest(name = "{0}, mirror {1}, normalization {2}")
  @CsvSource({
    "bp, false, false",
    "fa, true, false",
    "dfa, false, true",
    "drtp, false, false",
    "pepita, true, true",
    "pepita-hebbian, false, false",
    "pepita-tl, false, false",
    "afa, false, false"
  })
  void trainingStepsAllocateNothing(String rule, boolean mirror, boolean normalize) {
    assumeTrue(Ops.kernels().path().equals("scalar"), "allocation is measured on the scalar kernels only");
    assumeTrue(kernelBytesPerCall < 1, "the active kernels allocate " + kernelBytesPerCall + " bytes per call");
    TrainConfig c = Tasks.config(rule);
    c.hidden = new int[] {24, 20};
    c.mirror = mirror;
    c.mirrorPreEpochs = 0;
    c.normalizeActivations = normalize;
    c.lr = 0.001f;
    c.epochs = 30;
    long[] bytes = new long[c.epochs];
    long[] start = new long[1];
    TrainingListener probe = new TrainingListener() {
      @Override
      public void epochStarted(int epoch, int batches) {
        start[0] = MX.getCurrentThreadAllocatedBytes();
      }

      @Override
      public void batchDone(int epoch, int batch, int batches, long samples) {
        if (batch == batches - 1) {
          bytes[epoch] = MX.getCurrentThreadAllocatedBytes() - start[0];
        }
      }
    };
    try (Trainer t = new Trainer(c, DATA)) {
      t.run(probe);
      // The quietest of the last ten epochs (JIT recompilations allocate now and then): less than one
      // 16-byte object per step.
      long least = Long.MAX_VALUE;
      for (int e = c.epochs - 10; e < c.epochs; e++) {
        least = Math.min(least, bytes[e]);
      }
      assertTrue(least < 16L * t.batchesPerEpoch(), rule + ": a warm epoch of " + t.batchesPerEpoch()
          + " steps allocated " + least + " bytes; per epoch " + java.util.Arrays.toString(bytes));
    }
  }
}

package org.fwdlearn.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.ejml.data.FMatrixRMaj;
import org.fwdlearn.core.Init;
import org.fwdlearn.core.Matrix;
import org.fwdlearn.core.Ops;
import org.fwdlearn.core.Rng;
import org.fwdlearn.core.ThreadPool;
import org.fwdlearn.data.Dataset;
import org.fwdlearn.data.Datasets;
import org.fwdlearn.nn.Network;
import org.fwdlearn.nn.WeightInit;
import org.fwdlearn.optim.Sgd;
import org.fwdlearn.rules.Backpropagation;
import org.fwdlearn.rules.FeedbackAlignment;
import org.fwdlearn.rules.FeedbackMatrix;
import org.fwdlearn.rules.LearningRule;
import org.fwdlearn.rules.Pepita;
import org.fwdlearn.rules.PepitaTimeLocal;
import org.fwdlearn.rules.RuleContext;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One full training step (both passes, the update and the SGD step with momentum 0.9) on a batch of 64, as the
 * trainer runs it: {@code fwdlearn} is {@code LearningRule.step} of fwdlearn's rule (Pepita, PepitaTimeLocal,
 * FeedbackAlignment, Backpropagation with their defaults) with {@code Sgd}; {@code ejml} is the same step written
 * plainly on EJML ({@link EjmlTrainStep}), checked to give the same weights by {@code EjmlTrainStepTest}.
 *
 * <p>Parameters: {@code shape} = the layer sizes d_0-...-d_L (MNIST 784-1024-10, three hidden layers
 * 784-1024-1024-1024-10, CIFAR-10 input 3072-1024-10), {@code rule} = pepita, pepita-tl, fa or bp, {@code impl}
 * = fwdlearn or ejml, {@code threads} = 1 or 2. Dropout 0.1 (masks drawn every step, as in training), learning
 * rate 0.01, momentum 0.9, weight decay 0, F 'uniform' with Bstd 0.05, FA's B_l He-uniform. The inputs are 8
 * batches used in turn: with {@code input} = uniform, seeded synthetic ones (pixels uniform in [0, 1), uniform
 * labels); with {@code input} = mnist (784-pixel shapes only), the first 512 MNIST training images and labels
 * from fwdlearn's data cache ({@code ./fwdlearn data fetch mnist}). The data matters: fwdlearn's GEMM leaves
 * out the steps where a strip of A is all zero, and MNIST's pixels are 81% zeros. Every iteration restarts from the same initial weights and
 * zero momentum (in an untimed iteration set-up), so long runs cannot drift.
 *
 * <p>The score is the average time per step; run with {@code -prof gc} for the allocation per step
 * ({@code gc.alloc.rate.norm}, B/op), which should be about 0 for fwdlearn.
 *
 * <p>Run: {@code java -jar bench/target/benchmarks.jar TrainStepBench -p shape=784-1024-10 -p threads=1 -prof gc}.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "--add-modules=jdk.incubator.vector")
@State(Scope.Benchmark)
public class TrainStepBench {
  /** Rows per batch. */
  public static final int BATCH = 64;
  /** Distinct synthetic batches, used in turn. */
  static final int BATCHES = 8;
  static final float DROPOUT = 0.1f;
  static final float LR = 0.01f;
  static final float MOMENTUM = 0.9f;
  static final float F_SCALE = 0.05f;

  @Param({"784-1024-10", "784-1024-1024-1024-10", "3072-1024-10"})
  public String shape;

  @Param({"pepita", "pepita-tl", "fa", "bp"})
  public String rule;

  @Param({"fwdlearn", "ejml"})
  public String impl;

  @Param({"1", "2"})
  public int threads;

  /** uniform (synthetic) or mnist (MNIST's first training images; shapes with 784 inputs only). */
  @Param({"uniform"})
  public String input;

  List<Matrix> initial;
  Matrix[] xs;
  FMatrixRMaj[] exs;
  int[][] ys;
  int next;

  ThreadPool pool;
  Network net;
  LearningRule fwd;
  Sgd sgd;

  EjmlMlp mlp;
  EjmlTrainStep ejml;

  /** Parses {@code d0-d1-...-dL}. */
  static int[] sizes(String shape) {
    int[] d;
    try {
      d = Arrays.stream(shape.split("-")).mapToInt(Integer::parseInt).toArray();
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("shape '" + shape + "' is not d0-d1-...-dL (e.g. 784-1024-10)", e);
    }
    if (d.length < 2 || Arrays.stream(d).anyMatch(s -> s < 1)) {
      throw new IllegalArgumentException("shape '" + shape + "' needs at least two sizes, all >= 1");
    }
    return d;
  }

  @Setup(Level.Trial)
  public void setUp() {
    int[] d = sizes(shape);
    int classes = d[d.length - 1];
    Rng data = new Rng(7);
    xs = new Matrix[BATCHES];
    exs = new FMatrixRMaj[BATCHES];
    ys = new int[BATCHES][BATCH];
    Dataset mnist = switch (input) {
      case "uniform" -> null;
      case "mnist" -> {
        if (d[0] != 784 || classes != 10) {
          throw new IllegalArgumentException("input=mnist needs a 784-...-10 shape, not " + shape);
        }
        yield Datasets.load(Datasets.MNIST, null, false).train();
      }
      default -> throw new IllegalArgumentException("input '" + input + "' is not one of uniform, mnist");
    };
    for (int i = 0; i < BATCHES; i++) {
      if (mnist == null) {
        xs[i] = Init.uniform(new Matrix(BATCH, d[0]), 0f, 1f, data);
        for (int r = 0; r < BATCH; r++) {
          ys[i][r] = data.nextInt(classes);
        }
      } else {
        xs[i] = new Matrix(BATCH, d[0]);
        for (int r = 0; r < BATCH; r++) {
          int row = i * BATCH + r;
          for (int c = 0; c < d[0]; c++) {
            xs[i].set(r, c, mnist.x().get(row, c));
          }
          ys[i][r] = mnist.labels()[row];
        }
      }
      exs[i] = EjmlMlp.ejml(xs[i]);
    }
    Network init = Network.create(d, WeightInit.HE_UNIFORM, false, new Rng(1));
    initial = new ArrayList<>();
    for (Matrix w : init.weights()) {
      initial.add(w.copy());
    }
    Rng feedbackRng = new Rng(2);
    Matrix f = null;
    List<Matrix> b = null;
    switch (rule) {
      case "pepita", "pepita-tl" ->
          f = FeedbackMatrix.uniform(d[0], classes, F_SCALE, true, feedbackRng).f(ThreadPool.sequential());
      case "fa" -> {
        b = new ArrayList<>();
        for (int l = 2; l < d.length; l++) {
          b.add(WeightInit.HE_UNIFORM.fill(new Matrix(d[l], d[l - 1]), feedbackRng).transpose());
        }
      }
      case "bp" -> {}
      default -> throw new IllegalArgumentException("rule '" + rule + "' is not one of " + EjmlTrainStep.RULES);
    }
    switch (impl) {
      case "fwdlearn" -> {
        pool = threads == 1 ? ThreadPool.sequential() : new ThreadPool(threads);
        net = Network.fromWeights(initial);
        RuleContext ctx = new RuleContext(net, BATCH, DROPOUT, pool, new Rng(4));
        fwd = switch (rule) {
          case "pepita" -> new Pepita(ctx, FeedbackMatrix.of(f));
          case "pepita-tl" -> new PepitaTimeLocal(ctx, FeedbackMatrix.of(f), Pepita.Sign.MINUS, false, false);
          case "fa" -> new FeedbackAlignment(ctx, b);
          default -> new Backpropagation(ctx);
        };
        sgd = new Sgd(net.weights(), LR, MOMENTUM, 0f).threads(pool);
      }
      case "ejml" -> {
        mlp = new EjmlMlp(initial, threads);
        ejml = new EjmlTrainStep(mlp, rule, BATCH, DROPOUT, new Rng(4), f, b, LR, MOMENTUM, 0f);
      }
      default -> throw new IllegalArgumentException("impl '" + impl + "' is not one of fwdlearn, ejml");
    }
    System.out.println("\n" + rule + " " + shape + " batch " + BATCH + ", " + input + " input, " + impl + ", threads " + threads
        + "; fwdlearn kernels " + Ops.kernels());
  }

  /** Back to the initial weights and zero momentum (not timed). */
  @Setup(Level.Iteration)
  public void restart() {
    if (net != null) {
      for (int l = 1; l <= net.layers(); l++) {
        net.weight(l).copyFrom(initial.get(l - 1));
      }
      for (Matrix v : sgd.stateBuffers()) {
        v.fill(0f);
      }
    } else {
      mlp.setWeights(initial);
      ejml.resetVelocity();
    }
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    if (pool != null && threads > 1) {
      pool.close();
    }
  }

  @Benchmark
  public Object step() {
    int i = next;
    next = i + 1 == BATCHES ? 0 : i + 1;
    if (fwd != null) {
      fwd.step(xs[i], ys[i], sgd);
      return net;
    }
    ejml.step(exs[i], ys[i]);
    return mlp;
  }
}

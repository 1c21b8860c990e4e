package org.fwdlearn.bench;

import java.util.concurrent.TimeUnit;
import org.fwdlearn.core.Rng;
import org.fwdlearn.core.kernel.ElementwiseKernel;
import org.fwdlearn.core.kernel.Kernels;
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
 * The row and elementwise kernels of a training step, one implementation per {@code impl}: {@code vector}
 * (the Vector API kernels at the CPU's preferred width), {@code scalar} (the reference {@code
 * ScalarElementwise}) and {@code plain} (the loop a user would write in place, below, left to the JIT's
 * auto-vectorisation). Shapes are those of MNIST 784-1024-10 at batch 64: softmax over the 10 outputs and
 * over a 1024-wide layer, ReLU of a hidden layer, the SGD step of the 1024x784 weight matrix.
 *
 * <p>Run: {@code java -jar bench/target/benchmarks.jar ElementwiseBench}.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "--add-modules=jdk.incubator.vector")
public class ElementwiseBench {
  /** The kernel for {@code impl}, or null for the plain loops of this class. */
  static ElementwiseKernel kernel(String impl) {
    switch (impl) {
      case "vector":
        return Kernels.vector(0).elementwise();
      case "scalar":
        return Kernels.scalar().elementwise();
      case "plain":
        return null;
      default:
        throw new IllegalArgumentException("impl " + impl + " is not one of: vector, scalar, plain");
    }
  }

  static float[] uniform(int n, float lo, float hi, long seed) {
    Rng r = new Rng(seed);
    float[] a = new float[n];
    for (int i = 0; i < n; i++) {
      a[i] = lo + (hi - lo) * r.nextFloat();
    }
    return a;
  }

  // ------------------------------------------------------------------ softmax

  /** Logits in [-8, 8), seeded. */
  @State(Scope.Thread)
  public static class SoftmaxState {
    @Param({"vector", "scalar", "plain"})
    public String impl;

    @Param({"64x10", "64x1024"})
    public String shape;

    int rows;
    int cols;
    float[] x;
    float[] y;
    ElementwiseKernel k;

    @Setup(Level.Trial)
    public void setUp() {
      String[] rc = shape.split("x");
      rows = Integer.parseInt(rc[0]);
      cols = Integer.parseInt(rc[1]);
      x = uniform(rows * cols, -8f, 8f, 1);
      y = new float[rows * cols];
      k = kernel(impl);
    }
  }

  @Benchmark
  public float[] softmaxRows(SoftmaxState s) {
    if (s.k != null) {
      s.k.softmaxRows(s.x, 0, s.y, 0, s.rows, s.cols);
    } else {
      plainSoftmax(s.x, s.y, s.rows, s.cols);
    }
    return s.y;
  }

  static void plainSoftmax(float[] x, float[] y, int rows, int cols) {
    for (int r = 0; r < rows; r++) {
      int o = r * cols;
      float max = Float.NEGATIVE_INFINITY;
      for (int j = 0; j < cols; j++) {
        max = Math.max(max, x[o + j]);
      }
      float sum = 0f;
      for (int j = 0; j < cols; j++) {
        float e = (float) Math.exp(x[o + j] - max);
        y[o + j] = e;
        sum += e;
      }
      for (int j = 0; j < cols; j++) {
        y[o + j] /= sum;
      }
    }
  }

  // ------------------------------------------------------------------ relu

  /** A 64x1024 hidden layer, half negative. */
  @State(Scope.Thread)
  public static class ReluState {
    @Param({"vector", "scalar", "plain"})
    public String impl;

    float[] x;
    float[] y;
    ElementwiseKernel k;

    @Setup(Level.Trial)
    public void setUp() {
      x = uniform(64 * 1024, -1f, 1f, 2);
      y = new float[x.length];
      k = kernel(impl);
    }
  }

  @Benchmark
  public float[] relu(ReluState s) {
    if (s.k != null) {
      s.k.relu(s.x, 0, s.y, 0, s.x.length);
    } else {
      float[] x = s.x;
      float[] y = s.y;
      for (int i = 0; i < x.length; i++) {
        y[i] = Math.max(x[i], 0f);
      }
    }
    return s.y;
  }

  // ------------------------------------------------------------------ sgd

  /**
   * The 1024x784 weights of MNIST's first layer with momentum 0.9, weight decay 5e-4, learning rate 0.01. W
   * and V evolve over the invocations towards the fixed point {@code W = -G / lambda} and stay normal floats;
   * the tear-down checks that (subnormals would slow the scalar loops and skew the comparison).
   */
  @State(Scope.Thread)
  public static class SgdState {
    @Param({"vector", "scalar", "plain"})
    public String impl;

    float[] w;
    float[] g;
    float[] v;
    ElementwiseKernel k;

    @Setup(Level.Trial)
    public void setUp() {
      int n = 1024 * 784;
      w = uniform(n, -0.087f, 0.087f, 3);
      g = uniform(n, -0.01f, 0.01f, 4);
      v = new float[n];
      k = kernel(impl);
    }

    @TearDown(Level.Trial)
    public void checkNormal() {
      for (float[] a : new float[][] {w, v}) {
        for (float f : a) {
          if (!Float.isFinite(f) || (f != 0f && Math.abs(f) < Float.MIN_NORMAL)) {
            throw new IllegalStateException("sgd state left the normal range: " + f);
          }
        }
      }
    }
  }

  @Benchmark
  public float[] sgdStep(SgdState s) {
    float lr = 0.01f;
    float momentum = 0.9f;
    float weightDecay = 5e-4f;
    if (s.k != null) {
      s.k.sgdStep(s.w, 0, s.g, 0, s.v, 0, s.w.length, lr, momentum, weightDecay);
    } else {
      float[] w = s.w;
      float[] g = s.g;
      float[] v = s.v;
      for (int i = 0; i < w.length; i++) {
        float gi = g[i] + weightDecay * w[i];
        v[i] = momentum * v[i] + gi;
        w[i] -= lr * v[i];
      }
    }
    return s.w;
  }
}

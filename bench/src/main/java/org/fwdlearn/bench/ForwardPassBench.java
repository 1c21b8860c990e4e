package org.fwdlearn.bench;

import java.util.concurrent.TimeUnit;
import org.ejml.data.FMatrixRMaj;
import org.fwdlearn.core.Init;
import org.fwdlearn.core.Matrix;
import org.fwdlearn.core.Ops;
import org.fwdlearn.core.Rng;
import org.fwdlearn.core.ThreadPool;
import org.fwdlearn.nn.ForwardPass;
import org.fwdlearn.nn.Network;
import org.fwdlearn.nn.WeightInit;
import org.openjdk.jmh.annotations.AuxCounters;
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
 * Inference throughput: the forward pass without dropout (products, ReLU, softmax) and the predicted class of
 * every row of a batch. {@code fwdlearn} runs a preallocated {@link ForwardPass} and {@code Ops.argmaxRows}
 * (what {@code Network.predict} does, minus the workspace it allocates per call); {@code ejml} runs {@link
 * EjmlMlp.Pass} (EJML {@code multTransB} and plain loops) on the same weights and inputs.
 *
 * <p>Parameters: {@code shape} = layer sizes d_0-...-d_L, {@code batch} = rows per call (1, 64, 1024), {@code
 * impl} = fwdlearn or ejml, {@code threads} = 1 or 2. The primary score is calls per second; the secondary
 * score {@code examples} is rows (examples) per second.
 *
 * <p>Run: {@code java -jar bench/target/benchmarks.jar ForwardPassBench -p shape=784-1024-10 -p threads=1}.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "--add-modules=jdk.incubator.vector")
@State(Scope.Benchmark)
public class ForwardPassBench {
  @Param({"784-1024-10", "784-1024-1024-1024-10", "3072-1024-10"})
  public String shape;

  @Param({"1", "64", "1024"})
  public int batch;

  @Param({"fwdlearn", "ejml"})
  public String impl;

  @Param({"1", "2"})
  public int threads;

  Matrix x;
  int[] out;

  ThreadPool pool;
  ForwardPass pass;

  FMatrixRMaj ex;
  EjmlMlp.Pass epass;

  /** Examples per call, counted per second by JMH into the secondary score {@code examples}. */
  @State(Scope.Thread)
  @AuxCounters(AuxCounters.Type.OPERATIONS)
  public static class Examples {
    public double examples;

    @Setup(Level.Iteration)
    public void reset() {
      examples = 0;
    }
  }

  @Setup(Level.Trial)
  public void setUp() {
    int[] d = TrainStepBench.sizes(shape);
    x = Init.uniform(new Matrix(batch, d[0]), 0f, 1f, new Rng(7));
    out = new int[batch];
    Network net = Network.create(d, WeightInit.HE_UNIFORM, false, new Rng(1));
    switch (impl) {
      case "fwdlearn" -> {
        pool = threads == 1 ? ThreadPool.sequential() : new ThreadPool(threads);
        pass = new ForwardPass(net, batch);
      }
      case "ejml" -> {
        ex = EjmlMlp.ejml(x);
        epass = new EjmlMlp(net.weights(), threads).new Pass(batch);
      }
      default -> throw new IllegalArgumentException("impl '" + impl + "' is not one of fwdlearn, ejml");
    }
    System.out.println("\nforward pass " + shape + " batch " + batch + ", " + impl + ", threads " + threads
        + "; fwdlearn kernels " + Ops.kernels());
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    if (pool != null && threads > 1) {
      pool.close();
    }
  }

  @Benchmark
  public int[] predict(Examples counter) {
    if (pass != null) {
      pass.run(x, null, pool);
      Ops.argmaxRows(pass.logits(), out);
    } else {
      epass.run(ex, null);
      epass.predict(out);
    }
    counter.examples += batch;
    return out;
  }
}

package org.fwdlearn.bench;

import java.util.concurrent.TimeUnit;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.openblas.global.openblas_full;
import org.ejml.concurrency.EjmlConcurrency;
import org.ejml.data.FMatrixRMaj;
import org.ejml.dense.row.CommonOps_FDRM;
import org.ejml.dense.row.CommonOps_MT_FDRM;
import org.fwdlearn.core.Matrix;
import org.fwdlearn.core.Ops;
import org.fwdlearn.core.Rng;
import org.fwdlearn.core.ThreadPool;
import org.fwdlearn.core.Transpose;
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
 * {@code C = op(A) op(B)} (alpha 1, beta 0) in float32 by four implementations on the same seeded inputs:
 * {@code fwdlearn} ({@link Ops#gemm} on the active kernels, normally the Vector API {@code VectorGemm}),
 * {@code ejml} (EJML's {@code CommonOps_FDRM.mult / multTransA / multTransB}, or {@code CommonOps_MT_FDRM}
 * with {@code threads > 1}), {@code naive} (the plain i-k-j loop a user would write) and {@code openblas}
 * (OpenBLAS {@code cblas_sgemm} through JavaCPP, on off-heap copies of the inputs, with {@code threads}
 * OpenBLAS threads).
 *
 * <p>{@code shape} is {@code MxKxN}: op(A) is M x K and op(B) is K x N. {@code op} is {@code NN}, {@code TN}
 * (A stored K x M, the weight-update product {@code G = D^T X}) or {@code NT} (B stored N x K, the forward
 * product {@code H W^T}). The primary score is calls per second; the secondary score {@code gflops} is
 * {@code 2 M K N} flops per call in GFLOP/s.
 *
 * <p>OpenBLAS picks its kernel by CPU model; a release that does not know the CPU falls back to a generic
 * kernel. {@code setUp} prints the core type OpenBLAS chose; if it is not the CPU's, run with e.g. {@code
 * OPENBLAS_CORETYPE=SkylakeX} in the environment (JMH forks inherit it).
 *
 * <p>Run: {@code java -jar bench/target/benchmarks.jar GemmBench -p shape=64x784x1024 -p threads=1}.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "--add-modules=jdk.incubator.vector")
@State(Scope.Benchmark)
public class GemmBench {
  @Param({"64x784x1024", "1024x64x784", "64x3072x1024", "64x1024x10", "1024x1024x1024"})
  public String shape;

  @Param({"1", "2"})
  public int threads;

  @Param({"NN", "TN", "NT"})
  public String op;

  int m;
  int k;
  int n;
  boolean transA;
  boolean transB;

  Matrix a;
  Matrix b;
  Matrix c;
  ThreadPool pool;

  FMatrixRMaj ea;
  FMatrixRMaj eb;
  FMatrixRMaj ec;

  FloatPointer pa;
  FloatPointer pb;
  FloatPointer pc;

  /** GFLOP per call, counted per second by JMH into the secondary score {@code gflops}. */
  @State(Scope.Thread)
  @AuxCounters(AuxCounters.Type.OPERATIONS)
  public static class Flops {
    public double gflops;
    double perCall;

    @Setup(Level.Iteration)
    public void reset(GemmBench g) {
      gflops = 0;
      perCall = 2.0 * g.m * g.k * g.n / 1e9;
    }
  }

  @Setup(Level.Trial)
  public void setUp() {
    String[] mkn = shape.split("x");
    if (mkn.length != 3) {
      throw new IllegalArgumentException("shape " + shape + " is not MxKxN");
    }
    m = Integer.parseInt(mkn[0]);
    k = Integer.parseInt(mkn[1]);
    n = Integer.parseInt(mkn[2]);
    if (!op.equals("NN") && !op.equals("TN") && !op.equals("NT")) {
      throw new IllegalArgumentException("op " + op + " is not one of: NN, TN, NT");
    }
    transA = op.charAt(0) == 'T';
    transB = op.charAt(1) == 'T';
    Rng rng = new Rng(42);
    a = transA ? new Matrix(k, m) : new Matrix(m, k);
    b = transB ? new Matrix(n, k) : new Matrix(k, n);
    c = new Matrix(m, n);
    fill(a, rng);
    fill(b, rng);
    pool = threads == 1 ? ThreadPool.sequential() : new ThreadPool(threads);

    ea = new FMatrixRMaj(a.rows(), a.cols(), true, a.toArray());
    eb = new FMatrixRMaj(b.rows(), b.cols(), true, b.toArray());
    ec = new FMatrixRMaj(m, n);
    EjmlConcurrency.setMaxThreads(threads);

    pa = new FloatPointer(a.toArray());
    pb = new FloatPointer(b.toArray());
    pc = new FloatPointer((long) m * n);
    openblas_full.blas_set_num_threads(threads);
    System.out.println(
        "\nOpenBLAS " + openblas_full.openblas_get_config().getString() + ", core "
            + openblas_full.openblas_get_corename().getString() + ", threads " + openblas_full.blas_get_num_threads()
            + ", OPENBLAS_CORETYPE=" + System.getenv("OPENBLAS_CORETYPE") + "; fwdlearn kernels "
            + Ops.kernels());
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    if (threads > 1) {
      pool.close();
    }
    pa.close();
    pb.close();
    pc.close();
  }

  private static void fill(Matrix x, Rng rng) {
    float[] d = x.data();
    for (int i = 0; i < d.length; i++) {
      d[i] = 2 * rng.nextFloat() - 1;
    }
  }

  @Benchmark
  public Matrix fwdlearn(Flops f) {
    Ops.gemm(transA ? Transpose.T : Transpose.N, transB ? Transpose.T : Transpose.N, 1f, a, b, 0f, c, pool);
    f.gflops += f.perCall;
    return c;
  }

  /** EJML; {@code CommonOps_MT_FDRM} (which has all three products) when {@code threads > 1}. */
  @Benchmark
  public FMatrixRMaj ejml(Flops f) {
    if (threads == 1) {
      if (transA) {
        CommonOps_FDRM.multTransA(ea, eb, ec);
      } else if (transB) {
        CommonOps_FDRM.multTransB(ea, eb, ec);
      } else {
        CommonOps_FDRM.mult(ea, eb, ec);
      }
    } else if (transA) {
      CommonOps_MT_FDRM.multTransA(ea, eb, ec);
    } else if (transB) {
      CommonOps_MT_FDRM.multTransB(ea, eb, ec);
    } else {
      CommonOps_MT_FDRM.mult(ea, eb, ec);
    }
    f.gflops += f.perCall;
    return ec;
  }

  /** The plain loop: for each row i, for each p, {@code C[i, :] += op(A)[i, p] * op(B)[p, :]}; one thread. */
  @Benchmark
  public float[] naive(Flops f) {
    float[] ad = a.data();
    float[] bd = b.data();
    float[] cd = c.data();
    java.util.Arrays.fill(cd, 0f);
    for (int i = 0; i < m; i++) {
      for (int p = 0; p < k; p++) {
        float aip = transA ? ad[p * m + i] : ad[i * k + p];
        int row = i * n;
        if (transB) {
          for (int j = 0; j < n; j++) {
            cd[row + j] += aip * bd[j * k + p];
          }
        } else {
          int bRow = p * n;
          for (int j = 0; j < n; j++) {
            cd[row + j] += aip * bd[bRow + j];
          }
        }
      }
    }
    f.gflops += f.perCall;
    return cd;
  }

  @Benchmark
  public FloatPointer openblas(Flops f) {
    openblas_full.cblas_sgemm(
        openblas_full.CblasRowMajor,
        transA ? openblas_full.CblasTrans : openblas_full.CblasNoTrans,
        transB ? openblas_full.CblasTrans : openblas_full.CblasNoTrans,
        m,
        n,
        k,
        1f,
        pa,
        transA ? m : k,
        pb,
        transB ? k : n,
        0f,
        pc,
        n);
    f.gflops += f.perCall;
    return pc;
  }
}

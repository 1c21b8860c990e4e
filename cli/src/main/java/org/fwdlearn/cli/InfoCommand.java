package org.fwdlearn.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.fwdlearn.core.Rng;
import org.fwdlearn.core.ThreadPool;
import org.fwdlearn.core.kernel.Kernels;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code fwdlearn info}: the JDK, the kernel path and vector width, the threads, and a kernel self-check that
 * compares the active kernels with the scalar reference on random GEMM and softmax problems.
 *
 * <p>Tolerances are derived, not guessed. With u = 2^-24 and gamma(n) = n u / (1 - n u), any summation order of
 * {@code alpha * op(A) op(B) + beta * C} has an error at most gamma(k + 2) (|alpha| (|A||B|)_ij + |beta| |C_ij|)
 * (Higham, Accuracy and Stability of Numerical Algorithms, 3.5), so two implementations differ by at most twice
 * that. A softmax element y_i = exp(z_i) / sum_j exp(z_j), z = x - max(x), computed with exp accurate to one
 * ulp (2u relative) and any summation order, has a relative error at most u |z_i| + 2u (exp) + (n - 1) u + u
 * max_j |z_j| + 2u (the sum) + u (the division); two implementations differ by at most twice that times y_i.
 * Argmax must match exactly.
 */
@Command(
    name = "info",
    mixinStandardHelpOptions = true,
    description = {
      "Print the JDK, the kernel path (vector or scalar), the vector width and the threads, then check the",
      "active kernels against the scalar reference on random GEMM and softmax problems."
    })
public final class InfoCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(
      names = "--seconds",
      paramLabel = "<s>",
      defaultValue = "10",
      description = "Time budget of the kernel self-check (0: skip it). Default: ${DEFAULT-VALUE}.")
  double seconds;

  @Option(names = "--seed", defaultValue = "1", description = "Seed of the random problems. Default: ${DEFAULT-VALUE}.")
  long seed;

  private static final double U = Math.ulp(1.0f) / 2; // 2^-24, the unit roundoff of float32

  static double gamma(int n) {
    return n * U / (1 - n * U);
  }

  @Override
  public Integer call() {
    if (!(seconds >= 0) || seconds > 3600) {
      throw new UsageException("Invalid value for --seconds: " + seconds + " (allowed: 0 to 3600)");
    }
    PrintWriter out = spec.commandLine().getOut();
    Kernels k = Kernels.get();
    out.println("fwdlearn " + Environment.version());
    String commit = System.getProperty("fwdlearn.commit", "");
    out.println("source:       " + (commit.isBlank() ? "unknown (not run by the launcher from a git checkout)" : "commit " + commit));
    out.println("JDK:          " + Environment.jdk() + ", " + System.getProperty("java.home"));
    out.println("CPU:          " + Environment.cpuModel());
    out.println(
        "kernel path:  "
            + k.path()
            + (Kernels.vectorModulePresent()
                ? " (jdk.incubator.vector present)"
                : " (jdk.incubator.vector absent: run java with " + Kernels.ENABLE_HINT + " for SIMD)"));
    out.println(
        "vector width: "
            + (k.vectorBits() == 0 ? "none (scalar)" : k.vectorBits() + " bits (" + k.vectorBits() / 32 + " floats)"));
    out.println(
        "threads:      " + ThreadPool.common().parallelism() + " (processors: " + Runtime.getRuntime().availableProcessors()
            + "; train --threads N, or -Dfwdlearn.threads=N in FWDLEARN_JAVA_OPTS)");
    out.flush();
    if (seconds == 0) {
      return 0;
    }
    if (k.path().equals("scalar")) {
      out.println("self-check:   skipped, the active kernels are the scalar reference itself");
      return 0;
    }
    SelfCheck check = new SelfCheck(Kernels.scalar(), k, new Rng(seed), ThreadPool.common());
    long deadline = System.nanoTime() + (long) (seconds * 1e9);
    check.runFixedCases();
    while (System.nanoTime() < deadline && check.failures.isEmpty()) {
      check.runRandomCase();
    }
    out.printf(
        Locale.ROOT,
        "self-check:   %s vs scalar reference: %d gemm, %d softmax, %d argmax problems in %.1f s;"
            + " largest error %.3g of its tolerance%n",
        k,
        check.gemmCases,
        check.softmaxCases,
        check.argmaxCases,
        seconds,
        check.worstRatio);
    if (!check.failures.isEmpty()) {
      throw new Main.Failure("kernel self-check FAILED:\n  " + String.join("\n  ", check.failures));
    }
    out.println("self-check:   OK");
    return 0;
  }

  /** Compares two kernel sets on random problems; public for the tests. */
  static final class SelfCheck {
    final Kernels ref;
    final Kernels test;
    final Rng rng;
    final ThreadPool pool;
    int gemmCases;
    int softmaxCases;
    int argmaxCases;
    double worstRatio;
    final List<String> failures = new ArrayList<>();
    final int[] sizes;

    SelfCheck(Kernels ref, Kernels test, Rng rng, ThreadPool pool) {
      this.ref = ref;
      this.test = test;
      this.rng = rng;
      this.pool = pool;
      int lanes = Math.max(4, test.vectorBits() / 32);
      sizes = new int[] {0, 1, 2, 3, lanes - 1, lanes, lanes + 1, 2 * lanes + 3, 13, 31, 64, 97, 130, 257};
    }

    void runFixedCases() {
      for (boolean ta : new boolean[] {false, true}) {
        for (boolean tb : new boolean[] {false, true}) {
          gemm(ta, tb, 64, 1024, 784, 1f, 0f);
          gemm(ta, tb, 1, 1, 1, 1f, 0f);
          gemm(ta, tb, 0, 5, 3, 1f, 0f);
          gemm(ta, tb, 17, 0, 9, 1f, 1f);
          gemm(ta, tb, 5, 7, 0, 1f, 0.5f);
        }
      }
      softmax(64, 10, 1);
      softmax(3, 1, 1);
      softmax(5, 1000, 30);
    }

    void runRandomCase() {
      int m = pick();
      int n = pick();
      int kk = pick();
      float alpha = rng.nextInt(3) == 0 ? 1f : (float) rng.nextGaussian();
      float beta = switch (rng.nextInt(3)) {
        case 0 -> 0f;
        case 1 -> 1f;
        default -> (float) rng.nextGaussian();
      };
      gemm(rng.nextInt(2) == 0, rng.nextInt(2) == 0, m, n, kk, alpha, beta);
      softmax(Math.max(1, pick()), Math.max(1, pick()), rng.nextInt(2) == 0 ? 1 : 20);
    }

    private int pick() {
      return sizes[rng.nextInt(sizes.length)];
    }

    private float[] randn(int len) {
      float[] a = new float[len];
      for (int i = 0; i < len; i++) {
        a[i] = (float) rng.nextGaussian();
      }
      return a;
    }

    void gemm(boolean ta, boolean tb, int m, int n, int k, float alpha, float beta) {
      gemmCases++;
      float[] a = randn(m * k);
      float[] b = randn(k * n);
      float[] c0 = randn(m * n);
      int lda = ta ? m : k;
      int ldb = tb ? k : n;
      float[] cr = c0.clone();
      float[] ct = c0.clone();
      ref.gemm().gemm(ta, tb, m, n, k, alpha, a, 0, lda, b, 0, ldb, beta, cr, 0, n, ThreadPool.sequential());
      test.gemm().gemm(ta, tb, m, n, k, alpha, a, 0, lda, b, 0, ldb, beta, ct, 0, n, pool);
      double g = gamma(k + 2);
      for (int i = 0; i < m; i++) {
        for (int j = 0; j < n; j++) {
          double abs = 0;
          for (int p = 0; p < k; p++) {
            float av = ta ? a[p * lda + i] : a[i * lda + p];
            float bv = tb ? b[j * ldb + p] : b[p * ldb + j];
            abs += Math.abs((double) av * bv);
          }
          double bound = Math.abs(alpha) * abs + (beta == 0 ? 0 : Math.abs(beta) * Math.abs(c0[i * n + j]));
          double tol = 2 * g * bound + 2 * (k + 2) * Float.MIN_NORMAL;
          double err = Math.abs((double) ct[i * n + j] - cr[i * n + j]);
          if (record(err, tol)) {
            fail(String.format(Locale.ROOT,
                "gemm transA=%b transB=%b m=%d n=%d k=%d alpha=%g beta=%g: C[%d,%d] = %s, reference %s, tolerance %.3g",
                ta, tb, m, n, k, alpha, beta, i, j, ct[i * n + j], cr[i * n + j], tol));
          }
        }
      }
    }

    void softmax(int rows, int cols, double scale) {
      softmaxCases++;
      argmaxCases++;
      float[] x = randn(rows * cols);
      for (int i = 0; i < x.length; i++) {
        x[i] *= (float) scale;
      }
      float[] yr = new float[x.length];
      float[] yt = new float[x.length];
      ref.elementwise().softmaxRows(x, 0, yr, 0, rows, cols);
      test.elementwise().softmaxRows(x, 0, yt, 0, rows, cols);
      for (int r = 0; r < rows; r++) {
        double max = Double.NEGATIVE_INFINITY;
        for (int j = 0; j < cols; j++) {
          max = Math.max(max, x[r * cols + j]);
        }
        double maxAbsZ = 0;
        for (int j = 0; j < cols; j++) {
          maxAbsZ = Math.max(maxAbsZ, max - x[r * cols + j]);
        }
        for (int j = 0; j < cols; j++) {
          int i = r * cols + j;
          double z = max - x[i];
          double rel = U * (z + 2 + (cols - 1) + maxAbsZ + 2 + 1);
          double tol = 2 * rel * Math.abs(yr[i]) / (1 - rel) + 2 * Float.MIN_NORMAL;
          double err = Math.abs((double) yt[i] - yr[i]);
          if (record(err, tol)) {
            fail(String.format(Locale.ROOT,
                "softmax %dx%d (scale %g): y[%d,%d] = %s, reference %s, tolerance %.3g",
                rows, cols, scale, r, j, yt[i], yr[i], tol));
          }
        }
      }
      int[] ar = new int[rows];
      int[] at = new int[rows];
      ref.elementwise().argmaxRows(x, 0, rows, cols, ar, 0);
      test.elementwise().argmaxRows(x, 0, rows, cols, at, 0);
      for (int r = 0; r < rows; r++) {
        if (ar[r] != at[r]) {
          failures.add("argmax " + rows + "x" + cols + ": row " + r + " gives " + at[r] + ", reference " + ar[r]);
          break;
        }
      }
    }

    /** Records err / tol; true if the error exceeds its tolerance (or is NaN). */
    private boolean record(double err, double tol) {
      double ratio = err / tol;
      boolean bad = !(ratio <= 1);
      worstRatio = Math.max(worstRatio, Double.isNaN(ratio) ? Double.POSITIVE_INFINITY : ratio);
      return bad;
    }

    private void fail(String what) {
      if (failures.size() < 5) {
        failures.add(what);
      }
    }
  }
}

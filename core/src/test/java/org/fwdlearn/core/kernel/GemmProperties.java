package org.fwdlearn.core.kernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.RandomDistribution;
import net.jqwik.api.Tuple;
import net.jqwik.api.lifecycle.AfterContainer;
import org.fwdlearn.core.Matrix;
import org.fwdlearn.core.Ops;
import org.fwdlearn.core.Rng;
import org.fwdlearn.core.ThreadPool;
import org.fwdlearn.core.Transpose;

/**
 * Properties of the GEMM kernels: every Vector API width against the scalar reference on all transposes,
 * shapes, scalars and storage layouts; beta = 0 never reads C; results independent of the thread count;
 * the facade's shape and aliasing checks.
 *
 * <p>Tolerance. Both kernels compute {@code c_ij = beta c0_ij + sum_p (alpha a_ip) b_pj} in float, in
 * different orders. Counting the roundings any one term goes through: the reference rounds {@code alpha
 * a} (or {@code alpha * acc}), the product, at most K - 1 additions among the products and the addition
 * to {@code beta c0} (itself rounded once): at most K + 3. The vector kernel rounds {@code alpha a}, then
 * one fused multiply-add per later step of its K block, the combination with C and one addition per later
 * K block: again at most K + 3. By the standard bound for sums of products (Higham, Accuracy and Stability
 * of Numerical Algorithms, 2nd ed., section 3.1), each result is within {@code gamma_{K+3} (|alpha| |A||B| +
 * |beta| |C0|)_ij} of the exact value, {@code gamma_n = n u / (1 - n u)}, {@code u = ulp(1) / 2}. The two
 * results are within twice that of each other. For K <= 300, {@code 1 / (1 - n u) < 1.00002}, so the
 * factor {@link #ERROR_FACTOR} is 2 with a little slack. The data (multiples of 10^-4 in [-1, 1]) keep
 * every nonzero product far above the subnormal range, so no absolute underflow term is needed.
 */
class GemmProperties {
  /** Unit roundoff of float32. */
  static final double EPS = Math.ulp(1f) / 2;

  /** Both kernels are within gamma_{K+3} of the exact value: 2 and a little slack (see the class doc). */
  static final double ERROR_FACTOR = 2.01;

  /** Roundings per term beyond K (see the class doc). */
  static final int EXTRA_ROUNDINGS = 3;

  private static final int MAX_DIM = 300;

  private static final GemmKernel SCALAR = Kernels.scalar().gemm();
  private static final int[] VECTOR_BITS = {128, 256, 512};
  private static final List<GemmKernel> VECTOR = List.of(
      Kernels.vector(VECTOR_BITS[0]).gemm(), Kernels.vector(VECTOR_BITS[1]).gemm(), Kernels.vector(VECTOR_BITS[2]).gemm());

  private static final ThreadPool POOL2 = new ThreadPool(2);
  private static final ThreadPool POOL3 = new ThreadPool(3);

  @AfterContainer
  static void closePools() {
    POOL2.close();
    POOL3.close();
  }

  // ------------------------------------------------------------------ generators

  /**
   * One dimension: often a value at an edge of the kernels (0, 1, around the lane counts 4, 8, 16 and the
   * tile sizes 6, 12, 24, 32, 64, around MC = 168 and KC = 256, primes), otherwise uniform in [0, 300].
   */
  @Provide
  static Arbitrary<Integer> dims() {
    return Arbitraries.frequencyOf(
        Tuple.of(
            3,
            Arbitraries.of(
                0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 11, 12, 13, 15, 16, 17, 23, 24, 25, 31, 32, 33, 47, 48, 49, 61,
                63, 64, 65, 97, 127, 128, 129, 167, 168, 169, 251, 255, 256, 257, 293, 300)),
        Tuple.of(2, Arbitraries.integers().between(0, MAX_DIM).withDistribution(RandomDistribution.uniform())));
  }

  private static Arbitrary<Float> scalars() {
    return Arbitraries.frequencyOf(
        Tuple.of(1, Arbitraries.of(0f, 1f, -1f, 0.5f)),
        Tuple.of(1, Arbitraries.floats().between(-2f, 2f).ofScale(2).withDistribution(RandomDistribution.uniform())));
  }

  /**
   * {@code length} floats uniform on the grid of 4 decimals in [-1, 1] (what {@code floats().between(-1,
   * 1).ofScale(4).withDistribution(uniform())} draws), from a generated seed: drawing up to 270 000 floats
   * one by one through jqwik took most of the run time.
   */
  private static Arbitrary<float[]> data(int length) {
    return Arbitraries.longs()
        .withDistribution(RandomDistribution.uniform())
        .map(seed -> uniform(new Rng(seed), length));
  }

  private static float[] uniform(Rng rng, int length) {
    float[] v = new float[length];
    for (int i = 0; i < length; i++) {
      v[i] = (rng.nextInt(20_001) - 10_000) / 10_000f;
    }
    return v;
  }

  /** A storage layout: offset into the array and extra columns of the leading dimension. */
  record Layout(int offset, int pad) {}

  private static Arbitrary<Layout> layouts() {
    return Arbitraries.frequencyOf(
        Tuple.of(2, Arbitraries.just(new Layout(0, 0))),
        Tuple.of(1, Combinators.combine(Arbitraries.integers().between(0, 19), Arbitraries.integers().between(0, 9)).as(Layout::new)));
  }

  /** The shape, transposes, scalars and layouts of one GEMM; generated before the data. */
  record Shape(
      boolean transA, boolean transB, int m, int n, int k, float alpha, float beta, Layout la, Layout lb, Layout lc) {
    int aRows() {
      return transA ? k : m;
    }

    int aCols() {
      return transA ? m : k;
    }

    int bRows() {
      return transB ? n : k;
    }

    int bCols() {
      return transB ? k : n;
    }

    int lda() {
      return aCols() + la.pad;
    }

    int ldb() {
      return bCols() + lb.pad;
    }

    int ldc() {
      return n + lc.pad;
    }

    static int length(int rows, int cols, Layout l) {
      return l.offset + (rows == 0 ? 0 : (rows - 1) * (cols + l.pad) + cols) + l.pad;
    }

    @Override
    public String toString() {
      return "op" + (transA ? "T" : "N") + (transB ? "T" : "N") + " " + m + "x" + k + "x" + n + " alpha=" + alpha
          + " beta=" + beta + " A" + la + " B" + lb + " C" + lc;
    }
  }

  /** A shape and its data: A, B, and C0 (whole arrays, padding included). */
  record Case(Shape s, float[] a, float[] b, float[] c0) {
    @Override
    public String toString() {
      return s.toString();
    }
  }

  @Provide
  Arbitrary<Shape> shapes() {
    return Combinators.combine(
            Arbitraries.of(true, false),
            Arbitraries.of(true, false),
            dims(),
            dims(),
            dims(),
            scalars(),
            scalars(),
            Combinators.combine(layouts(), layouts(), layouts()).as(List::of))
        .as((ta, tb, m, n, k, alpha, beta, ls) -> new Shape(ta, tb, m, n, k, alpha, beta, ls.get(0), ls.get(1), ls.get(2)));
  }

  @Provide
  Arbitrary<Case> cases() {
    return shapes()
        .flatMap(
            s ->
                Combinators.combine(
                        data(Shape.length(s.aRows(), s.aCols(), s.la)),
                        data(Shape.length(s.bRows(), s.bCols(), s.lb)),
                        data(Shape.length(s.m, s.n, s.lc)))
                    .as((a, b, c) -> new Case(s, a, b, c)));
  }

  // ------------------------------------------------------------------ helpers

  private static float[] run(GemmKernel g, Case x, float[] c0, ThreadPool pool) {
    Shape s = x.s;
    float[] c = c0.clone();
    g.gemm(
        s.transA, s.transB, s.m, s.n, s.k, s.alpha, x.a, s.la.offset, s.lda(), x.b, s.lb.offset, s.ldb(), s.beta, c,
        s.lc.offset, s.ldc(), pool);
    return c;
  }

  private static double opA(Case x, int i, int p) {
    Shape s = x.s;
    return s.transA ? x.a[s.la.offset + p * s.lda() + i] : x.a[s.la.offset + i * s.lda() + p];
  }

  private static double opB(Case x, int p, int j) {
    Shape s = x.s;
    return s.transB ? x.b[s.lb.offset + j * s.ldb() + p] : x.b[s.lb.offset + p * s.ldb() + j];
  }

  /** True for the array indices of C that the GEMM writes. */
  private static boolean inC(Shape s, int idx) {
    int rel = idx - s.lc.offset;
    if (rel < 0 || s.n == 0) {
      return false;
    }
    int i = rel / s.ldc();
    int j = rel % s.ldc();
    return i < s.m && j < s.n;
  }

  /**
   * Asserts {@code |got - want| <= ERROR_FACTOR (K + 3) u (|alpha| |A||B| + |beta| |C0|)_ij} inside C, and
   * bit-for-bit equality outside it (padding and offset untouched).
   */
  private static void assertClose(Case x, float[] want, float[] got, String what) {
    Shape s = x.s;
    double scale = ERROR_FACTOR * (s.k + EXTRA_ROUNDINGS) * EPS;
    for (int idx = 0; idx < got.length; idx++) {
      if (!inC(s, idx)) {
        assertEquals(
            Float.floatToRawIntBits(x.c0[idx]), Float.floatToRawIntBits(got[idx]), what + ": wrote outside C at " + idx);
        continue;
      }
      int i = (idx - s.lc.offset) / s.ldc();
      int j = (idx - s.lc.offset) % s.ldc();
      double mag = 0;
      for (int p = 0; p < s.k; p++) {
        mag += Math.abs(opA(x, i, p) * opB(x, p, j));
      }
      double bound = scale * (Math.abs(s.alpha) * mag + (s.beta == 0f ? 0 : Math.abs(s.beta * x.c0[idx])));
      double err = Math.abs((double) got[idx] - want[idx]);
      if (!(err <= bound)) {
        throw new AssertionError(
            what + ": C(" + i + ", " + j + ") = " + got[idx] + ", reference " + want[idx] + ", |diff| " + err
                + " > bound " + bound + " for " + s);
      }
    }
  }

  // ------------------------------------------------------------------ properties

  @Property(tries = 200)
  void vectorMatchesScalar(@ForAll("cases") Case x) {
    float[] want = run(SCALAR, x, x.c0, ThreadPool.sequential());
    for (GemmKernel g : VECTOR) {
      assertClose(x, want, run(g, x, x.c0, ThreadPool.sequential()), "vector " + g);
    }
  }

  /**
   * A batch against a narrow transposed B (at most one vector of columns, K at least one vector: an output layer)
   * goes through blocks of dot products: bit for bit, each row of C is what the product of that row alone gives
   * (the dot-product path of a few rows, {@link GemmMicroKernel#dots}), on every beta, alpha and layout, at 1
   * and 3 threads. Their error is within the bound of {@link #vectorMatchesScalar}: a term goes through at most
   * K / lanes fused multiply-adds in its lane, lanes - 1 lane additions, lanes - 1 remaining steps, alpha and
   * beta, at most K + 3 roundings for K >= lanes.
   */
  @Property(tries = 100)
  void narrowTransposedBIsTheDotProductsOfEachRow(
      @ForAll("dims") int m, @ForAll("narrow") int n, @ForAll("dims") int k, @ForAll("scalars2") float alpha,
      @ForAll("scalars2") float beta, @ForAll("layouts2") List<Layout> ls, @ForAll long seed) {
    Shape s = new Shape(false, true, m, n, k, alpha, beta, ls.get(0), ls.get(1), ls.get(2));
    Rng rng = new Rng(seed);
    Case x = new Case(s, uniform(rng, Shape.length(s.aRows(), s.aCols(), s.la)),
        uniform(rng, Shape.length(s.bRows(), s.bCols(), s.lb)), uniform(rng, Shape.length(s.m, s.n, s.lc)));
    for (int kv = 0; kv < VECTOR.size(); kv++) {
      int lanes = VECTOR_BITS[kv] / Float.SIZE;
      if (n > lanes || k < lanes) {
        continue; // another path
      }
      GemmKernel g = VECTOR.get(kv);
      float[] want = x.c0.clone();
      for (int i = 0; i < m; i++) {
        // row i alone: a 1-row A at row i's offset, C at row i's
        g.gemm(false, true, 1, n, k, alpha, x.a, s.la.offset + i * s.lda(), s.lda(), x.b, s.lb.offset, s.ldb(), beta,
            want, s.lc.offset + i * s.ldc(), s.ldc(), ThreadPool.sequential());
      }
      assertArrayEquals(want, run(g, x, x.c0, ThreadPool.sequential()), g + ", " + s);
      assertArrayEquals(want, run(g, x, x.c0, POOL3), g + ", 3 threads, " + s);
    }
  }

  /** Columns of a narrow B: 1 to 16 (one vector at 512 bits), often the output layer's 10. */
  @Provide
  Arbitrary<Integer> narrow() {
    return Arbitraries.frequencyOf(
        Tuple.of(1, Arbitraries.of(10)), Tuple.of(3, Arbitraries.integers().between(1, 16)));
  }

  @Property(tries = 60)
  void betaZeroDoesNotReadC(@ForAll("cases") Case x) {
    Shape s = x.s;
    Shape s0 = new Shape(s.transA, s.transB, s.m, s.n, s.k, s.alpha, 0f, s.la, s.lb, s.lc);
    Case zero = new Case(s0, x.a, x.b, x.c0);
    float[] nan = x.c0.clone();
    for (int idx = 0; idx < nan.length; idx++) {
      if (inC(s, idx)) {
        nan[idx] = Float.NaN;
      }
    }
    for (GemmKernel g : allKernels()) {
      float[] fromNan = run(g, zero, nan, ThreadPool.sequential());
      float[] fromData = run(g, zero, x.c0, ThreadPool.sequential());
      for (int idx = 0; idx < nan.length; idx++) {
        if (inC(s, idx)) {
          assertFalse(Float.isNaN(fromNan[idx]), g + ": NaN in C leaked through beta = 0 for " + s0);
          assertEquals(
              Float.floatToRawIntBits(fromData[idx]),
              Float.floatToRawIntBits(fromNan[idx]),
              g + ": beta = 0 result depends on C for " + s0);
        }
      }
    }
  }

  @Property(tries = 40)
  void alphaZeroOrEmptyKScalesC(@ForAll("cases") Case x, @ForAll boolean emptyK) {
    Shape s = x.s;
    Shape t = new Shape(s.transA, s.transB, s.m, s.n, emptyK ? 0 : s.k, emptyK ? s.alpha : 0f, s.beta, s.la, s.lb, s.lc);
    Case y = new Case(t, x.a, x.b, x.c0);
    for (GemmKernel g : allKernels()) {
      float[] got = run(g, y, x.c0, ThreadPool.sequential());
      for (int idx = 0; idx < got.length; idx++) {
        float want = inC(s, idx) ? (s.beta == 0f ? 0f : s.beta * x.c0[idx]) : x.c0[idx];
        assertEquals(Float.floatToRawIntBits(want), Float.floatToRawIntBits(got[idx]), g + ": C != beta C0 for " + t);
      }
    }
  }

  /**
   * The fused product and SGD step ({@code gemmSgd}) of every vector width leaves W and V bit for bit as the
   * same kernel's product into G followed by the elementwise step, at 1 and 3 threads, on every transpose,
   * shape (where the kernel fuses: K up to one cache block, not the one-vector path) and storage layout of A
   * and B; C0 serves as W and V (with C's layout).
   */
  @Property(tries = 120)
  void fusedSgdIsTheProductFollowedByTheStep(@ForAll("cases") Case x, @ForAll boolean decay) {
    Shape s = x.s;
    float lr = 0.125f;
    float momentum = 0.9f;
    float weightDecay = decay ? 0.01f : 0f;
    ElementwiseKernel[] steps = {
      Kernels.vector(128).elementwise(), Kernels.vector(256).elementwise(), Kernels.vector(512).elementwise()
    };
    int fusedCases = 0;
    for (int kv = 0; kv < VECTOR.size(); kv++) {
      GemmKernel g = VECTOR.get(kv);
      if (!g.fusesSgd(s.transA, s.transB, s.m, s.n, s.k)) {
        continue;
      }
      fusedCases++;
      // unfused: G = alpha op(A) op(B), then the step row by row (W, V have C's layout)
      float[] gBuf = new float[Math.max(1, s.m * s.n)];
      g.gemm(s.transA, s.transB, s.m, s.n, s.k, s.alpha, x.a, s.la.offset, s.lda(), x.b, s.lb.offset, s.ldb(), 0f,
          gBuf, 0, s.n, ThreadPool.sequential());
      float[] wWant = x.c0.clone();
      float[] vWant = x.c0.clone();
      for (int i = 0; i < s.m; i++) {
        for (int j = 0; j < s.n; j++) {
          vWant[s.lc.offset + i * s.ldc() + j] *= 0.5f;
        }
        steps[kv].sgdStep(wWant, s.lc.offset + i * s.ldc(), gBuf, i * s.n, vWant, s.lc.offset + i * s.ldc(), s.n, lr,
            momentum, weightDecay);
      }
      for (ThreadPool pool : new ThreadPool[] {ThreadPool.sequential(), POOL3}) {
        float[] w = x.c0.clone();
        float[] v = x.c0.clone();
        for (int i = 0; i < s.m; i++) {
          for (int j = 0; j < s.n; j++) {
            v[s.lc.offset + i * s.ldc() + j] *= 0.5f;
          }
        }
        boolean finite = g.gemmSgd(s.transA, s.transB, s.m, s.n, s.k, s.alpha, x.a, s.la.offset, s.lda(), x.b,
            s.lb.offset, s.ldb(), w, s.lc.offset, s.ldc(), v, s.lc.offset, s.ldc(), lr, momentum, weightDecay, pool);
        assertArrayEquals(wWant, w, g + ": W of the fused step for " + s + " on " + pool.parallelism() + " threads");
        assertArrayEquals(vWant, v, g + ": V of the fused step for " + s);
        assertEquals(true, finite, g + ": finite data reported non-finite for " + s);
      }
    }
    if (s.k <= org.fwdlearn.core.Tuning.GEMM_KC && s.transA && s.m > 0 && s.n > 0) {
      assertEquals(VECTOR.size(), fusedCases, "a transposed A with K <= KC always fuses: " + s);
    }
  }

  /**
   * With G = 0 (a zero A) a velocity decaying into the subnormal range is flushed to 0 by the fused step exactly
   * as by the elementwise one (vector lanes and the scalar tail: 37 columns).
   */
  @Example
  void fusedSgdFlushesSubnormalVelocitiesAsTheStep() {
    int m = 13;
    int n = 37;
    int k = 8;
    for (int kv = 0; kv < VECTOR.size(); kv++) {
      float[] w = uniform(new Rng(5), m * n);
      float[] v = new float[m * n];
      for (int i = 0; i < v.length; i++) {
        v[i] = (i % 3 == 0 ? 1 : -1) * (i % 2 == 0 ? 1.05f * Float.MIN_NORMAL : 3e-30f);
      }
      float[] wWant = w.clone();
      float[] vWant = v.clone();
      Kernels.vector(BITS_OF[kv]).elementwise().sgdStep(wWant, 0, new float[m * n], 0, vWant, 0, m * n, 0.1f, 0.9f, 0f);
      assertTrue(g0(vWant), "the elementwise step flushes some velocities");
      VECTOR.get(kv).gemmSgd(true, false, m, n, k, 1f, new float[k * m], 0, m, uniform(new Rng(6), k * n), 0, n, w, 0,
          n, v, 0, n, 0.1f, 0.9f, 0f, ThreadPool.sequential());
      assertArrayEquals(vWant, v, VECTOR.get(kv) + ": V");
      assertArrayEquals(wWant, w, VECTOR.get(kv) + ": W");
    }
  }

  private static final int[] BITS_OF = {128, 256, 512};

  private static boolean g0(float[] v) {
    int zeros = 0;
    for (float x : v) {
      zeros += x == 0f ? 1 : 0;
    }
    return zeros > 0 && zeros < v.length;
  }

  /** A NaN in A reaches W through the fused step, and the step says so. */
  @Example
  void fusedSgdReportsANonFiniteUpdate() {
    int m = 100;
    int n = 70;
    int k = 64;
    float[] a = uniform(new Rng(3), k * m);
    float[] b = uniform(new Rng(4), k * n);
    a[5 * m + 77] = Float.NaN; // row p = 5 of A^T's storage, column i = 77
    for (GemmKernel g : VECTOR) {
      float[] w = new float[m * n];
      float[] v = new float[m * n];
      boolean finite = g.gemmSgd(true, false, m, n, k, 1f, a, 0, m, b, 0, n, w, 0, n, v, 0, n, 0.1f, 0.9f, 0f,
          ThreadPool.sequential());
      assertEquals(false, finite, g + ": a NaN gradient row must be reported");
      assertTrue(Float.isNaN(w[77 * n + 3]) && !Float.isNaN(w[76 * n + 3]), g + ": only row 77 of W is NaN");
    }
  }

  // ------------------------------------------------------------------ zero steps of A

  private static final List<GemmKernel> WHOLE =
      List.of(VectorGemm.plain(128), VectorGemm.plain(256), VectorGemm.plain(512));

  /**
   * A with zero steps in runs and in blocks of rows, as a sparse input has them: per step p of op(A), all rows
   * zero (probability {@code allZero}), or the rows of one random range zero (the rest of the time, half of
   * the steps), whatever else the data holds. In A's storage, so the layout's padding keeps its values.
   */
  private static float[] zeroSteps(Case x, long seed, double allZero) {
    Shape s = x.s;
    return zeroRuns(x.a, s.k, s.m, (p, i) -> s.transA ? s.la.offset + p * s.lda() + i : s.la.offset + i * s.lda() + p,
        new Rng(seed), allZero);
  }

  /**
   * A copy of {@code data} with zero steps: per step p (of {@code steps}), all {@code width} elements {@code at(p,
   * i)} zero in runs (the state changes at one step in five; zero with probability {@code allZero}), or, half of
   * the other steps, those of one random range of i.
   */
  private static float[] zeroRuns(
      float[] data, int steps, int width, java.util.function.IntBinaryOperator at, Rng rng, double allZero) {
    float[] z = data.clone();
    boolean zeroRun = false;
    for (int p = 0; p < steps; p++) {
      if (rng.nextFloat() < 0.2f) {
        zeroRun = rng.nextFloat() < allZero;
      }
      int from = 0;
      int to = zeroRun ? width : 0;
      if (!zeroRun && rng.nextFloat() < 0.5f && width > 0) {
        from = rng.nextInt(width);
        to = from + rng.nextInt(width - from + 1);
      }
      for (int i = from; i < to; i++) {
        z[at.applyAsInt(p, i)] = 0f;
      }
    }
    return z;
  }

  /**
   * Leaving out the zero steps of the packed A strips changes no bit: against the same kernel that multiplies
   * every strip whole, on every path, shape, transpose and layout, at 1 and 3 threads, with the sign of zero
   * in the data (-0 steps are left out too).
   */
  @Property(tries = 120)
  void zeroStepsLeftOutBitForBit(@ForAll("cases") Case x, @ForAll("zeroShares") double allZero, @ForAll long seed) {
    float[] a = zeroSteps(x, seed, allZero);
    if (seed % 2 == 0) {
      for (int i = 0; i < a.length; i++) {
        a[i] = a[i] == 0f && i % 3 == 0 ? -0f : a[i];
      }
    }
    Case sparse = new Case(x.s, a, x.b, x.c0);
    for (int kv = 0; kv < VECTOR.size(); kv++) {
      float[] want = run(WHOLE.get(kv), sparse, x.c0, ThreadPool.sequential());
      assertArrayEquals(want, run(VECTOR.get(kv), sparse, x.c0, ThreadPool.sequential()), VECTOR.get(kv) + ", " + x.s);
      assertArrayEquals(want, run(VECTOR.get(kv), sparse, x.c0, POOL3), VECTOR.get(kv) + ", 3 threads, " + x.s);
    }
  }

  /**
   * A batch (whole strips of NR rows, at most MC) against a transposed B with alpha 1, B at least NR columns
   * and K at least {@link VectorGemm#DIRECT_MIN_K}: the path that reads B in place and multiplies C^T = B A^T. Bit for bit the packed path's C (the same operations per element), with
   * and without zero steps in A, at 1 and 3 threads, on every beta and layout.
   */
  @Property(tries = 80)
  void batchAgainstWeightsReadInPlaceBitForBit(
      @ForAll("batchRows") int m, @ForAll("deepDims") int k, @ForAll("wideDims") int n, @ForAll("scalars2") float beta,
      @ForAll("layouts2") List<Layout> ls, @ForAll long seed, @ForAll boolean sparse) {
    Shape s = new Shape(false, true, m, n, k, 1f, beta, ls.get(0), ls.get(1), ls.get(2));
    Rng rng = new Rng(seed);
    Case x = new Case(s, uniform(rng, Shape.length(s.aRows(), s.aCols(), s.la)),
        uniform(rng, Shape.length(s.bRows(), s.bCols(), s.lb)), uniform(rng, Shape.length(s.m, s.n, s.lc)));
    if (sparse) {
      x = new Case(s, zeroSteps(x, seed, 0.6), x.b, x.c0);
    }
    for (int kv = 0; kv < VECTOR.size(); kv++) {
      float[] want = run(WHOLE.get(kv), x, x.c0, ThreadPool.sequential());
      assertArrayEquals(want, run(VECTOR.get(kv), x, x.c0, ThreadPool.sequential()), VECTOR.get(kv) + ", " + s);
      assertArrayEquals(want, run(VECTOR.get(kv), x, x.c0, POOL3), VECTOR.get(kv) + ", 3 threads, " + s);
    }
  }

  /** Whole strips of 32 rows (NR at 512 bits, a multiple of it at 128 and 256), up to MC. */
  @Provide
  Arbitrary<Integer> batchRows() {
    return Arbitraries.of(32, 64, 96, 128, 160);
  }

  /** At least {@link VectorGemm#DIRECT_MIN_K}, around the K block (256). */
  @Provide
  Arbitrary<Integer> deepDims() {
    return Arbitraries.frequencyOf(
        Tuple.of(1, Arbitraries.of(128, 255, 256, 257, 512, 784)), Tuple.of(1, Arbitraries.integers().between(128, 600)));
  }

  @Provide
  Arbitrary<Integer> wideDims() {
    return Arbitraries.frequencyOf(
        Tuple.of(1, Arbitraries.of(32, 33, 48, 64, 100, 257)), Tuple.of(1, Arbitraries.integers().between(32, 300)));
  }

  @Provide
  Arbitrary<Float> scalars2() {
    return scalars();
  }

  @Provide
  Arbitrary<List<Layout>> layouts2() {
    return Combinators.combine(layouts(), layouts(), layouts()).as(List::of);
  }

  /** B with zero steps as {@link #zeroSteps} gives A: per step p of op(B) (a row), all or a range of its columns. */
  private static float[] zeroStepsOfB(Case x, long seed, double allZero) {
    Shape s = x.s;
    return zeroRuns(x.b, s.k, s.n, (p, j) -> s.transB ? s.lb.offset + j * s.ldb() + p : s.lb.offset + p * s.ldb() + j,
        new Rng(seed ^ 0x5DEECE66DL), allZero);
  }

  /**
   * Zero steps of B's shared strips (the row split: more than MC rows of A) left out, with or without zero steps
   * in A too: the product, and the fused SGD step where the shape fuses, bit for bit those of the kernel that
   * multiplies every strip whole, at 1 and 3 threads.
   */
  @Property(tries = 80)
  void zeroStepsOfBLeftOutBitForBit(
      @ForAll("tallRows") int m, @ForAll("dims") int k, @ForAll("dims") int n, @ForAll boolean ta, @ForAll boolean tb,
      @ForAll("scalars2") float alpha, @ForAll("layouts2") List<Layout> ls, @ForAll long seed, @ForAll boolean sparseA) {
    Shape s = new Shape(ta, tb, m, n, k, alpha, 0f, ls.get(0), ls.get(1), ls.get(2));
    Rng rng = new Rng(seed);
    Case x = new Case(s, uniform(rng, Shape.length(s.aRows(), s.aCols(), s.la)),
        uniform(rng, Shape.length(s.bRows(), s.bCols(), s.lb)), uniform(rng, Shape.length(s.m, s.n, s.lc)));
    x = new Case(s, sparseA ? zeroSteps(x, seed, 0.5) : x.a, zeroStepsOfB(x, seed, 0.6), x.c0);
    for (int kv = 0; kv < VECTOR.size(); kv++) {
      GemmKernel g = VECTOR.get(kv);
      float[] want = run(WHOLE.get(kv), x, x.c0, ThreadPool.sequential());
      assertArrayEquals(want, run(g, x, x.c0, ThreadPool.sequential()), g + ", " + s);
      assertArrayEquals(want, run(g, x, x.c0, POOL3), g + ", 3 threads, " + s);
      if (g.fusesSgd(ta, tb, m, n, k)) {
        float[][] wv = new float[4][];
        for (int t = 0; t < 2; t++) {
          float[] w = x.c0.clone();
          float[] v = x.c0.clone();
          (t == 0 ? WHOLE.get(kv) : g).gemmSgd(ta, tb, m, n, k, alpha, x.a, s.la.offset, s.lda(), x.b, s.lb.offset,
              s.ldb(), w, s.lc.offset, s.ldc(), v, s.lc.offset, s.ldc(), 0.125f, 0.9f, 0f, t == 0 ? ThreadPool.sequential() : POOL3);
          wv[2 * t] = w;
          wv[2 * t + 1] = v;
        }
        assertArrayEquals(wv[0], wv[2], g + ": fused W for " + s);
        assertArrayEquals(wv[1], wv[3], g + ": fused V for " + s);
      }
    }
  }

  /** More rows than MC (168): the row split, whose B block is packed once and shared. */
  @Provide
  Arbitrary<Integer> tallRows() {
    return Arbitraries.frequencyOf(
        Tuple.of(1, Arbitraries.of(169, 180, 255, 300)), Tuple.of(1, Arbitraries.integers().between(169, 300)));
  }

  @Provide
  Arbitrary<Double> zeroShares() {
    return Arbitraries.of(0.3, 0.6, 0.9, 1.0);
  }

  /** The fused product and step with zero steps left out: W and V bit for bit those of the whole strips. */
  @Property(tries = 60)
  void zeroStepsLeftOutOfTheFusedStepBitForBit(@ForAll("cases") Case x, @ForAll long seed) {
    Shape s = x.s;
    Case sparse = new Case(s, zeroSteps(x, seed, 0.7), x.b, x.c0);
    for (int kv = 0; kv < VECTOR.size(); kv++) {
      GemmKernel g = VECTOR.get(kv);
      if (!g.fusesSgd(s.transA, s.transB, s.m, s.n, s.k)) {
        continue;
      }
      float[][] wv = new float[4][];
      for (int t = 0; t < 2; t++) {
        float[] w = x.c0.clone();
        float[] v = x.c0.clone();
        (t == 0 ? WHOLE.get(kv) : g).gemmSgd(s.transA, s.transB, s.m, s.n, s.k, s.alpha, sparse.a, s.la.offset, s.lda(),
            x.b, s.lb.offset, s.ldb(), w, s.lc.offset, s.ldc(), v, s.lc.offset, s.ldc(), 0.125f, 0.9f, 0f,
            t == 0 ? ThreadPool.sequential() : POOL3);
        wv[2 * t] = w;
        wv[2 * t + 1] = v;
      }
      assertArrayEquals(wv[0], wv[2], g + ": W for " + s);
      assertArrayEquals(wv[1], wv[3], g + ": V for " + s);
    }
  }

  /**
   * The zero steps are left out, not multiplied: a NaN in B's row p reaches the rows of C whose strip is not
   * zero at p, and not those whose strip (12 rows: rows 0 to 11) is zero at every step of a run around p.
   */
  @Example
  void aNanMetOnlyByLeftOutZerosDoesNotReachC() {
    int m = 24;
    int k = 64;
    int n = 32;
    float[] a = uniform(new Rng(8), m * k);
    for (int i = 0; i < 12; i++) {
      Arrays.fill(a, i * k + 16, i * k + 48, 0f); // rows 0..11 zero at steps 16..47: half of the steps
    }
    float[] b = uniform(new Rng(9), k * n);
    b[30 * n + 5] = Float.NaN;
    for (int kv = 0; kv < VECTOR.size(); kv++) {
      float[] c = new float[m * n];
      VECTOR.get(kv).gemm(false, false, m, n, k, 1f, a, 0, k, b, 0, n, 0f, c, 0, n, ThreadPool.sequential());
      assertFalse(Float.isNaN(c[3 * n + 5]), VECTOR.get(kv) + ": row 3 meets the NaN only with zeros");
      assertTrue(Float.isNaN(c[12 * n + 5]), VECTOR.get(kv) + ": row 12 meets it with a nonzero");
      float[] whole = new float[m * n];
      WHOLE.get(kv).gemm(false, false, m, n, k, 1f, a, 0, k, b, 0, n, 0f, whole, 0, n, ThreadPool.sequential());
      assertTrue(Float.isNaN(whole[3 * n + 5]), WHOLE.get(kv) + ": multiplied whole, 0 * NaN is NaN");
    }
  }

  @Property(tries = 40)
  void sameBitsWhateverTheThreadCount(@ForAll("cases") Case x) {
    for (GemmKernel g : allKernels()) {
      float[] one = run(g, x, x.c0, ThreadPool.sequential());
      assertArrayEquals(one, run(g, x, x.c0, POOL2), g + ": 2 threads differ from 1 for " + x.s);
      assertArrayEquals(one, run(g, x, x.c0, POOL3), g + ": 3 threads differ from 1 for " + x.s);
    }
  }

  /**
   * Shapes (M, K, N) large enough that every kernel splits the work: VectorGemm's column split (M <= 168),
   * row split (M > 168) and one-vector path (N = 10).
   */
  @Example
  void sameBitsWhateverTheThreadCountOnSplitShapes() {
    int[][] shapes = {
      {64, 300, 300}, {300, 257, 129}, {169, 31, 300}, {1000, 64, 20}, {7, 600, 301}, {100, 300, 10}
    };
    for (int[] mkn : shapes) {
      for (boolean ta : new boolean[] {false, true}) {
        for (boolean tb : new boolean[] {false, true}) {
          Shape s = new Shape(ta, tb, mkn[0], mkn[2], mkn[1], 0.75f, 0.5f, new Layout(3, 1), new Layout(0, 0), new Layout(1, 2));
          Rng rng = new Rng(mkn[0] * 31L + mkn[1]);
          Case x =
              new Case(
                  s,
                  uniform(rng, Shape.length(s.aRows(), s.aCols(), s.la)),
                  uniform(rng, Shape.length(s.bRows(), s.bCols(), s.lb)),
                  uniform(rng, Shape.length(s.m, s.n, s.lc)));
          sameBitsWhateverTheThreadCount(x);
        }
      }
    }
  }

  private static List<GemmKernel> allKernels() {
    return List.of(SCALAR, VECTOR.get(0), VECTOR.get(1), VECTOR.get(2));
  }

  // ------------------------------------------------------------------ the facade

  @Property(tries = 100)
  void facadeRejectsMismatchedShapesNamingThem(
      @ForAll("dims") int ar,
      @ForAll("dims") int ac,
      @ForAll("dims") int br,
      @ForAll("dims") int bc,
      @ForAll("dims") int cr,
      @ForAll("dims") int cc,
      @ForAll Transpose ta,
      @ForAll Transpose tb) {
    Matrix a = new Matrix(ar, ac);
    Matrix b = new Matrix(br, bc);
    Matrix c = new Matrix(cr, cc);
    int m = ta.isTransposed() ? ac : ar;
    int ka = ta.isTransposed() ? ar : ac;
    int kb = tb.isTransposed() ? bc : br;
    int n = tb.isTransposed() ? br : bc;
    boolean fits = ka == kb && cr == m && cc == n;
    if (fits) {
      Ops.gemm(ta, tb, 1f, a, b, 0f, c, ThreadPool.sequential());
      return;
    }
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> Ops.gemm(ta, tb, 1f, a, b, 0f, c, ThreadPool.sequential()));
    assertTrue(e.getMessage().contains("A " + a.shape()), e.getMessage());
    assertTrue(e.getMessage().contains("B " + b.shape()), e.getMessage());
    assertTrue(e.getMessage().contains("C is " + c.shape()), e.getMessage());
  }

  @Example
  void facadeRejectsOutputSharingStorageWithAnInput() {
    Matrix big = new Matrix(8, 4);
    Matrix a = big.rows(0, 4);
    Matrix b = new Matrix(4, 4);
    Matrix overlapping = big.rows(3, 7);
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> Ops.gemm(Transpose.N, Transpose.N, 1f, a, b, 0f, a));
    assertTrue(e.getMessage().contains("shares storage with A 4x4"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> Ops.gemm(Transpose.N, Transpose.N, 1f, a, b, 0f, overlapping));
    assertThrows(IllegalArgumentException.class, () -> Ops.gemm(Transpose.N, Transpose.N, 1f, b, a, 0f, overlapping));
    Matrix disjoint = big.rows(4, 8);
    Ops.gemm(Transpose.N, Transpose.N, 1f, a, b, 0f, disjoint);
    assertTrue(Arrays.equals(new float[16], disjoint.toArray()));
  }
}

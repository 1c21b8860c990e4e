package org.fwdlearn.core.kernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.Arrays;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.RandomDistribution;

/**
 * Every {@link ElementwiseKernel} method of the Vector API implementation, at 128, 256 and 512 bits, against
 * {@link ScalarElementwise}. Shapes come first (0, 1, primes, lane counts plus or minus one, random up to 300,
 * non-zero offsets), then data from explicit ranges. Exact operations must agree bit for bit over the whole
 * arrays (so writes outside the range are caught too); reductions and softmax within the bounds derived in
 * {@link VectorElementwise}'s class comment. NaN and infinity appear only in the properties named for them.
 */
class ElementwiseProperties {
  /** Unit roundoff of float, {@code 2^-24}. */
  static final double U = 0x1p-24;
  /** Unit roundoff of double, {@code 2^-53}. */
  static final double UD = 0x1p-53;
  /** Smallest positive normal float; results below it carry absolute, not relative, rounding errors. */
  static final double MIN_NORMAL = 0x1p-126;
  /** Half the spacing of subnormal floats: the absolute error of one rounding that underflows. */
  static final double SUBNORMAL_HALF_ULP = 0x1p-150;
  /**
   * Relative error of the vector softmax's own {@code exp} (Cody-Waite reduction and Cephes' degree-6
   * polynomial, IEEE operations only, see VectorElementwiseTemplate.softmaxRows): an exhaustive sweep of all
   * 1,118,743,632 floats in {@code [-87.33654, 0]} against {@code Math.exp} found at most 1.016 float ulps,
   * i.e. a relative error below {@code 2.04u}; we allow two ulps, {@code 4u}.
   */
  static final double EXP_VECTOR = 4 * U;
  /** Relative error of the reference's {@code (float) Math.exp}: half a float ulp plus one double ulp. */
  static final double EXP_SCALAR = U + 2 * UD;

  static final int[] BITS = {128, 256, 512};
  static final ElementwiseKernel REF = new ScalarElementwise();
  static final ElementwiseKernel[] VECTOR = {
    Kernels.vector(128).elementwise(), Kernels.vector(256).elementwise(), Kernels.vector(512).elementwise()
  };

  /** {@code gamma(n) = n u / (1 - n u)}, the bound of n successive roundings (Higham, ch. 3). */
  static double gamma(long n, double u) {
    return n * u / (1 - n * u);
  }

  // ------------------------------------------------------------------ generators

  /** Lengths 0..300, favouring 0, 1, primes and lane counts (4, 8, 16 and their multiples) plus or minus one. */
  static Arbitrary<Integer> lengths() {
    return Arbitraries.oneOf(
        Arbitraries.of(
            0, 1, 2, 3, 4, 5, 7, 8, 9, 11, 13, 15, 16, 17, 23, 31, 32, 33, 47, 48, 49, 63, 64, 65, 97, 127, 128,
            129, 191, 251, 255, 256, 257, 293, 300),
        Arbitraries.integers().between(0, 300).withDistribution(RandomDistribution.uniform()));
  }

  static Arbitrary<Integer> offsets() {
    return Arbitraries.integers().between(0, 19);
  }

  /** Floats in [lo, hi] with six decimals, uniform, -0 as a special value. */
  static Arbitrary<Float> floats(float lo, float hi) {
    return Arbitraries.floats()
        .between(lo, hi)
        .ofScale(6)
        .withDistribution(RandomDistribution.uniform())
        .withSpecialValue(-0f);
  }

  /** An array of {@code size} floats from the element arbitrary. */
  static Arbitrary<float[]> array(Arbitrary<Float> element, int size) {
    return element.list().ofSize(size).map(ElementwiseProperties::toArray);
  }

  static float[] toArray(List<Float> list) {
    float[] a = new float[list.size()];
    for (int i = 0; i < a.length; i++) {
      a[i] = list.get(i);
    }
    return a;
  }

  /**
   * A range {@code [off, off + len)} inside three arrays of {@code off + len + 5} elements or more, filled from
   * {@code element} everywhere (so writes outside the range change the compared arrays).
   */
  record Span(int len, int off, float[] a, float[] b, float[] c) {
    @Override
    public String toString() {
      return "Span[len=" + len + ", off=" + off + ", a=" + Arrays.toString(a) + ", b=" + Arrays.toString(b) + "]";
    }
  }

  static Arbitrary<Span> spans(Arbitrary<Float> element) {
    return lengths()
        .flatMap(
            n ->
                Combinators.combine(
                        offsets(), array(element, n + 24), array(element, n + 24), array(element, n + 24))
                    .as((off, a, b, c) -> new Span(n, off, a, b, c)));
  }

  /** An r x c block at an offset in an array with slack after it. */
  record Block(int rows, int cols, int off, float[] x) {
    @Override
    public String toString() {
      return "Block[" + rows + "x" + cols + ", off=" + off + ", x=" + Arrays.toString(x) + "]";
    }
  }

  static Arbitrary<Block> blocks(Arbitrary<Float> element) {
    return Combinators.combine(Arbitraries.integers().between(0, 5), lengths())
        .as((r, c) -> new int[] {r, c})
        .flatMap(
            rc ->
                Combinators.combine(offsets(), array(element, rc[0] * rc[1] + 24))
                    .as((off, x) -> new Block(rc[0], rc[1], off, x)));
  }

  @Provide
  Arbitrary<Span> unit() {
    return spans(floats(-4f, 4f));
  }

  @Provide
  Arbitrary<Block> logits() {
    return blocks(floats(-50f, 50f));
  }

  @Provide
  Arbitrary<Block> moderate() {
    return blocks(floats(-4f, 4f));
  }

  /** Few distinct values, so rows hold ties (and both zeros). */
  @Provide
  Arbitrary<Block> ties() {
    return blocks(Arbitraries.of(-3f, -2f, -1f, -0f, 0f, 1f, 2f, 3f));
  }

  // ------------------------------------------------------------------ exact comparison

  /** A kernel call on (copies of) the arrays. */
  interface Call {
    void run(ElementwiseKernel k, float[][] arrays);
  }

  static float[][] copies(float[][] arrays) {
    float[][] c = new float[arrays.length][];
    for (int i = 0; i < arrays.length; i++) {
      c[i] = arrays[i].clone();
    }
    return c;
  }

  /** Runs the call on the reference and on every width, on fresh copies, and requires every array equal bit for bit. */
  static void sameAsReference(String op, Call call, float[]... arrays) {
    float[][] expected = copies(arrays);
    call.run(REF, expected);
    for (int w = 0; w < BITS.length; w++) {
      float[][] actual = copies(arrays);
      call.run(VECTOR[w], actual);
      for (int i = 0; i < arrays.length; i++) {
        for (int j = 0; j < expected[i].length; j++) {
          if (!sameBits(expected[i][j], actual[i][j])) {
            fail(op + " at " + BITS[w] + " bits: array " + i + " differs at index " + j + ": reference "
                + expected[i][j] + ", vector " + actual[i][j]);
          }
        }
      }
    }
  }

  /** Equal bits, or both NaN (NaN payloads are not specified by Java arithmetic). */
  static boolean sameBits(float a, float b) {
    return Float.floatToRawIntBits(a) == Float.floatToRawIntBits(b) || (Float.isNaN(a) && Float.isNaN(b));
  }

  // ------------------------------------------------------------------ exact kernels

  @Property(tries = 300, seed = "101")
  void reluIsExact(@ForAll("unit") Span s) {
    sameAsReference("relu", (k, a) -> k.relu(a[0], s.off(), a[1], s.off() + 3, s.len()), s.a(), s.b());
    sameAsReference("relu in place", (k, a) -> k.relu(a[0], s.off(), a[0], s.off(), s.len()), s.a());
  }

  @Property(tries = 300, seed = "102")
  void reluMaskIsExact(@ForAll("unit") Span s) {
    sameAsReference("reluMask", (k, a) -> k.reluMask(a[0], s.off(), a[1], 5 - s.off() % 5, s.len()), s.a(), s.b());
  }

  @Property(tries = 300, seed = "103")
  void reluBackwardIsExact(@ForAll("unit") Span s) {
    sameAsReference("reluBackward", (k, a) -> k.reluBackward(a[0], s.off(), a[1], 2, s.len()), s.a(), s.b());
    sameAsReference("reluBackward in place", (k, a) -> k.reluBackward(a[0], s.off(), a[0], s.off(), s.len()), s.a());
  }

  @Property(tries = 300, seed = "104")
  void scaleAndDivideAreExact(
      @ForAll("unit") Span s, @ForAll("factors") float alpha, @ForAll("factors") float d) {
    sameAsReference("scale", (k, a) -> k.scale(alpha, a[0], s.off(), s.len()), s.a());
    sameAsReference("divide", (k, a) -> k.divide(a[0], s.off(), s.len(), d), s.a());
  }

  @Provide
  Arbitrary<Float> factors() {
    return Arbitraries.oneOf(floats(-10f, -0.01f), floats(0.01f, 10f), Arbitraries.of(1f, 3f, 0.1f));
  }

  @Property(tries = 300, seed = "105")
  void axpyIsExact(@ForAll("unit") Span s, @ForAll("factors") float alpha) {
    sameAsReference("axpy", (k, a) -> k.axpy(alpha, a[0], s.off(), a[1], 1, s.len()), s.a(), s.b());
  }

  @Property(tries = 300, seed = "106")
  void hadamardAndSubAreExact(@ForAll("unit") Span s) {
    int o = s.off();
    sameAsReference("hadamard", (k, a) -> k.hadamard(a[0], o, a[1], 4, a[2], 1, s.len()), s.a(), s.b(), s.c());
    sameAsReference("hadamard into x", (k, a) -> k.hadamard(a[0], o, a[1], 4, a[0], o, s.len()), s.a(), s.b());
    sameAsReference("sub", (k, a) -> k.sub(a[0], o, a[1], 4, a[2], 1, s.len()), s.a(), s.b(), s.c());
    sameAsReference("sub into y", (k, a) -> k.sub(a[0], o, a[1], 4, a[1], 4, s.len()), s.a(), s.b());
  }

  @Property(tries = 300, seed = "107")
  void columnSumsAreExact(@ForAll("moderate") Block b) {
    float[] out = new float[b.cols() + 9];
    Arrays.fill(out, 7f);
    sameAsReference("columnSums", (k, a) -> k.columnSums(a[0], b.off(), b.rows(), b.cols(), a[1], 2), b.x(), out);
  }

  @Property(tries = 300, seed = "108")
  void sgdStepIsExact(
      @ForAll("unit") Span s,
      @ForAll("rates") float lr,
      @ForAll("momenta") float momentum,
      @ForAll("decays") float weightDecay) {
    sameAsReference(
        "sgdStep",
        (k, a) -> k.sgdStep(a[0], s.off(), a[1], 3, a[2], 1, s.len(), lr, momentum, weightDecay),
        s.a(),
        s.b(),
        s.c());
  }

  @Provide
  Arbitrary<Float> rates() {
    return floats(0.0001f, 1f);
  }

  @Provide
  Arbitrary<Float> momenta() {
    return floats(0f, 0.99f);
  }

  @Provide
  Arbitrary<Float> decays() {
    return floats(0f, 0.1f);
  }

  @Property(tries = 300, seed = "109")
  void argmaxIsExactWithTies(@ForAll("ties") Block b) {
    argmaxAgrees(b);
  }

  @Property(tries = 200, seed = "110")
  void argmaxIsExact(@ForAll("logits") Block b) {
    argmaxAgrees(b);
  }

  static void argmaxAgrees(Block b) {
    int[] expected = new int[b.rows() + 2];
    REF.argmaxRows(b.x(), b.off(), b.rows(), b.cols(), expected, 1);
    for (int w = 0; w < BITS.length; w++) {
      int[] actual = new int[b.rows() + 2];
      VECTOR[w].argmaxRows(b.x(), b.off(), b.rows(), b.cols(), actual, 1);
      assertArrayEquals(expected, actual, "argmaxRows at " + BITS[w] + " bits");
    }
  }

  /** The exp-sum stays the reference's double loop and the maximum is exact, so the result is identical. */
  @Property(tries = 300, seed = "111")
  void meanCrossEntropyIsExact(@ForAll("logits") Block b, @ForAll("seeds") long seed) {
    int[] labels = labels(b, seed);
    double expected = REF.meanCrossEntropy(b.x(), b.off(), b.rows(), b.cols(), labels, 1);
    for (int w = 0; w < BITS.length; w++) {
      double actual = VECTOR[w].meanCrossEntropy(b.x(), b.off(), b.rows(), b.cols(), labels, 1);
      assertEquals(expected, actual, 0.0, "meanCrossEntropy at " + BITS[w] + " bits");
    }
  }

  @Provide
  Arbitrary<Long> seeds() {
    return Arbitraries.longs();
  }

  /** Labels in [0, cols) from a seed, at offset 1 (a block with no columns gets zero rows of labels to read). */
  static int[] labels(Block b, long seed) {
    int[] labels = new int[b.rows() + 1];
    java.util.SplittableRandom r = new java.util.SplittableRandom(seed);
    for (int i = 1; i < labels.length; i++) {
      labels[i] = b.cols() == 0 ? 0 : r.nextInt(b.cols());
    }
    return labels;
  }

  // ------------------------------------------------------------------ reductions and softmax

  /**
   * {@code |s_vector - s_reference| <= (gamma_f(SUM_BLOCK + lanes) + 2 gamma_d(len)) sum x^2 + len 2^-149}:
   * the float blocks' bound plus the double parts of both, and an absolute term for roundings that underflow.
   */
  static double sumSquaresBound(double reference, int len, int lanes) {
    double g = gamma(VectorElementwise.SUM_BLOCK + lanes, U) + 2 * gamma(len, UD);
    double exactUpper = reference / (1 - gamma(len, UD));
    return g * exactUpper + len * 2 * SUBNORMAL_HALF_ULP;
  }

  @Property(tries = 300, seed = "112")
  void sumSquaresWithinBound(@ForAll("unit") Span s) {
    double expected = REF.sumSquares(s.a(), s.off(), s.len());
    for (int w = 0; w < BITS.length; w++) {
      double actual = VECTOR[w].sumSquares(s.a(), s.off(), s.len());
      double bound = sumSquaresBound(expected, s.len(), BITS[w] / 32);
      assertTrue(
          Math.abs(actual - expected) <= bound,
          "sumSquares at " + BITS[w] + " bits: " + actual + " vs " + expected + ", bound " + bound);
    }
  }

  /** Long vectors: many blocks, where a plain float accumulation would exceed the block bound. */
  @Property(tries = 20, seed = "113")
  void sumSquaresOfLongVectorsWithinBound(@ForAll("longLengths") int len, @ForAll("seeds") long seed) {
    float[] x = new float[len + 3];
    java.util.SplittableRandom r = new java.util.SplittableRandom(seed);
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) (r.nextDouble() * 2 - 0.5);
    }
    double expected = REF.sumSquares(x, 3, len);
    for (int w = 0; w < BITS.length; w++) {
      double actual = VECTOR[w].sumSquares(x, 3, len);
      double bound = sumSquaresBound(expected, len, BITS[w] / 32);
      assertTrue(
          Math.abs(actual - expected) <= bound,
          "sumSquares(" + len + ") at " + BITS[w] + " bits: " + actual + " vs " + expected + ", bound " + bound);
    }
  }

  /**
   * One element of square 1 among many whose squares (about 2^-26) fall below half an ulp of 1: an accumulator
   * holding the large one absorbs every later small square. The blocks limit that loss to SUM_BLOCK squares;
   * one float accumulator per lane over the whole length would lose thousands and break the bound.
   */
  @Property(tries = 20, seed = "121")
  void sumSquaresAbsorptionStaysWithinBlockBound(
      @ForAll("longLengths") int len, @ForAll("seeds") long seed) {
    float[] x = new float[len];
    java.util.SplittableRandom r = new java.util.SplittableRandom(seed);
    for (int i = 0; i < len; i++) {
      float d = (float) (0x1p-13 * (1 + r.nextDouble()) * (r.nextBoolean() ? 1 : -1));
      x[i] = d;
    }
    x[r.nextInt(Math.min(len, 64))] = 1f;
    double expected = REF.sumSquares(x, 0, len);
    for (int w = 0; w < BITS.length; w++) {
      double actual = VECTOR[w].sumSquares(x, 0, len);
      double bound = sumSquaresBound(expected, len, BITS[w] / 32);
      assertTrue(
          Math.abs(actual - expected) <= bound,
          "sumSquares(" + len + ") with absorption at " + BITS[w] + " bits: " + actual + " vs " + expected
              + ", bound " + bound);
    }
  }

  @Provide
  Arbitrary<Integer> longLengths() {
    return Arbitraries.integers().between(1000, 200_000);
  }

  /**
   * Row norms: with {@code E} the sum-of-squares bound, {@code |sqrt(s_v) - sqrt(s_r)| <= E / sqrt(s_r)} (or
   * {@code sqrt(E)} for a zero row), plus the two roundings to double and float of each result.
   */
  @Property(tries = 300, seed = "114")
  void rowNormsWithinBound(@ForAll("moderate") Block b) {
    float[] expected = new float[b.rows() + 2];
    REF.rowNorms(b.x(), b.off(), b.rows(), b.cols(), expected, 1);
    for (int w = 0; w < BITS.length; w++) {
      float[] actual = new float[b.rows() + 2];
      VECTOR[w].rowNorms(b.x(), b.off(), b.rows(), b.cols(), actual, 1);
      assertEquals(0f, actual[0]);
      assertEquals(0f, actual[actual.length - 1]);
      for (int r = 0; r < b.rows(); r++) {
        double sr = REF.sumSquares(b.x(), b.off() + r * b.cols(), b.cols());
        double e = sumSquaresBound(sr, b.cols(), BITS[w] / 32);
        double sqrtDiff = sr > 0 ? Math.min(e / Math.sqrt(sr), Math.sqrt(e)) : Math.sqrt(e);
        double o = expected[r + 1];
        double v = actual[r + 1];
        double bound = sqrtDiff + (U + 2 * UD) * (Math.abs(o) + Math.abs(v)) * (1 + U) + 2 * SUBNORMAL_HALF_ULP;
        assertTrue(
            Math.abs(v - o) <= bound,
            "rowNorms row " + r + " at " + BITS[w] + " bits: " + v + " vs " + o + ", bound " + bound);
      }
    }
  }

  /**
   * One implementation's relative error on {@code y_j}: {@code (1 + u)^2 (1 + r) / (1 - |s|) - 1} with {@code
   * |s| <= r + gamma(cols - 1)(1 + r)} (see {@link VectorElementwise}).
   */
  static double softmaxRelative(double expRelative, int cols) {
    double s = expRelative + gamma(Math.max(cols - 1, 0), U) * (1 + expRelative);
    return (1 + U) * (1 + U) * (1 + expRelative) / (1 - s) - 1;
  }

  /**
   * {@code |y_v - y_r| <= (b_v + b_r) y_exact + 2 * 2^-126}, {@code y_exact <= |y_r| / (1 - b_r)}; the absolute
   * term covers exponentials that land below the normal range in either implementation (S >= 1, so the
   * division does not enlarge it).
   */
  static void softmaxClose(float[] expected, float[] actual, int off, int rows, int cols, int bits) {
    double bv = softmaxRelative(EXP_VECTOR, cols);
    double br = softmaxRelative(EXP_SCALAR, cols);
    for (int i = 0; i < expected.length; i++) {
      boolean inside = i >= off && i < off + rows * cols;
      if (!inside) {
        assertTrue(sameBits(expected[i], actual[i]), "softmaxRows wrote outside its block at " + i);
        continue;
      }
      double bound = (bv + br) * Math.abs(expected[i]) / (1 - br) + 2 * MIN_NORMAL;
      if (!(Math.abs(actual[i] - expected[i]) <= bound)) {
        fail("softmaxRows at " + bits + " bits, element " + (i - off) + " of " + rows + "x" + cols + ": "
            + actual[i] + " vs " + expected[i] + ", bound " + bound);
      }
    }
  }

  @Property(tries = 300, seed = "115")
  void softmaxRowsWithinBound(@ForAll("logits") Block b) {
    float[] expected = b.x().clone();
    float[] in = b.x();
    REF.softmaxRows(in, b.off(), expected, b.off(), b.rows(), b.cols());
    for (int w = 0; w < BITS.length; w++) {
      float[] actual = b.x().clone();
      VECTOR[w].softmaxRows(in, b.off(), actual, b.off(), b.rows(), b.cols());
      softmaxClose(expected, actual, b.off(), b.rows(), b.cols(), BITS[w]);
      float[] inPlace = b.x().clone();
      VECTOR[w].softmaxRows(inPlace, b.off(), inPlace, b.off(), b.rows(), b.cols());
      softmaxClose(expected, inPlace, b.off(), b.rows(), b.cols(), BITS[w]);
    }
  }

  /**
   * The block at the very end of its array: the masked tails of the row kernels then reach past the array
   * and must neither fault nor read what is not there.
   */
  @Property(tries = 200, seed = "122")
  void rowKernelsAtTheEndOfTheArray(@ForAll("logits") Block b) {
    int size = b.rows() * b.cols();
    float[] x = Arrays.copyOfRange(b.x(), 0, b.off() + size);
    Block tight = new Block(b.rows(), b.cols(), b.off(), x);
    argmaxAgrees(tight);
    float[] expected = x.clone();
    REF.softmaxRows(expected, b.off(), expected, b.off(), b.rows(), b.cols());
    for (int w = 0; w < BITS.length; w++) {
      float[] actual = x.clone();
      VECTOR[w].softmaxRows(actual, b.off(), actual, b.off(), b.rows(), b.cols());
      softmaxClose(expected, actual, b.off(), b.rows(), b.cols(), BITS[w]);
    }
  }

  // ------------------------------------------------------------------ NaN and infinity

  /** A span of unit data with NaN, +inf or -inf written at up to three positions inside the range. */
  record Poisoned(Span span, float[] poison, int[] at) {}

  @Provide
  Arbitrary<Poisoned> poisoned() {
    return unit()
        .flatMap(
            s ->
                Combinators.combine(
                        Arbitraries.of(Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY)
                            .list()
                            .ofMinSize(0)
                            .ofMaxSize(s.len() == 0 ? 0 : 3),
                        Arbitraries.integers().between(0, Math.max(s.len() - 1, 0)).list().ofSize(3))
                    .as(
                        (p, at) -> {
                          float[] poison = toArray(p);
                          int[] idx = at.stream().mapToInt(Integer::intValue).toArray();
                          return new Poisoned(s, poison, idx);
                        }));
  }

  static float[] poison(Poisoned p) {
    float[] a = p.span().a().clone();
    for (int i = 0; i < p.poison().length; i++) {
      a[p.span().off() + p.at()[i]] = p.poison()[i];
    }
    return a;
  }

  @Property(tries = 300, seed = "116")
  void allFiniteFindsNaNAndInfinity(@ForAll("poisoned") Poisoned p) {
    Span s = p.span();
    float[] a = poison(p);
    boolean expected = p.poison().length == 0;
    assertEquals(expected, REF.allFinite(a, s.off(), s.len()), "reference");
    for (int w = 0; w < BITS.length; w++) {
      assertEquals(expected, VECTOR[w].allFinite(a, s.off(), s.len()), "allFinite at " + BITS[w] + " bits");
    }
  }

  /**
   * sgdStep's result flag is allFinite of the updated W, for the reference and every width: with NaN or
   * infinity among the gradients (the poisoned span as G), and with weights near the largest float, whose
   * step overflows.
   */
  @Property(tries = 300, seed = "118")
  void sgdStepReportsWhetherTheUpdatedWeightsAreFinite(@ForAll("poisoned") Poisoned p, @ForAll boolean huge) {
    Span s = p.span();
    float[] g = poison(p);
    float[] w0 = s.b().clone();
    if (huge) {
      for (int i = 0; i < w0.length; i++) {
        w0[i] = w0[i] >= 0 ? Float.MAX_VALUE : -Float.MAX_VALUE;
      }
    }
    ElementwiseKernel[] kernels = new ElementwiseKernel[BITS.length + 1];
    kernels[0] = REF;
    System.arraycopy(VECTOR, 0, kernels, 1, BITS.length);
    float[] expectedW = null;
    for (ElementwiseKernel k : kernels) {
      float[] w = w0.clone();
      float[] v = s.c().clone();
      // lr 1, momentum 0.5, decay 1: with |W| = MAX_VALUE, V = 0.5 V + G + W may overflow, and W - V with it
      boolean finite = k.sgdStep(w, 3, g, s.off(), v, 1, s.len(), 1f, 0.5f, 1f);
      assertEquals(REF.allFinite(w, 3, s.len()), finite, k + ": flag against allFinite of the updated W");
      if (expectedW == null) {
        expectedW = w;
      } else {
        assertTrue(Arrays.equals(expectedW, w), k + ": the same W as the reference");
      }
    }
  }

  /**
   * The dropout mask of every kernel is the element-by-element draw {@code Rng.nextFloat() < p ? 0 : keep}
   * from a generator in the given state (any state, including ones whose counters wrap), bit for bit, at any
   * offset and length, and the threshold ceil(p 2^24) decides exactly as the float comparison.
   */
  @Property(tries = 300, seed = "119")
  void dropoutMaskIsTheReferenceStream(
      @ForAll @net.jqwik.api.constraints.IntRange(min = 0, max = 300) int len,
      @ForAll @net.jqwik.api.constraints.IntRange(min = 0, max = 17) int off,
      @ForAll long state,
      @ForAll("probabilities") float p) {
    float keep = 1f / (1f - p);
    long threshold = (long) Math.ceil(p * 0x1.0p24);
    float[] expected = new float[off + len + 3];
    java.util.Arrays.fill(expected, -1f);
    org.fwdlearn.core.Rng rng = new org.fwdlearn.core.Rng(0);
    rng.restore(state);
    for (int i = 0; i < len; i++) {
      expected[off + i] = rng.nextFloat() < p ? 0f : keep;
    }
    ElementwiseKernel[] kernels = new ElementwiseKernel[BITS.length + 1];
    kernels[0] = REF;
    System.arraycopy(VECTOR, 0, kernels, 1, BITS.length);
    for (ElementwiseKernel k : kernels) {
      float[] d = new float[off + len + 3];
      java.util.Arrays.fill(d, -1f);
      k.dropoutMask(d, off, len, threshold, keep, state);
      assertTrue(Arrays.equals(expected, d), k + ": p " + p + ", state " + state + ", len " + len);
    }
  }

  @Provide
  Arbitrary<Float> probabilities() {
    // ordinary rates, and p at and next to multiples of 2^-24, where the threshold's rounding matters
    return Arbitraries.oneOf(
        floats(0f, 0.99f),
        Arbitraries.integers().between(0, 1 << 23).flatMap(m -> Arbitraries.of(
            m * 0x1.0p-24f, Math.nextUp(m * 0x1.0p-24f), Math.max(0f, Math.nextDown(m * 0x1.0p-24f)))));
  }

  @Property(tries = 300, seed = "117")
  void reluMasksAndBackwardKeepNaNAndInfinityAsReference(@ForAll("poisoned") Poisoned p) {
    Span s = p.span();
    float[] a = poison(p);
    sameAsReference("relu", (k, arr) -> k.relu(arr[0], s.off(), arr[1], 0, s.len()), a, s.b());
    sameAsReference("reluMask", (k, arr) -> k.reluMask(arr[0], s.off(), arr[1], 0, s.len()), a, s.b());
    sameAsReference("reluBackward", (k, arr) -> k.reluBackward(arr[0], s.off(), arr[1], 0, s.len()), a, s.b());
    sameAsReference("reluBackward of NaN d", (k, arr) -> k.reluBackward(arr[1], 0, arr[0], s.off(), s.len()), a, s.b());
  }

  /** Whole rows poisoned: NaN is the maximum and the first NaN wins; infinities are ordinary extremes. */
  @Property(tries = 300, seed = "118")
  void argmaxWithNaNAndInfinityIsExact(@ForAll("poisoned") Poisoned p) {
    Span s = p.span();
    float[] a = poison(p);
    int cols = Math.max(s.len() / 3, 1);
    int rows = s.len() / cols;
    argmaxAgrees(new Block(rows, cols, s.off(), a));
  }

  /**
   * Masked logits: -inf entries give exactly 0 in both implementations and the rest stays within the softmax
   * bound (a row needs one finite entry, else both give NaN).
   */
  @Property(tries = 200, seed = "119")
  void softmaxWithNegativeInfinityWithinBound(@ForAll("logits") Block b, @ForAll("seeds") long seed) {
    float[] x = b.x().clone();
    java.util.SplittableRandom r = new java.util.SplittableRandom(seed);
    for (int i = 0; i < b.rows() * b.cols(); i++) {
      if (i % Math.max(b.cols(), 1) != 0 && r.nextInt(3) == 0) {
        x[b.off() + i] = Float.NEGATIVE_INFINITY;
      }
    }
    float[] expected = x.clone();
    REF.softmaxRows(x, b.off(), expected, b.off(), b.rows(), b.cols());
    for (int w = 0; w < BITS.length; w++) {
      float[] actual = x.clone();
      VECTOR[w].softmaxRows(x, b.off(), actual, b.off(), b.rows(), b.cols());
      softmaxClose(expected, actual, b.off(), b.rows(), b.cols(), BITS[w]);
      for (int i = 0; i < b.rows() * b.cols(); i++) {
        if (x[b.off() + i] == Float.NEGATIVE_INFINITY) {
          assertEquals(0f, actual[b.off() + i], "exp(-inf) at " + i);
        }
      }
    }
  }

  @Property(tries = 100, seed = "120")
  void softmaxOfRowWithNaNIsNaNAsReference(@ForAll("poisoned") Poisoned p) {
    Span s = p.span();
    float[] a = poison(p);
    int cols = Math.max(s.len() / 2, 1);
    int rows = s.len() / cols;
    float[] expected = a.clone();
    REF.softmaxRows(a, s.off(), expected, s.off(), rows, cols);
    for (int w = 0; w < BITS.length; w++) {
      float[] actual = a.clone();
      VECTOR[w].softmaxRows(a, s.off(), actual, s.off(), rows, cols);
      for (int i = 0; i < actual.length; i++) {
        assertEquals(Float.isNaN(expected[i]), Float.isNaN(actual[i]), "NaN-ness at " + i + ", " + BITS[w] + " bits");
      }
    }
  }

  // ------------------------------------------------------------------ base plus a product of small inner dimension

  /**
   * A rows x cols block (row stride ld >= cols) for base, out, h and the mask, E rows x k, Q k x cols (stride ld);
   * E has whole zero rows and zero entries, as PEPITA's error can.
   */
  record LowRank(int rows, int cols, int k, int ld, float alpha, float[] base, float[] e, float[] q, float[] mask) {
    @Override
    public String toString() {
      return "LowRank[" + rows + "x" + cols + ", k=" + k + ", ld=" + ld + ", alpha=" + alpha + "]";
    }
  }

  @Provide
  Arbitrary<LowRank> lowRanks() {
    Arbitrary<Float> unit = floats(-4f, 4f);
    Arbitrary<Float> sparse = Arbitraries.frequencyOf(
        net.jqwik.api.Tuple.of(3, Arbitraries.just(0f)), net.jqwik.api.Tuple.of(7, unit));
    return Combinators.combine(
            Arbitraries.integers().between(0, 7), lengths(), Arbitraries.integers().between(0, 12),
            Arbitraries.integers().between(0, 5))
        .as((r, c, k, pad) -> new int[] {r, c, k, c + pad})
        .flatMap(d -> Combinators.combine(
                factors(), array(unit, d[0] * d[3] + 3), array(sparse, d[0] * d[2] + 2), array(unit, d[2] * d[3] + 1),
                array(Arbitraries.of(0f, 1f / 0.9f), d[0] * d[3] + 3))
            .as((alpha, base, e, q, mask) -> new LowRank(d[0], d[1], d[2], d[3], alpha, base, e, q, mask)));
  }

  @Property(tries = 300, seed = "123")
  void addLowRankIsExact(@ForAll("lowRanks") LowRank t) {
    int r = t.rows();
    int c = t.cols();
    int k = t.k();
    int ld = t.ld();
    float[] out = new float[r * ld + 4];
    float[] h = new float[r * ld + 4];
    Arrays.fill(out, 5f);
    Arrays.fill(h, 6f);
    sameAsReference("addLowRank",
        (kn, a) -> kn.addLowRank(a[0], 1, t.alpha(), a[1], 2, k, a[2], 1, a[3], 2, a[4], 3, a[5], 1, r, c, ld,
            scratch(r, k)),
        t.base(), t.e(), t.q(), out, h, t.mask());
    sameAsReference("addLowRank without relu",
        (kn, a) -> kn.addLowRank(a[0], 0, t.alpha(), a[1], 0, k, a[2], 0, a[3], 1, null, 0, null, 0, r, c, ld,
            scratch(r, k)),
        t.base(), t.e(), t.q(), out);
    sameAsReference("addLowRank in place, relu without mask",
        (kn, a) -> kn.addLowRank(a[0], 2, t.alpha(), a[1], 2, k, a[2], 1, a[0], 2, a[0], 2, null, 0, r, c, ld,
            scratch(r, k)),
        t.base(), t.e(), t.q());
  }

  /** Scratch of {@link ElementwiseKernel#addLowRank}, filled with garbage. */
  static float[] scratch(int rows, int k) {
    float[] s = new float[(ElementwiseKernel.LOW_RANK_SCRATCH + rows) * k];
    Arrays.fill(s, Float.NaN);
    return s;
  }
}

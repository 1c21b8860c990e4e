package org.fwdlearn.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * The validating facade: shape and aliasing checks with messages naming the shapes, and the operations that
 * live in the facade itself (one-hot, dropout masks, normalisation). Kernel arithmetic is covered by
 * {@code ElementwiseProperties}.
 */
class OpsTest {
  /** Asserts an IllegalArgumentException whose message contains every fragment. */
  static void rejects(Executable call, String... fragments) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
    for (String f : fragments) {
      assertTrue(e.getMessage().contains(f), () -> "message \"" + e.getMessage() + "\" does not name " + f);
    }
  }

  static Matrix m(int rows, int cols) {
    Matrix x = new Matrix(rows, cols);
    for (int i = 0; i < x.size(); i++) {
      x.data()[i] = i - 2.5f;
    }
    return x;
  }

  // ------------------------------------------------------------------ shape mismatches

  @Test
  void gemmNamesAllShapes() {
    rejects(() -> Ops.gemm(Transpose.N, Transpose.N, 1f, m(2, 3), m(4, 5), 0f, m(2, 5)), "2x3", "4x5", "2x5");
    rejects(() -> Ops.gemm(Transpose.T, Transpose.N, 1f, m(2, 3), m(2, 5), 0f, m(2, 5)), "2x3", "2x5", "3x5");
    rejects(() -> Ops.mul(m(2, 3), m(3, 4), m(3, 4)), "2x3", "3x4");
  }

  @Test
  void binaryElementwiseOpsNameBothShapes() {
    Matrix a = m(2, 3);
    Matrix b = m(3, 2);
    List<Consumer<Matrix[]>> ops =
        List.of(
            p -> Ops.relu(p[0], p[1]),
            p -> Ops.reluMask(p[0], p[1]),
            p -> Ops.reluBackward(p[0], p[1]),
            p -> Ops.softmaxRows(p[0], p[1]),
            p -> Ops.axpy(2f, p[0], p[1]),
            p -> Ops.hadamard(p[0], p[1], new Matrix(2, 3)),
            p -> Ops.sub(p[0], p[1], new Matrix(2, 3)),
            p -> Ops.applyMask(p[0], p[1]),
            p -> Ops.sgdStep(p[0], p[1], new Matrix(2, 3), 0.1f, 0.9f, 0f));
    for (Consumer<Matrix[]> op : ops) {
      rejects(() -> op.accept(new Matrix[] {a, b}), "2x3", "3x2");
    }
    rejects(() -> Ops.hadamard(a, a.copy(), b), "2x3", "3x2");
    rejects(() -> Ops.sub(a, a.copy(), b), "2x3", "3x2");
    rejects(() -> Ops.sgdStep(a, a.copy(), b, 0.1f, 0.9f, 0f), "2x3", "3x2");
  }

  @Test
  void rowOutputsAndLabelsNameLengthAndShape() {
    Matrix x = m(4, 3);
    rejects(() -> Ops.argmaxRows(x, new int[3]), "length 3", "4x3");
    rejects(() -> Ops.rowNorms(x, new float[3]), "length 3", "4x3");
    rejects(() -> Ops.columnSums(x, new float[2]), "length 2", "4x3");
    rejects(() -> Ops.meanCrossEntropy(x, new int[3]), "3 labels", "4x3");
    rejects(() -> Ops.subtractOneHot(x, new int[] {0, 1, 3, 0}), "label 3", "row 2", "4x3");
    rejects(() -> Ops.oneHot(new int[] {0, -1, 2, 0}, x), "label -1", "row 1", "4x3");
  }

  // ------------------------------------------------------------------ aliasing

  /** Two 2x3 views of one 4x3 matrix, one row apart: same shape, partially overlapping storage. */
  static Matrix[] overlappingViews() {
    Matrix whole = m(4, 3);
    return new Matrix[] {whole.rows(0, 2), whole.rows(1, 3)};
  }

  @Test
  void partialOverlapIsRejected() {
    Matrix[] v = overlappingViews();
    Matrix x = v[0];
    Matrix y = v[1];
    rejects(() -> Ops.relu(x, y), "partially overlaps", "2x3");
    rejects(() -> Ops.reluMask(x, y), "partially overlaps");
    rejects(() -> Ops.reluBackward(x, y), "partially overlaps");
    rejects(() -> Ops.softmaxRows(x, y), "partially overlaps");
    rejects(() -> Ops.axpy(1f, x, y), "partially overlaps");
    rejects(() -> Ops.hadamard(x, m(2, 3), y), "partially overlaps");
    rejects(() -> Ops.hadamard(m(2, 3), x, y), "partially overlaps");
    rejects(() -> Ops.sub(x, m(2, 3), y), "partially overlaps");
    rejects(() -> Ops.sub(m(2, 3), x, y), "partially overlaps");
    rejects(() -> Ops.sgdStep(x, y, m(2, 3), 0.1f, 0.9f, 0f), "share storage");
  }

  @Test
  void gemmOutputMayNotOverlapAnInput() {
    Matrix a = m(3, 3);
    rejects(() -> Ops.gemm(Transpose.N, Transpose.N, 1f, a, m(3, 3), 0f, a), "shares storage", "3x3");
    Matrix whole = m(6, 3);
    rejects(() -> Ops.mul(m(3, 3), whole.rows(0, 3), whole.rows(2, 5)), "shares storage");
  }

  @Test
  void sgdStepRejectsEvenExactSharing() {
    Matrix w = m(2, 3);
    rejects(() -> Ops.sgdStep(w, w, m(2, 3), 0.1f, 0.9f, 0f), "share storage", "2x3");
    rejects(() -> Ops.sgdStep(w, m(2, 3), w, 0.1f, 0.9f, 0f), "share storage");
  }

  @Test
  void exactAliasingIsAllowedWhereDocumented() {
    Matrix x = Matrix.of(new float[] {-1f, 2f, -0.5f}, new float[] {3f, -4f, 0f});
    Ops.relu(x, x);
    assertArrayEquals(new float[] {0f, 2f, 0f, 3f, 0f, 0f}, x.toArray());

    Matrix y = Matrix.of(new float[] {1f, 2f}, new float[] {3f, 4f});
    Matrix z = Matrix.of(new float[] {5f, 6f}, new float[] {7f, 8f});
    Ops.hadamard(y, z, y);
    assertArrayEquals(new float[] {5f, 12f, 21f, 32f}, y.toArray());
    Ops.sub(y, z, z);
    assertArrayEquals(new float[] {0f, 6f, 14f, 24f}, z.toArray());

    Matrix s = Matrix.of(new float[] {0f, 0f}, new float[] {1f, 1f});
    Ops.softmaxRows(s, s);
    assertArrayEquals(new float[] {0.5f, 0.5f, 0.5f, 0.5f}, s.toArray());

    Matrix a = Matrix.of(new float[] {1f, -1f});
    Matrix d = Matrix.of(new float[] {7f, 9f});
    Ops.reluBackward(a, d);
    assertArrayEquals(new float[] {7f, 0f}, d.toArray());
    Ops.reluBackward(a, a);
    assertArrayEquals(new float[] {1f, 0f}, a.toArray());
  }

  @Test
  void viewsAtAnOffsetAreReadAndWrittenInPlace() {
    Matrix whole = Matrix.of(new float[] {9f, 9f}, new float[] {-1f, 2f}, new float[] {3f, -4f}, new float[] {9f, 9f});
    Matrix view = whole.rows(1, 3);
    Ops.relu(view, view);
    assertArrayEquals(new float[] {9f, 9f, 0f, 2f, 3f, 0f, 9f, 9f}, whole.toArray());
    int[] arg = new int[2];
    Ops.argmaxRows(view, arg);
    assertArrayEquals(new int[] {1, 0}, arg);
    float[] cols = new float[2];
    Ops.columnSums(view, cols);
    assertArrayEquals(new float[] {3f, 2f}, cols);
  }

  // ------------------------------------------------------------------ one-hot

  @Test
  void oneHotOverwritesAndSubtractOneHotSubtracts() {
    Matrix t = m(3, 4);
    Ops.oneHot(new int[] {2, 0, 3, 99}, t); // entries beyond the rows are not read
    assertArrayEquals(new float[] {0, 0, 1, 0, 1, 0, 0, 0, 0, 0, 0, 1}, t.toArray());

    Matrix p = Matrix.of(new float[] {0.25f, 0.75f}, new float[] {0.5f, 0.5f});
    Ops.subtractOneHot(p, new int[] {1, 0});
    assertArrayEquals(new float[] {0.25f, -0.25f, -0.5f, 0.5f}, p.toArray());
  }

  // ------------------------------------------------------------------ dropout

  /**
   * Each entry is 0 with probability p' = ceil(p 2^24) / 2^24 (nextFloat has 24 bits), so the count of zeros is
   * Binomial(n, p'): it lies within 5 standard deviations of n p' except with probability below 1e-6 (normal
   * approximation; n p (1 - p) >= 9000 here), and the seed is fixed.
   */
  @Test
  void dropoutMaskHasBinomialZerosAndScaledKeeps() {
    for (float p : new float[] {0.1f, 0.5f, 0.9f}) {
      Matrix mask = new Matrix(300, 400);
      Ops.dropoutMask(mask, p, new Rng(20261129L));
      float keep = 1f / (1f - p);
      long zeros = 0;
      for (float v : mask.toArray()) {
        if (v == 0f) {
          zeros++;
        } else {
          assertEquals(keep, v, 0f, "kept entry");
        }
      }
      int n = mask.size();
      double pp = Math.ceil(p * 0x1p24) / 0x1p24;
      double sd = Math.sqrt(n * pp * (1 - pp));
      assertTrue(
          Math.abs(zeros - n * pp) <= 5 * sd,
          "p=" + p + ": " + zeros + " zeros of " + n + ", expected " + n * pp + " +- " + 5 * sd);
    }
  }

  /**
   * Ops.dropoutMask draws the mask in bulk and advances the generator past it: the mask and the generator's
   * next values are those of one nextFloat per entry, and a spare Gaussian held by the generator survives.
   */
  @Test
  void dropoutMaskConsumesOneValuePerEntryAndKeepsASpareGaussian() {
    Rng bulk = new Rng(77);
    Rng one = new Rng(77);
    double g1 = bulk.nextGaussian();
    assertEquals(g1, one.nextGaussian());
    Matrix mask = new Matrix(37, 29);
    Ops.dropoutMask(mask, 0.25f, bulk);
    for (int i = 0; i < 37; i++) {
      for (int j = 0; j < 29; j++) {
        assertEquals(one.nextFloat() < 0.25f ? 0f : 1f / 0.75f, mask.get(i, j), 0f, "(" + i + "," + j + ")");
      }
    }
    assertEquals(one.nextGaussian(), bulk.nextGaussian(), "the spare Gaussian");
    assertEquals(one.nextLong(), bulk.nextLong(), "the stream after the mask");
  }

  /**
   * A velocity that decays into the subnormal range is stored as 0, with the weight exactly where the unflushed
   * step would put it (lr * V is far below half an ulp of W); a normal velocity is kept; NaN passes.
   */
  @Test
  void sgdStepFlushesSubnormalVelocitiesWithoutMovingAWeightDifferently() {
    Matrix w = Matrix.of(new float[] {0.25f, -0.5f, 1f, 0.125f});
    Matrix g = Matrix.of(new float[] {0f, 0f, 0f, 0f});
    Matrix v = Matrix.of(new float[] {Float.MIN_NORMAL, 1.1f * Float.MIN_NORMAL, -3e-39f, 1e-30f});
    Matrix w0 = w.copy();
    assertTrue(Ops.sgdStep(w, g, v, 0.1f, 0.9f, 0f));
    // 0.9 * MIN_NORMAL and -0.9 * 3e-39 are subnormal: flushed; 0.99 MIN_NORMAL also; 9e-31 stays
    assertEquals(0f, v.get(0, 0));
    assertEquals(0f, v.get(0, 1));
    assertEquals(0f, v.get(0, 2));
    assertEquals(0.9f * 1e-30f, v.get(0, 3));
    for (int j = 0; j < 4; j++) {
      float unflushed = w0.get(0, j) - 0.1f * (0.9f * (j == 0 ? Float.MIN_NORMAL : j == 1 ? 1.1f * Float.MIN_NORMAL
          : j == 2 ? -3e-39f : 1e-30f));
      assertEquals(unflushed, w.get(0, j), 0f, "W at " + j);
    }
    Matrix vNaN = Matrix.of(new float[] {Float.NaN, 0f, 0f, 0f});
    assertFalse(Ops.sgdStep(w, g, vNaN, 0.1f, 0.9f, 0f));
    assertTrue(Float.isNaN(vNaN.get(0, 0)));
  }

  @Test
  void dropoutMaskOfZeroKeepsAllAndIsSeeded() {
    Matrix mask = m(5, 7);
    Ops.dropoutMask(mask, 0f, new Rng(1));
    for (float v : mask.toArray()) {
      assertEquals(1f, v);
    }
    Matrix a = new Matrix(8, 9);
    Matrix b = new Matrix(8, 9);
    Ops.dropoutMask(a, 0.3f, new Rng(5));
    Ops.dropoutMask(b, 0.3f, new Rng(5));
    assertTrue(a.contentEquals(b));
  }

  @Test
  void dropoutProbabilityOutsideRangeIsRejected() {
    rejects(() -> Ops.dropoutMask(m(2, 2), 1f, new Rng(1)), "[0, 1)", "1.0");
    rejects(() -> Ops.dropoutMask(m(2, 2), -0.1f, new Rng(1)), "-0.1");
    rejects(() -> Ops.dropoutMask(m(2, 2), Float.NaN, new Rng(1)), "NaN");
  }

  // ------------------------------------------------------------------ norms

  @Test
  void normalizeFrobeniusDividesByTheNorm() {
    Matrix whole = Matrix.of(new float[] {7f, 7f}, new float[] {3f, 0f}, new float[] {0f, -4f});
    Matrix x = whole.rows(1, 3);
    assertEquals(5.0, Ops.frobeniusNorm(x), 0.0);
    assertEquals(5f, Ops.normalizeFrobenius(x), 0f);
    assertArrayEquals(new float[] {7f, 7f, 0.6f, 0f, 0f, -0.8f}, whole.toArray());
    // 0.6f and 0.8f are the correctly rounded quotients, so the norm of the result is 1 within two roundings.
    assertEquals(1.0, Ops.frobeniusNorm(x), 4 * 0x1p-24);
  }

  @Test
  void allFiniteSeesNaNAndInfinity() {
    Matrix x = m(3, 5);
    assertTrue(Ops.allFinite(x));
    x.set(2, 4, Float.POSITIVE_INFINITY);
    assertFalse(Ops.allFinite(x));
    x.set(2, 4, Float.NaN);
    assertFalse(Ops.allFinite(x));
    assertTrue(Ops.allFinite(x.rows(0, 2)));
  }

  /**
   * The pooled elementwise operations and the pooled dropout mask give the same bits as one thread, on a size
   * above the pooling threshold whose split is not a multiple of a vector, at an offset (a view), in place; the
   * pooled mask is that of one nextFloat per entry and advances the generator alike.
   */
  @Test
  void pooledElementwiseOpsAndMasksAreTheSequentialOnes() {
    int rows = 301;
    int cols = 233; // 70,133 elements, above the 65,536 threshold, odd
    Rng rng = new Rng(5);
    Matrix x = Init.uniform(new Matrix(rows + 1, cols), -1f, 1f, rng).rows(1, rows + 1);
    Matrix y = Init.uniform(new Matrix(rows, cols), -1f, 1f, rng);
    try (ThreadPool pool = new ThreadPool(3)) {
      Matrix want = new Matrix(rows, cols);
      Matrix got = new Matrix(rows, cols);
      Ops.relu(x, want);
      Ops.relu(x, got, pool);
      assertArrayEquals(want.data(), got.data(), "relu");
      Ops.hadamard(x, y, want);
      Ops.hadamard(x, y, got, pool);
      assertArrayEquals(want.data(), got.data(), "hadamard");
      Ops.sub(x, y, want);
      Ops.sub(x, y, got, pool);
      assertArrayEquals(want.data(), got.data(), "sub");
      want.copyFrom(y);
      got.copyFrom(y);
      Ops.applyMask(want, x);
      Ops.applyMask(got, x, pool);
      assertArrayEquals(want.data(), got.data(), "applyMask in place");
      Rng one = new Rng(9);
      Rng pooled = new Rng(9);
      Ops.dropoutMask(want, 0.3f, one);
      Ops.dropoutMask(got, 0.3f, pooled, pool);
      assertArrayEquals(want.data(), got.data(), "dropout mask");
      Rng draws = new Rng(9);
      for (int i = 0; i < rows * cols; i += 7919) {
        for (int skip = i == 0 ? 0 : 7918; skip > 0; skip--) {
          draws.nextFloat();
        }
        assertEquals(draws.nextFloat() < 0.3f ? 0f : 1f / 0.7f, got.data()[i], 0f, "entry " + i);
      }
      assertEquals(one.nextLong(), pooled.nextLong(), "the stream after the mask");
    }
  }

  @Test
  void addLowRankIsTheProductIntoACopyThenReluThenMask() {
    // PEPITA's shapes (batch x hidden or input, C = 10), an odd one, and C = 100 (above a vector's lanes)
    int[][] shapes = {{64, 1024, 10}, {64, 784, 10}, {37, 233, 7}, {70, 300, 100}};
    Rng rng = new Rng(17);
    try (ThreadPool three = new ThreadPool(3)) {
      for (int[] d : shapes) {
        int n = d[0];
        int m = d[1];
        int k = d[2];
        Matrix base = Init.uniform(new Matrix(n, m), -1f, 1f, rng);
        Matrix e = Init.uniform(new Matrix(n, k), -1f, 1f, rng);
        for (int j = 0; j < k; j++) {
          e.set(3, j, 0f); // a zero row, as a strip the product may skip
        }
        Matrix q = Init.uniform(new Matrix(k, m), -1f, 1f, rng);
        Matrix mask = new Matrix(n, m);
        Ops.dropoutMask(mask, 0.1f, rng);
        Matrix wantOut = base.copy();
        Ops.gemm(Transpose.N, Transpose.N, -1f, e, q, 1f, wantOut, ThreadPool.sequential());
        Matrix wantH = new Matrix(n, m);
        Ops.relu(wantOut, wantH);
        Ops.applyMask(wantH, mask);
        for (ThreadPool pool : List.of(ThreadPool.sequential(), three)) {
          String at = n + "x" + m + "x" + k + " on " + pool.parallelism() + " threads";
          Matrix out = new Matrix(n, m);
          Matrix h = new Matrix(n, m);
          Ops.addLowRank(base, -1f, e, q, out, h, mask, pool);
          assertArrayEquals(wantOut.data(), out.data(), "out, " + at);
          assertArrayEquals(wantH.data(), h.data(), "h, " + at);
          Matrix inPlace = base.copy();
          Ops.addLowRank(inPlace, -1f, e, q, inPlace, null, null, pool);
          assertArrayEquals(wantOut.data(), inPlace.data(), "in place, " + at);
        }
      }
    }
  }

  @Test
  void addLowRankRejectsShapesThatDoNotFitAndPartialOverlaps() {
    Matrix base = new Matrix(4, 6);
    Matrix e = new Matrix(4, 2);
    Matrix q = new Matrix(2, 6);
    Matrix out = new Matrix(4, 6);
    ThreadPool seq = ThreadPool.sequential();
    IllegalArgumentException x = assertThrows(IllegalArgumentException.class,
        () -> Ops.addLowRank(base, 1f, e, new Matrix(3, 6), out, null, null, seq));
    assertEquals("addLowRank: base 4x6, E 4x2, Q 3x6; expected E 4xk and Q kx6", x.getMessage());
    assertThrows(IllegalArgumentException.class, () -> Ops.addLowRank(base, 1f, e, q, new Matrix(4, 5), null, null, seq));
    x = assertThrows(IllegalArgumentException.class, () -> Ops.addLowRank(base, 1f, e, q, out, null, base, seq));
    assertEquals("addLowRank: a mask needs h", x.getMessage());
    Matrix big = new Matrix(5, 6);
    assertThrows(IllegalArgumentException.class,
        () -> Ops.addLowRank(big.rows(0, 4), 1f, e, q, big.rows(1, 5), null, null, seq));
    Matrix eq = new Matrix(5, 6);
    x = assertThrows(IllegalArgumentException.class,
        () -> Ops.addLowRank(base, 1f, e, eq.rows(3, 5), eq.rows(0, 4), null, null, seq));
    assertEquals("addLowRank: output 4x6 overlaps E or Q", x.getMessage());
    Matrix hm = new Matrix(5, 6);
    x = assertThrows(IllegalArgumentException.class,
        () -> Ops.addLowRank(base, 1f, e, q, out, hm.rows(0, 4), hm.rows(1, 5), seq));
    assertEquals("addLowRank: output 4x6 partially overlaps input 4x6", x.getMessage());
  }
}

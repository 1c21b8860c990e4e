package org.fwdlearn.rules;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import org.fwdlearn.core.Init;
import org.fwdlearn.core.Matrix;
import org.fwdlearn.core.Ops;
import org.fwdlearn.core.Rng;
import org.fwdlearn.core.ThreadPool;
import org.fwdlearn.core.Transpose;

/**
 * The feedback matrix F (d_0 x C) of PEPITA and AFA, which projects the output error onto the input: X_mod =
 * X - E F^T (ALGORITHMS.md section 3.3, the reference's {@code RandomFeedback}).
 *
 * <ul>
 *   <li>{@link #uniform}: a single matrix, F_ij = Bstd * U(-a, a) with a = sqrt(6/d_0), so std(F) = sigma_F =
 *       Bstd * sqrt(2/d_0); with {@code meanZero = false}, F_ij = Bstd * U(0, a).
 *   <li>{@link #normal}: one factor B_l (d_{l-1} x d_l) per weight layer, entries N(0, s^2) with s = (sigma_F /
 *       sqrt(P))^(1/L), P = d_1 ... d_{L-1}; F = B_1 B_2 ... B_L, so std(F) is about sigma_F. Weight mirroring
 *       needs this form (one B_l per W_l).
 * </ul>
 *
 * <p>F is recomputed from the factors on use after {@link #changed()} (mirroring calls it); the product
 * buffers are allocated once. Not thread-safe.
 */
public final class FeedbackMatrix {
  private final Matrix[] factors; // 0..k-1 = B_1..B_k
  private final Matrix[] partial; // partial[i] = B_{i+1} ... B_k ; partial[0] = F
  private final float targetStd;
  private final int inputs;
  private boolean dirty;

  private FeedbackMatrix(Matrix[] factors, float targetStd) {
    this.factors = factors;
    this.targetStd = targetStd;
    this.inputs = factors[0].rows();
    int k = factors.length;
    partial = new Matrix[k];
    partial[k - 1] = factors[k - 1];
    int classes = factors[k - 1].cols();
    for (int i = 0; i < k - 1; i++) {
      partial[i] = new Matrix(factors[i].rows(), classes);
    }
    dirty = k > 1;
  }

  /** sigma_F = Bstd * sqrt(2 / d_0), the target standard deviation of F. */
  public static float targetStd(int inputs, float scale) {
    return (float) (scale * Math.sqrt(2.0 / inputs));
  }

  /**
   * The reference's "uniform" F: a single d_0 x C matrix, F_ij = scale * U(-a, a), a = sqrt(6/d_0) (or
   * scale * U(0, a) when not mean-zero), drawn in row-major order.
   */
  public static FeedbackMatrix uniform(int inputs, int classes, float scale, boolean meanZero, Rng rng) {
    checkScale(scale);
    Matrix f = new Matrix(inputs, classes);
    double a = Math.sqrt(6.0 / inputs) * scale;
    Init.uniform(f, meanZero ? (float) -a : 0f, (float) a, rng);
    return new FeedbackMatrix(new Matrix[] {f}, targetStd(inputs, scale));
  }

  /**
   * The reference's "normal" F = B_1 ... B_L for layer sizes d_0..d_L: B_l is d_{l-1} x d_l with N(0, s^2)
   * entries, s = (sigma_F / sqrt(d_1 ... d_{L-1}))^(1/L), drawn B_1 first, row-major.
   */
  public static FeedbackMatrix normal(int[] sizes, float scale, Rng rng) {
    checkScale(scale);
    int layers = sizes.length - 1;
    if (layers < 1) {
      throw new IllegalArgumentException("F needs at least two layer sizes, got " + Arrays.toString(sizes));
    }
    double sigma = targetStd(sizes[0], scale);
    double hiddenProduct = 1;
    for (int l = 1; l < layers; l++) {
      hiddenProduct *= sizes[l];
    }
    float s = (float) Math.pow(sigma / Math.sqrt(hiddenProduct), 1.0 / layers);
    Matrix[] bs = new Matrix[layers];
    for (int l = 1; l <= layers; l++) {
      bs[l - 1] = Init.normal(new Matrix(sizes[l - 1], sizes[l]), 0f, s, rng);
    }
    return new FeedbackMatrix(bs, (float) sigma);
  }

  /**
   * F given as the product of the factors (copied), B_1 first; a single factor is F itself. {@link
   * #normalize} rescales to {@code targetStd}.
   */
  public static FeedbackMatrix ofFactors(List<Matrix> factors, float targetStd) {
    if (factors.isEmpty()) {
      throw new IllegalArgumentException("F needs at least one factor");
    }
    Matrix[] bs = new Matrix[factors.size()];
    for (int i = 0; i < bs.length; i++) {
      bs[i] = factors.get(i).copy();
      if (i > 0 && bs[i].rows() != bs[i - 1].cols()) {
        throw new IllegalArgumentException(
            "factor B" + (i + 1) + " is " + bs[i].shape() + " but B" + i + " is " + bs[i - 1].shape());
      }
    }
    return new FeedbackMatrix(bs, targetStd);
  }

  /** A single fixed F (copied), e.g. for tests. */
  public static FeedbackMatrix of(Matrix f) {
    return ofFactors(List.of(f), f.rows() > 0 ? targetStd(f.rows(), 0.05f) : 0f);
  }

  private static void checkScale(float scale) {
    if (!(scale >= 0f && Float.isFinite(scale))) {
      throw new IllegalArgumentException("feedback scale (Bstd) must be a finite number >= 0, got " + scale);
    }
  }

  /** F (d_0 x C), recomputed from the factors if they changed; the same matrix object on every call. */
  public Matrix f(ThreadPool pool) {
    if (dirty) {
      for (int i = factors.length - 2; i >= 0; i--) {
        Ops.gemm(Transpose.N, Transpose.N, 1f, factors[i], partial[i + 1], 0f, partial[i], pool);
      }
      dirty = false;
    }
    return partial[0];
  }

  /** d_0. */
  public int inputs() {
    return inputs;
  }

  /** C. */
  public int classes() {
    return factors[factors.length - 1].cols();
  }

  /** The number k of factors: 1 for a single F, L for {@link #normal}. */
  public int factorCount() {
    return factors.length;
  }

  /** B_l for l in [1, factorCount()] (the live matrix); for a single-factor F, B_1 is F. */
  public Matrix factor(int l) {
    if (l < 1 || l > factors.length) {
      throw new IndexOutOfBoundsException("factor B" + l + " outside [1, " + factors.length + "]");
    }
    return factors[l - 1];
  }

  /** The factors B_1..B_k (live), unmodifiable. */
  public List<Matrix> factors() {
    return Collections.unmodifiableList(new ArrayList<>(Arrays.asList(factors)));
  }

  /** Marks the factors as modified: the next {@link #f} recomputes the product. */
  public void changed() {
    dirty = factors.length > 1;
  }

  /** sigma_F, the standard deviation {@link #normalize} restores. */
  public float targetStd() {
    return targetStd;
  }

  /**
   * The reference's {@code normalize_B}: c = sigma_F / std(F) (unbiased sample std over all entries), then
   * B_l &lt;- B_l * c^(1/k) for each of the k factors, so that std(F) becomes sigma_F.
   *
   * @return c
   * @throws ArithmeticException if c is not finite (F constant); nothing is modified then
   */
  public double normalize(ThreadPool pool) {
    double c = targetStd / std(pool);
    if (!(c > 0 && Double.isFinite(c))) {
      throw new ArithmeticException("normalize_B: std(F) = " + std(pool) + " gives a non-finite scale " + c);
    }
    float per = (float) Math.pow(c, 1.0 / factors.length);
    for (Matrix b : factors) {
      Ops.scale(per, b);
    }
    changed();
    return c;
  }

  /** Unbiased sample standard deviation of F's entries. */
  public double std(ThreadPool pool) {
    return Stats.std(f(pool));
  }

  /** Mean of F's entries. */
  public double mean(ThreadPool pool) {
    return Stats.mean(f(pool));
  }
}

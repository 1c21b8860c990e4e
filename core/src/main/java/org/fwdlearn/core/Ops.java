package org.fwdlearn.core;

import org.fwdlearn.core.kernel.ElementwiseKernel;
import org.fwdlearn.core.kernel.Kernels;

/**
 * The validating facade over the active kernels ({@link Kernels#get()}): every method checks shapes and
 * aliasing once, with a message that names the shapes involved, then calls a kernel that trusts its input.
 *
 * <p>Argument conventions (as EJML's Javadoc): outputs are "Modified", inputs "Not modified". An
 * elementwise output may be exactly the same matrix as an input, never a partial overlap. A GEMM output may
 * not overlap either input.
 */
public final class Ops {
  private Ops() {}

  private static final Kernels K = Kernels.get();

  /** The kernels this facade calls. */
  public static Kernels kernels() {
    return K;
  }

  private static ElementwiseKernel ew() {
    return K.elementwise();
  }

  // ---------------------------------------------------------------- GEMM

  /**
   * {@code C <- alpha * op(A) * op(B) + beta * C} on the {@linkplain ThreadPool#common() common pool}.
   *
   * <p>The vector kernel skips the products of steps where a block of rows of op(A) is all zero (sparse inputs
   * such as MNIST's pixels); the result is the same bit for bit for finite B, but a NaN or an infinity of B met
   * only by such zeros is not carried into C.
   *
   * @param a Not modified.
   * @param b Not modified.
   * @param c Modified. Not read when beta is 0.
   */
  public static void gemm(Transpose ta, Transpose tb, float alpha, Matrix a, Matrix b, float beta, Matrix c) {
    gemm(ta, tb, alpha, a, b, beta, c, ThreadPool.common());
  }

  /** As {@link #gemm(Transpose, Transpose, float, Matrix, Matrix, float, Matrix)} on the given pool. */
  public static void gemm(
      Transpose ta, Transpose tb, float alpha, Matrix a, Matrix b, float beta, Matrix c, ThreadPool pool) {
    int m = ta.isTransposed() ? a.cols() : a.rows();
    int ka = ta.isTransposed() ? a.rows() : a.cols();
    int kb = tb.isTransposed() ? b.cols() : b.rows();
    int n = tb.isTransposed() ? b.rows() : b.cols();
    if (ka != kb || c.rows() != m || c.cols() != n) {
      throw new IllegalArgumentException(
          "gemm shapes do not fit: op"
              + ta
              + "(A) of A "
              + a.shape()
              + " is "
              + m
              + "x"
              + ka
              + ", op"
              + tb
              + "(B) of B "
              + b.shape()
              + " is "
              + kb
              + "x"
              + n
              + ", C is "
              + c.shape()
              + " (needs "
              + m
              + "x"
              + n
              + " and equal inner dimensions)");
    }
    if (c.overlaps(a) || c.overlaps(b)) {
      throw new IllegalArgumentException(
          "gemm output C " + c.shape() + " shares storage with " + (c.overlaps(a) ? "A " + a.shape() : "B " + b.shape()));
    }
    K.gemm()
        .gemm(
            ta.isTransposed(),
            tb.isTransposed(),
            m,
            n,
            ka,
            alpha,
            a.data(),
            a.offset(),
            a.cols(),
            b.data(),
            b.offset(),
            b.cols(),
            beta,
            c.data(),
            c.offset(),
            c.cols(),
            pool);
  }

  /**
   * {@code G = alpha * op(A) * op(B)}, then the SGD step of {@link #sgdStep(Matrix, Matrix, Matrix, float, float,
   * float, ThreadPool)} on W and V with that G. Where the GEMM kernel can ({@link
   * org.fwdlearn.core.kernel.GemmKernel#fusesSgd}: the vector kernel when the inner dimension fits one cache
   * block), each block of G goes from the product's registers straight into the step and G is never stored:
   * the pass over W, V and G of a separate step, and the write and read of G, are saved. W and V are bit for bit
   * those of the unfused product and step. The step is applied whatever G holds; the result says whether W
   * stayed finite.
   *
   * @param g m x n: receives G when the product is not fused; its contents are unspecified afterwards
   * @param w m x n. Modified.
   * @param v m x n. Modified.
   * @return true if every updated W is finite
   */
  public static boolean gemmSgd(
      Transpose ta,
      Transpose tb,
      float alpha,
      Matrix a,
      Matrix b,
      Matrix g,
      Matrix w,
      Matrix v,
      float lr,
      float momentum,
      float weightDecay,
      ThreadPool pool) {
    sameShape("gemmSgd", w, g);
    sameShape("gemmSgd", w, v);
    if (w.overlaps(g) || w.overlaps(v) || g.overlaps(v) || w.overlaps(a) || w.overlaps(b) || v.overlaps(a)
        || v.overlaps(b)) {
      throw new IllegalArgumentException("gemmSgd: W " + w.shape() + ", G, V, A and B must not share storage");
    }
    int m = ta.isTransposed() ? a.cols() : a.rows();
    int k = ta.isTransposed() ? a.rows() : a.cols();
    int n = tb.isTransposed() ? b.rows() : b.cols();
    org.fwdlearn.core.kernel.GemmKernel kernel = K.gemm();
    if (m == w.rows() && n == w.cols() && kernel.fusesSgd(ta.isTransposed(), tb.isTransposed(), m, n, k)
        && k == (tb.isTransposed() ? b.cols() : b.rows())) {
      return kernel.gemmSgd(ta.isTransposed(), tb.isTransposed(), m, n, k, alpha, a.data(), a.offset(), a.cols(),
          b.data(), b.offset(), b.cols(), w.data(), w.offset(), w.cols(), v.data(), v.offset(), v.cols(), lr,
          momentum, weightDecay, pool);
    }
    gemm(ta, tb, alpha, a, b, 0f, g, pool);
    return sgdStep(w, g, v, lr, momentum, weightDecay, pool);
  }

  /** {@code C <- A * B}. */
  public static Matrix mul(Matrix a, Matrix b, Matrix c) {
    gemm(Transpose.N, Transpose.N, 1f, a, b, 0f, c);
    return c;
  }

  /** A new matrix {@code A * B}. */
  public static Matrix mul(Matrix a, Matrix b) {
    return mul(a, b, new Matrix(a.rows(), b.cols()));
  }

  // ---------------------------------------------------------------- elementwise

  private static void sameShape(String op, Matrix x, Matrix y) {
    if (!x.sameShape(y)) {
      throw new IllegalArgumentException(op + ": shapes differ, " + x.shape() + " vs " + y.shape());
    }
  }

  /** Output {@code out} may equal {@code in} exactly but not overlap it partially. */
  private static void aliasOk(String op, Matrix in, Matrix out) {
    if (out.overlaps(in) && !(in.data() == out.data() && in.offset() == out.offset())) {
      throw new IllegalArgumentException(
          op + ": output " + out.shape() + " partially overlaps input " + in.shape());
    }
  }

  /** {@code y = max(x, 0)}. x: Not modified. y: Modified (may be x). */
  public static void relu(Matrix x, Matrix y) {
    relu(x, y, ThreadPool.sequential());
  }

  /**
   * As {@link #relu(Matrix, Matrix)}, the elements split over {@code pool} in contiguous ranges (elementwise:
   * the result does not depend on the split).
   */
  public static void relu(Matrix x, Matrix y, ThreadPool pool) {
    sameShape("relu", x, y);
    aliasOk("relu", x, y);
    ranges(RangeTask.RELU, x, null, y, pool);
  }

  /** {@code m = x > 0 ? 1 : 0}. m: Modified. */
  public static void reluMask(Matrix x, Matrix m) {
    sameShape("reluMask", x, m);
    aliasOk("reluMask", x, m);
    ew().reluMask(x.data(), x.offset(), m.data(), m.offset(), x.size());
  }

  /** {@code d = a > 0 ? d : 0}. a: Not modified. d: Modified. */
  public static void reluBackward(Matrix a, Matrix d) {
    sameShape("reluBackward", a, d);
    aliasOk("reluBackward", a, d);
    ew().reluBackward(a.data(), a.offset(), d.data(), d.offset(), a.size());
  }

  /** Row softmax with the row maximum subtracted. y: Modified (may be x). */
  public static void softmaxRows(Matrix x, Matrix y) {
    sameShape("softmaxRows", x, y);
    aliasOk("softmaxRows", x, y);
    ew().softmaxRows(x.data(), x.offset(), y.data(), y.offset(), x.rows(), x.cols());
  }

  /** Index of each row's first maximum into {@code out[0..rows)}. */
  public static void argmaxRows(Matrix x, int[] out) {
    if (out.length < x.rows()) {
      throw new IllegalArgumentException("argmaxRows: output of length " + out.length + " for " + x.shape());
    }
    ew().argmaxRows(x.data(), x.offset(), x.rows(), x.cols(), out, 0);
  }

  /** Mean cross-entropy of the logits against integer labels (the first {@code rows} entries). */
  public static double meanCrossEntropy(Matrix logits, int[] labels) {
    checkLabels("meanCrossEntropy", logits, labels);
    return ew().meanCrossEntropy(logits.data(), logits.offset(), logits.rows(), logits.cols(), labels, 0);
  }

  /** {@code p[i, labels[i]] -= 1}: turns softmax output into the error {@code E = P - T}. p: Modified. */
  public static void subtractOneHot(Matrix p, int[] labels) {
    checkLabels("subtractOneHot", p, labels);
    float[] d = p.data();
    for (int i = 0; i < p.rows(); i++) {
      d[p.offset() + i * p.cols() + labels[i]] -= 1f;
    }
  }

  /** Writes the one-hot matrix of the labels into t. t: Modified. */
  public static void oneHot(int[] labels, Matrix t) {
    checkLabels("oneHot", t, labels);
    t.fill(0f);
    for (int i = 0; i < t.rows(); i++) {
      t.data()[t.offset() + i * t.cols() + labels[i]] = 1f;
    }
  }

  private static void checkLabels(String op, Matrix x, int[] labels) {
    if (labels.length < x.rows()) {
      throw new IllegalArgumentException(op + ": " + labels.length + " labels for " + x.shape());
    }
    for (int i = 0; i < x.rows(); i++) {
      if (labels[i] < 0 || labels[i] >= x.cols()) {
        throw new IllegalArgumentException(
            op + ": label " + labels[i] + " at row " + i + " outside [0, " + x.cols() + ") for " + x.shape());
      }
    }
  }

  /** {@code x *= alpha}. x: Modified. */
  public static void scale(float alpha, Matrix x) {
    ew().scale(alpha, x.data(), x.offset(), x.size());
  }

  /** {@code x /= d}. x: Modified. */
  public static void divide(Matrix x, float d) {
    ew().divide(x.data(), x.offset(), x.size(), d);
  }

  /** {@code y += alpha * x}. y: Modified. */
  public static void axpy(float alpha, Matrix x, Matrix y) {
    sameShape("axpy", x, y);
    aliasOk("axpy", x, y);
    ew().axpy(alpha, x.data(), x.offset(), y.data(), y.offset(), x.size());
  }

  /** {@code z = x .* y}. z: Modified (may be x or y). */
  public static void hadamard(Matrix x, Matrix y, Matrix z) {
    hadamard(x, y, z, ThreadPool.sequential());
  }

  /** As {@link #hadamard(Matrix, Matrix, Matrix)}, the elements split over {@code pool}. */
  public static void hadamard(Matrix x, Matrix y, Matrix z, ThreadPool pool) {
    sameShape("hadamard", x, y);
    sameShape("hadamard", x, z);
    aliasOk("hadamard", x, z);
    aliasOk("hadamard", y, z);
    ranges(RangeTask.HADAMARD, x, y, z, pool);
  }

  /**
   * {@code out = base + alpha E Q} for a small inner dimension (E n x k, Q k x m), and when h is not null {@code h =
   * max(out, 0)}, multiplied by {@code mask} when that is not null: one pass for PEPITA's modulated input and its
   * factored first layer. Per element the arithmetic of {@code out.copyFrom(base); gemm(N, N, alpha, E, Q, 1, out)}
   * followed by {@link #relu} and {@link #applyMask}, so the same bits for finite Q (the GEMM may skip a step
   * whose rows of E are all zero, and with it a NaN of Q met only there). Column blocks are split over {@code pool}.
   *
   * @param base Not modified.
   * @param e Not modified.
   * @param q Not modified.
   * @param out Modified (may be base).
   * @param h Modified (may be out); null for none.
   * @param mask Not modified; null for none (needs h).
   */
  public static void addLowRank(
      Matrix base, float alpha, Matrix e, Matrix q, Matrix out, Matrix h, Matrix mask, ThreadPool pool) {
    if (e.rows() != base.rows() || q.rows() != e.cols() || q.cols() != base.cols()) {
      throw new IllegalArgumentException("addLowRank: base " + base.shape() + ", E " + e.shape() + ", Q " + q.shape()
          + "; expected E " + base.rows() + "xk and Q kx" + base.cols());
    }
    sameShape("addLowRank", base, out);
    aliasOk("addLowRank", base, out);
    if (out.overlaps(e) || out.overlaps(q)) {
      throw new IllegalArgumentException("addLowRank: output " + out.shape() + " overlaps E or Q");
    }
    if (mask != null && h == null) {
      throw new IllegalArgumentException("addLowRank: a mask needs h");
    }
    if (h != null) {
      sameShape("addLowRank", base, h);
      aliasOk("addLowRank", base, h);
      aliasOk("addLowRank", out, h);
      if (h.overlaps(e) || h.overlaps(q)) {
        throw new IllegalArgumentException("addLowRank: h " + h.shape() + " overlaps E or Q");
      }
      if (mask != null) {
        sameShape("addLowRank", base, mask);
        aliasOk("addLowRank", mask, out);
        aliasOk("addLowRank", mask, h);
      }
    }
    LowRankTask t = LOW_RANK_TASKS.get();
    t.base = base;
    t.alpha = alpha;
    t.e = e;
    t.q = q;
    t.out = out;
    t.h = h;
    t.mask = mask;
    // k multiply-adds per element: worth splitting from a k-th of the elementwise threshold
    long work = (long) base.size() * Math.max(1, e.cols());
    int blocks = (base.cols() + LOW_RANK_BLOCK - 1) / LOW_RANK_BLOCK;
    t.parts = pool.parallelism() == 1 || work < PARALLEL_ELEMENTWISE_MIN ? 1 : Math.min(pool.parallelism(), blocks);
    int need = (ElementwiseKernel.LOW_RANK_SCRATCH + base.rows()) * e.cols();
    if (t.scratch.length < t.parts || t.scratch[0].length < need) {
      t.scratch = new float[Math.max(t.parts, t.scratch.length)][Math.max(need, t.scratch[0].length)];
    }
    try {
      pool.forEach(t.parts, t);
    } finally {
      t.base = t.e = t.q = t.out = t.h = t.mask = null;
    }
  }

  /** Columns per part boundary of {@link #addLowRank}'s split (the vector kernel's widest panel). */
  private static final int LOW_RANK_BLOCK = 64;

  private static final ThreadLocal<LowRankTask> LOW_RANK_TASKS = ThreadLocal.withInitial(LowRankTask::new);

  /** The pool job of {@link #addLowRank}: contiguous column ranges, each with its own scratch. */
  private static final class LowRankTask implements java.util.function.IntConsumer {
    Matrix base;
    float alpha;
    Matrix e;
    Matrix q;
    Matrix out;
    Matrix h;
    Matrix mask;
    int parts;
    float[][] scratch = new float[1][0];

    @Override
    public void accept(int t) {
      int cols = base.cols();
      int blocks = (cols + LOW_RANK_BLOCK - 1) / LOW_RANK_BLOCK;
      int from = Math.min(cols, (int) ((long) blocks * t / parts) * LOW_RANK_BLOCK);
      int to = Math.min(cols, (int) ((long) blocks * (t + 1) / parts) * LOW_RANK_BLOCK);
      ew().addLowRank(base.data(), base.offset() + from, alpha, e.data(), e.offset(), e.cols(), q.data(),
          q.offset() + from, out.data(), out.offset() + from, h == null ? null : h.data(),
          h == null ? 0 : h.offset() + from, mask == null ? null : mask.data(), mask == null ? 0 : mask.offset() + from,
          base.rows(), to - from, cols, scratch[t]);
    }
  }

  /** {@code z = x - y}. z: Modified (may be x or y). */
  public static void sub(Matrix x, Matrix y, Matrix z) {
    sub(x, y, z, ThreadPool.sequential());
  }

  /** As {@link #sub(Matrix, Matrix, Matrix)}, the elements split over {@code pool}. */
  public static void sub(Matrix x, Matrix y, Matrix z, ThreadPool pool) {
    sameShape("sub", x, y);
    sameShape("sub", x, z);
    aliasOk("sub", x, z);
    aliasOk("sub", y, z);
    ranges(RangeTask.SUB, x, y, z, pool);
  }

  /** Frobenius norm {@code ||x||_F}. */
  public static double frobeniusNorm(Matrix x) {
    return Math.sqrt(ew().sumSquares(x.data(), x.offset(), x.size()));
  }

  /**
   * Divides x by its Frobenius norm (the reference's activation normalization; no epsilon). Returns the
   * norm. x: Modified.
   */
  public static float normalizeFrobenius(Matrix x) {
    float norm = (float) frobeniusNorm(x);
    ew().divide(x.data(), x.offset(), x.size(), norm);
    return norm;
  }

  /** Euclidean norm of each row into {@code out[0..rows)}. */
  public static void rowNorms(Matrix x, float[] out) {
    if (out.length < x.rows()) {
      throw new IllegalArgumentException("rowNorms: output of length " + out.length + " for " + x.shape());
    }
    ew().rowNorms(x.data(), x.offset(), x.rows(), x.cols(), out, 0);
  }

  /** Column sums into {@code out[0..cols)}. */
  public static void columnSums(Matrix x, float[] out) {
    if (out.length < x.cols()) {
      throw new IllegalArgumentException("columnSums: output of length " + out.length + " for " + x.shape());
    }
    ew().columnSums(x.data(), x.offset(), x.rows(), x.cols(), out, 0);
  }

  /**
   * Fills {@code mask} with an inverted-dropout mask: each entry independently 0 with probability p, else
   * {@code 1/(1-p)}. One draw per entry in row-major order. mask: Modified.
   */
  public static void dropoutMask(Matrix mask, float p, Rng rng) {
    dropoutMask(mask, p, rng, ThreadPool.sequential());
  }

  /**
   * As {@link #dropoutMask(Matrix, float, Rng)}, the entries split over {@code pool}: the stream is counter-based
   * (entry i draws from the generator's counter advanced by i + 1), so every split gives the same mask.
   */
  public static void dropoutMask(Matrix mask, float p, Rng rng, ThreadPool pool) {
    if (!(p >= 0f && p < 1f)) {
      throw new IllegalArgumentException("dropout probability must be in [0, 1), got " + p);
    }
    float keep = 1f / (1f - p);
    // nextFloat() = (z >>> 40) 2^-24 < p exactly when the integer z >>> 40 < ceil(p 2^24) (p 2^24 is exact)
    long threshold = (long) Math.ceil(p * 0x1.0p24);
    RangeTask t = task(RangeTask.DROPOUT, mask, null, null, pool);
    t.lr = keep;
    t.threshold = threshold;
    t.state = rng.counter();
    t.run(pool);
    rng.advance(mask.size());
  }

  /** {@code x .*= mask} (dropout application). x: Modified. */
  public static void applyMask(Matrix x, Matrix mask) {
    hadamard(x, mask, x);
  }

  /** As {@link #applyMask(Matrix, Matrix)}, the elements split over {@code pool}. */
  public static void applyMask(Matrix x, Matrix mask, ThreadPool pool) {
    hadamard(x, mask, x, pool);
  }

  /** An elementwise operation over x (and y) into z, whole or split over the pool. */
  private static void ranges(int kind, Matrix x, Matrix y, Matrix z, ThreadPool pool) {
    task(kind, x, y, z, pool).run(pool);
  }

  /**
   * The calling thread's task for an elementwise operation over x (and y) into z: one part when the pool has one
   * thread or x is below {@link #PARALLEL_ELEMENTWISE_MIN} (the pool then runs it on the caller), else one per
   * thread.
   */
  private static RangeTask task(int kind, Matrix x, Matrix y, Matrix z, ThreadPool pool) {
    RangeTask t = RANGE_TASKS.get();
    int parts = pool.parallelism() == 1 || x.size() < PARALLEL_ELEMENTWISE_MIN ? 1 : pool.parallelism();
    t.set(kind, x, y, z, 0f, 0f, 0f, parts);
    return t;
  }

  /**
   * SGD with momentum and weight decay, PyTorch semantics: {@code g = G + lambda W; V <- mu V + g; W <- W - eta
   * V}. w, v: Modified. g: Not modified.
   *
   * @return true if every updated W is finite (checked in the same pass over W)
   */
  public static boolean sgdStep(Matrix w, Matrix g, Matrix v, float lr, float momentum, float weightDecay) {
    sameShape("sgdStep", w, g);
    sameShape("sgdStep", w, v);
    if (w.overlaps(g) || w.overlaps(v) || g.overlaps(v)) {
      throw new IllegalArgumentException("sgdStep: W " + w.shape() + ", G and V must not share storage");
    }
    return ew().sgdStep(w.data(), w.offset(), g.data(), g.offset(), v.data(), v.offset(), w.size(), lr, momentum, weightDecay);
  }

  /**
   * As {@link #sgdStep(Matrix, Matrix, Matrix, float, float, float)}, the elements split over {@code pool} in
   * contiguous ranges (a memory-bound pass: one thread cannot use the bandwidth of two cores). Elementwise, so
   * the result does not depend on the split.
   */
  public static boolean sgdStep(
      Matrix w, Matrix g, Matrix v, float lr, float momentum, float weightDecay, ThreadPool pool) {
    if (pool.parallelism() == 1 || w.size() < PARALLEL_ELEMENTWISE_MIN) {
      return sgdStep(w, g, v, lr, momentum, weightDecay);
    }
    sameShape("sgdStep", w, g);
    sameShape("sgdStep", w, v);
    if (w.overlaps(g) || w.overlaps(v) || g.overlaps(v)) {
      throw new IllegalArgumentException("sgdStep: W " + w.shape() + ", G and V must not share storage");
    }
    RangeTask t = RANGE_TASKS.get();
    t.set(RangeTask.SGD, w, g, v, lr, momentum, weightDecay, pool.parallelism());
    return t.run(pool);
  }

  /** True if every element is finite. */
  public static boolean allFinite(Matrix x) {
    return ew().allFinite(x.data(), x.offset(), x.size());
  }

  /** As {@link #allFinite(Matrix)}, the elements split over {@code pool}. */
  public static boolean allFinite(Matrix x, ThreadPool pool) {
    if (pool.parallelism() == 1 || x.size() < PARALLEL_ELEMENTWISE_MIN) {
      return allFinite(x);
    }
    RangeTask t = RANGE_TASKS.get();
    t.set(RangeTask.FINITE, x, null, null, 0f, 0f, 0f, pool.parallelism());
    return t.run(pool);
  }

  /** Fewer elements than this are not worth a hand-off to the pool (a few microseconds). */
  static final int PARALLEL_ELEMENTWISE_MIN = 1 << 16;

  private static final ThreadLocal<RangeTask> RANGE_TASKS = ThreadLocal.withInitial(RangeTask::new);

  /**
   * A reusable pool job over contiguous element ranges (whole 64-byte lines, the last range takes the
   * rest), so that the pooled elementwise calls allocate nothing. The matrices are w, g, v for the SGD step,
   * and x, y, z (in that order) for the other operations.
   */
  private static final class RangeTask implements java.util.function.IntConsumer {
    static final int SGD = 0;
    static final int FINITE = 1;
    static final int RELU = 2;
    static final int HADAMARD = 3;
    static final int SUB = 4;
    /** w: the mask; lr: the kept value. */
    static final int DROPOUT = 5;
    int kind;
    long threshold;
    long state;
    Matrix w;
    Matrix g;
    Matrix v;
    float lr;
    float momentum;
    float weightDecay;
    int parts;
    boolean[] ok = new boolean[2];

    void set(int kind, Matrix w, Matrix g, Matrix v, float lr, float momentum, float weightDecay, int parts) {
      this.kind = kind;
      this.w = w;
      this.g = g;
      this.v = v;
      this.lr = lr;
      this.momentum = momentum;
      this.weightDecay = weightDecay;
      this.parts = parts;
      if (ok.length < parts) {
        ok = new boolean[parts];
      }
    }

    boolean run(ThreadPool pool) {
      try {
        pool.forEach(parts, this);
        boolean all = true;
        for (int t = 0; t < parts; t++) {
          all &= ok[t];
        }
        return all;
      } finally {
        w = null;
        g = null;
        v = null;
      }
    }

    private int bound(int t) {
      int len = w.size();
      return t >= parts ? len : (int) ((long) len * t / parts) & ~15;
    }

    @Override
    public void accept(int t) {
      int from = bound(t);
      int len = bound(t + 1) - from;
      ElementwiseKernel k = ew();
      ok[t] = true;
      switch (kind) {
        case SGD -> ok[t] = k.sgdStep(w.data(), w.offset() + from, g.data(), g.offset() + from, v.data(),
            v.offset() + from, len, lr, momentum, weightDecay);
        case FINITE -> ok[t] = k.allFinite(w.data(), w.offset() + from, len);
        case RELU -> k.relu(w.data(), w.offset() + from, v.data(), v.offset() + from, len);
        case HADAMARD -> k.hadamard(w.data(), w.offset() + from, g.data(), g.offset() + from, v.data(),
            v.offset() + from, len);
        case SUB -> k.sub(w.data(), w.offset() + from, g.data(), g.offset() + from, v.data(), v.offset() + from,
            len);
        case DROPOUT -> k.dropoutMask(w.data(), w.offset() + from, len, threshold, lr, state + from * Rng.GAMMA);
        default -> throw new IllegalStateException("unknown elementwise task " + kind);
      }
    }
  }
}

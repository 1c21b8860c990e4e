package org.fwdlearn.core.kernel;

/**
 * The width-specific inner loops of {@link VectorGemm}: register-blocked micro-kernels on packed panels,
 * and the gathering pack of a transposed B. One implementation per vector species ({@link
 * VectorGemmMicro}); callers trust the arguments.
 *
 * <p>Packed layouts. An A strip of {@code h} rows ({@link #MR} or {@link #MR_HALF}) holds element (r, p) at
 * {@code aIdx + p * h + r}. A B strip of {@code w} columns (two vectors for the tiles, one for the column
 * kernels) holds element (p, j) at {@code bIdx + p * w + j}. Each kernel computes {@code acc = sum_p A[:, p]
 * B[p, :]} over {@code kc} steps, then stores the first {@code rows} rows into {@code c[cIdx + r * ldc +
 * j]}: {@code acc} if not {@code read} (C is not read), else {@code fma(C, beta, acc)} (with beta 1 this is
 * {@code C + acc} exactly). All lanes are stored; the caller passes a scratch tile for a partial vector.
 */
interface GemmMicroKernel {
  /** Rows of a full A strip. */
  int MR = 12;

  /** Rows of the half strip that takes the bottom rows of A when at most 6 remain. */
  int MR_HALF = 6;

  /** Vectors per row of a tile (columns of a full B strip, in vectors). */
  int NV = 2;

  /** Floats per vector. */
  int lanes();

  /**
   * The SGD step on a {@code rows x cols} block whose gradient is in {@code t} (row r at {@code r * ldt}),
   * with the arithmetic of {@link ElementwiseKernel#sgdStep}: {@code g = G + wd W; V <- mu V + g; W <- W - lr
   * V}, W and V row-major with leading dimensions ldw and ldv.
   *
   * @return true if every updated W of the block is finite
   */
  boolean sgdTile(
      float[] t, int ldt, int rows, int cols, float[] w, int wIdx, int ldw, float[] v, int vIdx, int ldv,
      float lr, float momentum, float weightDecay);

  /**
   * Dot products of one row of A with {@code rows} (1 to 4) rows of B, for a transposed B read in place (a
   * matrix-vector product, where packing would cost more than the product): {@code out[outIdx + j] = sum_p
   * a[aIdx + p] b[bIdx + j ldb + p]}. One vector accumulator per row over the whole vectors of k (fma in
   * increasing p), its lanes then added in lane order through {@code scratch} (at least 4 vectors), then the
   * remaining p in order by fma.
   */
  void dots(int k, float[] a, int aIdx, float[] b, int bIdx, int ldb, int rows, float[] out, int outIdx,
      float[] scratch);

  /** Rows of A in one {@link #dotBlock}. */
  int DOT_ROWS = 4;

  /** Rows of B in one {@link #dotBlock}. */
  int DOT_COLS = 5;

  /**
   * The dot products of {@code rowsA} (1 to {@link #DOT_ROWS}) rows of A with {@code rowsB} (1 to {@link
   * #DOT_COLS}) rows of B, both row-major and read in place (a batch against a narrow transposed B, where
   * packing would cost more than the product): {@code out[r * DOT_COLS + j] = sum_p a[aIdx + r lda + p]
   * b[bIdx + j ldb + p]}. Each sum is {@link #dots}'s, bit for bit (one vector accumulator over the whole
   * vectors of k, its lanes added in lane order through {@code scratch}, at least {@code DOT_ROWS * DOT_COLS}
   * vectors, then the remaining p by fma); the block only shares the loads of A and B among the sums.
   */
  void dotBlock(int k, float[] a, int aIdx, int lda, int rowsA, float[] b, int bIdx, int ldb, int rowsB,
      float[] out, float[] scratch);

  /** MR rows x NV vectors. */
  void tile(
      int kc, float[] ap, int aIdx, float[] bp, int bIdx, float[] c, int cIdx, int ldc, int rows, boolean read,
      float beta);

  /** MR_HALF rows x NV vectors. */
  void tileHalf(
      int kc, float[] ap, int aIdx, float[] bp, int bIdx, float[] c, int cIdx, int ldc, int rows, boolean read,
      float beta);

  /**
   * {@link #tile}'s product over runs of steps: run g is steps {@code [ks[ksIdx + 2g], ks[ksIdx + 2g + 1])}
   * (increasing). The strip that left out the other steps holds the runs' steps one after the other: A's strip
   * if {@code compactA} (B's rows are then read at their steps), else B's (A's columns at their steps). All MR
   * rows of the sums go into {@code t} (row r at {@code r * NV * lanes}): {@link #storeTile} then stores them as
   * the tile would.
   */
  void tileSparse(int runs, int[] ks, int ksIdx, boolean compactA, float[] ap, int aIdx, float[] bp, int bIdx, float[] t);

  /** {@link #tileSparse} on a half strip: MR_HALF rows into {@code t}. */
  void tileHalfSparse(
      int runs, int[] ks, int ksIdx, boolean compactA, float[] ap, int aIdx, float[] bp, int bIdx, float[] t);

  /**
   * Stores the first {@code rows} rows of a scratch tile of NV vectors per row into C, with the tiles' arithmetic:
   * the sum if not {@code read}, else {@code fma(C, beta, sum)}.
   */
  void storeTile(float[] t, float[] c, int cIdx, int ldc, int rows, boolean read, float beta);

  /** MR rows x one vector (all lanes stored: a partial vector goes through a scratch tile). */
  void column(
      int kc, float[] ap, int aIdx, float[] bp, int bIdx, float[] c, int cIdx, int ldc, int rows, boolean read,
      float beta);

  /** MR_HALF rows x one vector (all lanes stored). */
  void columnHalf(
      int kc, float[] ap, int aIdx, float[] bp, int bIdx, float[] c, int cIdx, int ldc, int rows, boolean read,
      float beta);

  /**
   * MR_HALF rows x NV vectors with a row-major A read in place: element (r, p) of A is {@code a[aIdx + r * lda + p]},
   * for the first {@code rows} rows (rows past them are not read). B's strip holds the steps of {@code runs} runs
   * {@code [ks[ksIdx + 2g], ks[ksIdx + 2g + 1])} one after the other (one run [0, kc) for a whole strip). Stores
   * as {@link #tile}.
   */
  void tileDirect(
      int runs, int[] ks, int ksIdx, float[] a, int aIdx, int lda, float[] bp, int bIdx, float[] c, int cIdx, int ldc,
      int rows, boolean read, float beta);

  /**
   * MR rows x one vector with a row-major A read in place (no packing): element (r, p) of A is {@code
   * a[aIdx + r * lda + p]}, for the first {@code rows} rows (rows past them are not read). Stores all lanes
   * of the first {@code rows} rows.
   */
  void columnDirect(
      int kc,
      float[] a,
      int aIdx,
      int lda,
      float[] bp,
      int bIdx,
      float[] c,
      int cIdx,
      int ldc,
      int rows,
      boolean read,
      float beta);

  /**
   * Packs {@code strips} whole strips of op(B) = B, B stored k x n, reading row by row: row p of strip s
   * (at {@code dst + s * kc * NV * lanes + p * NV * lanes}) is {@code b[src + p * ldb + s * NV * lanes ...]}.
   */
  void packRows(float[] b, int src, int ldb, int kc, int strips, float[] bp, int dst);

  /**
   * Packs {@code kc} rows of a one-vector strip of op(B) = B^T, B stored n x k: packed vector p (at {@code
   * dst + p * stride}) gets lane l from {@code b[src + p + map[l]]}, with {@code map[l] = l * ldb}.
   */
  void gatherColumns(float[] b, int src, int kc, float[] bp, int dst, int stride, int[] map);
}

package org.fwdlearn.data;

import org.fwdlearn.core.Matrix;
import org.fwdlearn.core.Rng;

/**
 * Deterministic mini-batches of a dataset, like PyTorch's {@code DataLoader(shuffle, drop_last)}: every epoch
 * visits the examples in a fresh permutation (or in order), cut into batches of {@code batch} rows; with
 * {@code dropLast} the final partial batch is skipped.
 *
 * <p>The permutation of an epoch is a Fisher-Yates shuffle ({@link Rng#shuffle(int[])}) driven by
 * {@code new Rng(seed)}, where {@code seed} is the next {@link Rng#nextLong()} of the loader's generator; so a
 * given generator seed gives the same batches on every run and machine. The loader copies each batch into
 * buffers it allocated once: {@link #x()} and {@link #labels()} return the same objects batch after batch
 * (a second pair for a final partial batch), overwritten by the next {@link #next()}.
 *
 * <p>Typical use:
 * <pre>{@code
 * BatchLoader loader = new BatchLoader(train, 64, true, true, new Rng(seed));
 * for (int epoch = 0; epoch < epochs; epoch++) {
 *   loader.startEpoch();
 *   while (loader.next()) {
 *     step(loader.x(), loader.labels(), loader.batchSize());
 *   }
 * }
 * }</pre>
 *
 * <p>Checkpoints: save {@link #position()} and the generator's {@link Rng#state()} (taken after
 * {@link #startEpoch()}). To resume, restore the generator, then call {@link #resume(Position)}: the epoch's
 * permutation is rebuilt from its seed and the batches already seen are skipped, so the run continues with
 * exactly the batches it would have seen, and later epochs draw the same seeds.
 */
public final class BatchLoader {
  /**
   * Where a loader is: the seed of the current epoch's permutation (ignored without shuffling) and the number
   * of batches of that epoch already delivered.
   *
   * @param epochSeed the permutation seed of the epoch
   * @param batchesDone the batches of the epoch already returned by {@link #next()}
   */
  public record Position(long epochSeed, int batchesDone) {}

  private final Dataset data;
  private final int batch;
  private final boolean shuffle;
  private final boolean dropLast;
  private final Rng rng;
  private final int[] order;
  private final Matrix fullX;
  private final int[] fullLabels;
  private final Matrix tailX;
  private final int[] tailLabels;
  private final int numBatches;
  private long epochSeed;
  private boolean started;
  private int batchesDone;
  private Matrix curX;
  private int[] curLabels;

  /**
   * @param data the dataset. Not modified.
   * @param batch the batch size, at least 1 (and at most the dataset size when {@code dropLast})
   * @param shuffle whether each epoch uses a fresh random permutation
   * @param dropLast whether to skip the final partial batch
   * @param rng the generator of the permutation seeds (modified by {@link #startEpoch()}); may be null without
   *     shuffling
   */
  public BatchLoader(Dataset data, int batch, boolean shuffle, boolean dropLast, Rng rng) {
    if (batch < 1) {
      throw new IllegalArgumentException("batch size must be >= 1, got " + batch);
    }
    if (dropLast && batch > data.size()) {
      throw new IllegalArgumentException(data.name() + ": batch size " + batch + " with drop-last leaves no batch of "
          + data.size() + " examples");
    }
    if (shuffle && rng == null) {
      throw new IllegalArgumentException("shuffling needs a generator, got null");
    }
    this.data = data;
    this.batch = batch;
    this.shuffle = shuffle;
    this.dropLast = dropLast;
    this.rng = rng;
    int n = data.size();
    this.order = new int[n];
    for (int i = 0; i < n; i++) {
      order[i] = i;
    }
    int d = data.features();
    int full = Math.min(batch, n);
    this.fullX = new Matrix(full, d);
    this.fullLabels = new int[full];
    int tail = n % batch;
    boolean hasTail = !dropLast && tail != 0 && n > batch;
    this.tailX = hasTail ? new Matrix(tail, d) : null;
    this.tailLabels = hasTail ? new int[tail] : null;
    this.numBatches = dropLast ? n / batch : (n + batch - 1) / batch;
  }

  /** The number of batches per epoch. */
  public int numBatches() {
    return numBatches;
  }

  /** The dataset. */
  public Dataset dataset() {
    return data;
  }

  /**
   * Starts an epoch: draws its permutation seed from the generator (when shuffling) and rewinds.
   *
   * @return the epoch's permutation seed (0 without shuffling)
   */
  public long startEpoch() {
    startEpoch(shuffle ? rng.nextLong() : 0L);
    return epochSeed;
  }

  /** Starts an epoch with the given permutation seed, without touching the generator. */
  public void startEpoch(long seed) {
    epochSeed = seed;
    for (int i = 0; i < order.length; i++) {
      order[i] = i;
    }
    if (shuffle) {
      new Rng(seed).shuffle(order);
    }
    batchesDone = 0;
    started = true;
    curX = null;
    curLabels = null;
  }

  /**
   * Continues from a saved position: rebuilds the epoch's permutation and skips the batches already done.
   * The caller restores the generator's state separately (see the class comment).
   */
  public void resume(Position p) {
    if (p.batchesDone() < 0 || p.batchesDone() > numBatches) {
      throw new IllegalArgumentException("cannot resume after batch " + p.batchesDone() + " of " + numBatches);
    }
    startEpoch(p.epochSeed());
    batchesDone = p.batchesDone();
  }

  /** Where the loader is in the current epoch. */
  public Position position() {
    return new Position(epochSeed, batchesDone);
  }

  /** The order of the current epoch: {@code order()[k]} is the row of the k-th example visited (a copy). */
  public int[] order() {
    return order.clone();
  }

  /**
   * Fills the buffers with the next batch of the epoch.
   *
   * @return false when the epoch has no batch left (then call {@link #startEpoch()})
   * @throws IllegalStateException if no epoch was started
   */
  public boolean next() {
    if (!started) {
      throw new IllegalStateException("call startEpoch() before next()");
    }
    if (batchesDone >= numBatches) {
      curX = null;
      curLabels = null;
      return false;
    }
    int from = batchesDone * batch;
    int size = Math.min(batch, order.length - from);
    Matrix x = size == fullX.rows() ? fullX : tailX;
    int[] y = size == fullX.rows() ? fullLabels : tailLabels;
    Matrix src = data.x();
    float[] s = src.data();
    float[] t = x.data();
    int d = src.cols();
    int[] labels = data.labels();
    for (int k = 0; k < size; k++) {
      int row = order[from + k];
      System.arraycopy(s, src.offset() + row * d, t, x.offset() + k * d, d);
      y[k] = labels[row];
    }
    curX = x;
    curLabels = y;
    batchesDone++;
    return true;
  }

  /** The dataset row of the k-th example of the current batch (0 <= k < {@link #batchSize()}). */
  public int currentRow(int k) {
    checkCurrent();
    int from = (batchesDone - 1) * batch;
    if (k < 0 || k >= curLabels.length) {
      throw new IndexOutOfBoundsException("example " + k + " outside the current batch of " + curLabels.length);
    }
    return order[from + k];
  }

  /** The current batch, {@link #batchSize()} x d: a buffer reused by the next call to {@link #next()}. */
  public Matrix x() {
    checkCurrent();
    return curX;
  }

  /** The labels of the current batch (length {@link #batchSize()}): a buffer reused by {@link #next()}. */
  public int[] labels() {
    checkCurrent();
    return curLabels;
  }

  /** The number of examples in the current batch. */
  public int batchSize() {
    checkCurrent();
    return curLabels.length;
  }

  private void checkCurrent() {
    if (curX == null) {
      throw new IllegalStateException("no current batch: call next() and check that it returned true");
    }
  }
}

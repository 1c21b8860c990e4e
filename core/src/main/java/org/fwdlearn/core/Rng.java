package org.fwdlearn.core;

/**
 * A seeded, splittable pseudo-random generator (SplitMix64, Steele, Lea and Flood, OOPSLA 2014) whose
 * output is fixed by this class alone: the same seed gives the same numbers on every JDK, machine and
 * thread count. Gaussians use Box-Muller with {@link StrictMath}, so they are reproducible bit for bit.
 *
 * <p>Not thread-safe: give each thread its own generator via {@link #split()} or {@link #stream(long)}.
 */
public final class Rng {
  private static final long GOLDEN = 0x9E3779B97F4A7C15L;
  private long state;
  private double spareGaussian;
  private boolean hasSpare;

  public Rng(long seed) {
    this.state = seed;
  }

  /** The SplitMix64 output function: value {@code i} (from 1) of a generator in state s is mix64(s + i * GOLDEN). */
  public static long mix64(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  public long nextLong() {
    return mix64(state += GOLDEN);
  }

  public int nextInt() {
    return (int) (nextLong() >>> 32);
  }

  /** Uniform in {@code [0, bound)}, unbiased (rejection sampling). */
  public int nextInt(int bound) {
    if (bound <= 0) {
      throw new IllegalArgumentException("bound must be positive, got " + bound);
    }
    long r = nextLong() >>> 33; // 31 bits
    long m = bound - 1L;
    if ((bound & m) == 0) {
      return (int) ((r * bound) >>> 31);
    }
    for (long u = r; u - (r = u % bound) + m < 0 || u - r + m >= (1L << 31); u = nextLong() >>> 33) {
      // retry: u fell in the incomplete last block
    }
    return (int) r;
  }

  /** Uniform in {@code [0, 1)} with 24 random bits. */
  public float nextFloat() {
    return (nextLong() >>> 40) * 0x1.0p-24f;
  }

  /** Uniform in {@code [0, 1)} with 53 random bits. */
  public double nextDouble() {
    return (nextLong() >>> 11) * 0x1.0p-53;
  }

  /** Standard normal, by the Box-Muller transform computed with {@link StrictMath}. */
  public double nextGaussian() {
    if (hasSpare) {
      hasSpare = false;
      return spareGaussian;
    }
    double u1;
    do {
      u1 = nextDouble();
    } while (u1 <= 0.0);
    double u2 = nextDouble();
    double r = StrictMath.sqrt(-2.0 * StrictMath.log(u1));
    double theta = 2.0 * Math.PI * u2;
    spareGaussian = r * StrictMath.sin(theta);
    hasSpare = true;
    return r * StrictMath.cos(theta);
  }

  /** A new generator whose sequence is independent of this one's continuation; advances this one. */
  public Rng split() {
    return new Rng(mix64(nextLong() ^ 0x5DEECE66DL));
  }

  /**
   * The generator of stream {@code index} derived from this generator's current state, without advancing
   * it: {@code stream(i)} is the same whoever asks and in whatever order.
   */
  public Rng stream(long index) {
    return new Rng(mix64(state ^ mix64(index * GOLDEN + 0x632BE59BD9B4E019L)));
  }

  /** Fisher-Yates shuffle of {@code a} in place. */
  public void shuffle(int[] a) {
    for (int i = a.length - 1; i > 0; i--) {
      int j = nextInt(i + 1);
      int t = a[i];
      a[i] = a[j];
      a[j] = t;
    }
  }

  /** The SplitMix64 increment: {@link #nextLong()} adds it to the state, then returns {@link #mix64} of it. */
  public static final long GAMMA = GOLDEN;

  /**
   * Skips {@code n} values of {@link #nextLong()} (and of everything drawn from one long each); a spare
   * Gaussian, if held, stays.
   */
  public void advance(long n) {
    state += n * GOLDEN;
  }

  /** The counter, whatever a spare Gaussian (for a bulk draw followed by {@link #advance}). */
  long counter() {
    return state;
  }

  /** The internal state, for checkpoints; {@link #restore(long)} resumes the exact sequence. */
  public long state() {
    if (hasSpare) {
      throw new IllegalStateException("cannot snapshot a generator holding a spare Gaussian");
    }
    return state;
  }

  /** Restores a state captured by {@link #state()}. */
  public void restore(long s) {
    state = s;
    hasSpare = false;
  }
}

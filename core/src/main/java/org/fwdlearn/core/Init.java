package org.fwdlearn.core;

/**
 * Seeded initialisers. Element order is row-major, one draw per element, so a seed gives the same matrix on
 * every machine and thread count.
 */
public final class Init {
  private Init() {}

  /** He-uniform (Kaiming uniform, gain sqrt 2): {@code U(-sqrt(6/fanIn), +sqrt(6/fanIn))}. Modified: w. */
  public static Matrix heUniform(Matrix w, int fanIn, Rng rng) {
    checkFan(fanIn);
    float a = (float) Math.sqrt(6.0 / fanIn);
    return uniform(w, -a, a, rng);
  }

  /** He-normal: {@code N(0, 2/fanIn)}. Modified: w. */
  public static Matrix heNormal(Matrix w, int fanIn, Rng rng) {
    checkFan(fanIn);
    return normal(w, 0f, (float) Math.sqrt(2.0 / fanIn), rng);
  }

  /** Uniform in {@code [lo, hi)}: {@code lo + (hi - lo) * u}. Modified: w. */
  public static Matrix uniform(Matrix w, float lo, float hi, Rng rng) {
    if (!(lo <= hi)) {
      throw new IllegalArgumentException("uniform bounds must satisfy lo <= hi, got [" + lo + ", " + hi + ")");
    }
    float[] d = w.data();
    int end = w.offset() + w.size();
    double span = (double) hi - lo;
    for (int i = w.offset(); i < end; i++) {
      d[i] = (float) (lo + span * rng.nextDouble());
    }
    return w;
  }

  /** Normal {@code N(mean, std^2)}. Modified: w. */
  public static Matrix normal(Matrix w, float mean, float std, Rng rng) {
    if (!(std >= 0)) {
      throw new IllegalArgumentException("standard deviation must be >= 0, got " + std);
    }
    float[] d = w.data();
    int end = w.offset() + w.size();
    for (int i = w.offset(); i < end; i++) {
      d[i] = (float) (mean + std * rng.nextGaussian());
    }
    return w;
  }

  private static void checkFan(int fanIn) {
    if (fanIn <= 0) {
      throw new IllegalArgumentException("fan-in must be positive, got " + fanIn);
    }
  }
}

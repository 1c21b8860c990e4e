package org.fwdlearn.rules;

/**
 * Weight mirroring: a step that moves a rule's feedback matrices towards (a multiple of) the transposed
 * forward weights, driven by noise run through the network (Akrout, Wilson, Humphreys, Lillicrap and Tweed,
 * "Deep learning without weight transport", NeurIPS 2019, arXiv 1904.05391).
 */
public interface FeedbackMirror {
  /** One mirroring step on every feedback matrix (one noise batch per layer). */
  void mirror();

  /** Amplitude of the mirroring noise, 0.1 in the reference. */
  float NOISE_AMPLITUDE = 0.1f;

  /**
   * Fills xi with {@code amplitude * N(0, 1)} in row-major order, then subtracts the mean of all its entries
   * (one scalar), as the reference's {@code noise_x -= mean(noise_x)}. The Gaussians come from Marsaglia's
   * polar method on {@code rng.nextDouble()} with {@link StrictMath} (reproducible bit for bit, and free of
   * the temporary arrays that {@code StrictMath.sin/cos} allocate), in pairs; an odd count drops the last
   * value of its pair. Allocation-free. Modified: xi.
   */
  static void centredNoise(org.fwdlearn.core.Matrix xi, float amplitude, org.fwdlearn.core.Rng rng) {
    float[] d = xi.data();
    int off = xi.offset();
    int size = xi.size();
    double sum = 0;
    for (int i = 0; i < size; i += 2) {
      double u;
      double v;
      double s;
      do {
        u = 2 * rng.nextDouble() - 1;
        v = 2 * rng.nextDouble() - 1;
        s = u * u + v * v;
      } while (s >= 1 || s == 0);
      double m = StrictMath.sqrt(-2 * StrictMath.log(s) / s);
      float a = (float) (amplitude * u * m);
      d[off + i] = a;
      sum += a;
      if (i + 1 < size) {
        float b = (float) (amplitude * v * m);
        d[off + i + 1] = b;
        sum += b;
      }
    }
    float mean = (float) (sum / size);
    for (int i = 0; i < size; i++) {
      d[off + i] -= mean;
    }
  }
}

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
   * (one scalar), as the reference's {@code noise_x -= mean(noise_x)}. Draws an even number of Gaussians
   * so that the generator holds no spare value (checkpoints). Modified: xi.
   */
  static void centredNoise(org.fwdlearn.core.Matrix xi, float amplitude, org.fwdlearn.core.Rng rng) {
    float[] d = xi.data();
    int off = xi.offset();
    int size = xi.size();
    double sum = 0;
    for (int i = 0; i < size; i++) {
      float v = (float) (amplitude * rng.nextGaussian());
      d[off + i] = v;
      sum += v;
    }
    if ((size & 1) == 1) {
      rng.nextGaussian();
    }
    float mean = (float) (sum / size);
    for (int i = 0; i < size; i++) {
      d[off + i] -= mean;
    }
  }
}

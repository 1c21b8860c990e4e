package org.fwdlearn.optim;

import java.util.Arrays;

/**
 * Step decay: the learning rate is multiplied by {@code factor} at the END of each listed (0-based) epoch,
 * so it takes effect from the next one. The paper's protocol (ALGORITHMS.md section 3.4, the ICLR
 * reference code) multiplies by 0.1 after epochs 60 and 90.
 */
public final class StepDecay implements LearningRateSchedule {
  private final int[] epochs;
  private final float factor;

  /**
   * @param epochs 0-based epochs at whose end the rate decays (each >= 0; duplicates decay twice)
   * @param factor multiplier in (0, 1]
   */
  public StepDecay(int[] epochs, float factor) {
    for (int e : epochs) {
      if (e < 0) {
        throw new IllegalArgumentException("decay epochs must be >= 0, got " + Arrays.toString(epochs));
      }
    }
    if (!(factor > 0f && factor <= 1f)) {
      throw new IllegalArgumentException("decay factor must be in (0, 1], got " + factor);
    }
    this.epochs = epochs.clone();
    this.factor = factor;
  }

  @Override
  public float afterEpoch(int epoch, float current) {
    float lr = current;
    for (int e : epochs) {
      if (e == epoch) {
        lr *= factor;
      }
    }
    return lr;
  }
}

package org.fwdlearn.optim;

/** How the learning rate changes between epochs. */
public interface LearningRateSchedule {
  /**
   * The learning rate for epoch {@code epoch + 1}, given the rate {@code current} in force during the
   * (0-based) epoch that just ended.
   */
  float afterEpoch(int epoch, float current);
}

package org.fwdlearn.train;

import java.util.List;

/**
 * The outcome of {@link Trainer#run}.
 *
 * @param epochs the reports of every epoch trained so far (including epochs restored from a checkpoint)
 * @param finalTestAccuracy test accuracy after the last epoch (NaN if no epoch was trained)
 * @param bestTestAccuracy the highest test accuracy of any epoch (NaN if none)
 * @param seconds the sum of the epochs' wall times
 */
public record TrainingResult(List<EpochReport> epochs, double finalTestAccuracy, double bestTestAccuracy, double seconds) {
  public TrainingResult {
    epochs = List.copyOf(epochs);
  }
}

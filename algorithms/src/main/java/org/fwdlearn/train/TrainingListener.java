package org.fwdlearn.train;

import java.util.function.Consumer;

/**
 * Receives a training run's progress. Every method has an empty default.
 *
 * <pre>{@code
 * trainer.run(TrainingListener.onEpoch(r -> System.out.printf("epoch %d: %.4f%n", r.epoch() + 1, r.testAccuracy())));
 * }</pre>
 */
public interface TrainingListener {
  /** A listener that passes each epoch's report to {@code action} and ignores the other events. */
  static TrainingListener onEpoch(Consumer<EpochReport> action) {
    return new TrainingListener() {
      @Override
      public void epochDone(EpochReport report) {
        action.accept(report);
      }
    };
  }

  /** Before the first batch of an epoch. */
  default void epochStarted(int epoch, int batches) {}

  /** After each batch; {@code samples} examples of this epoch have been trained on so far. */
  default void batchDone(int epoch, int batch, int batches, long samples) {}

  /** After an epoch's training and evaluation, with its report. */
  default void epochDone(EpochReport report) {}
}

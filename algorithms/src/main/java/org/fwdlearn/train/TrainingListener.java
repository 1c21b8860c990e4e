package org.fwdlearn.train;

/** Receives a training run's progress. Every method has an empty default. */
public interface TrainingListener {
  /** Before the first batch of an epoch. */
  default void epochStarted(int epoch, int batches) {}

  /** After each batch; {@code samples} examples of this epoch have been trained on so far. */
  default void batchDone(int epoch, int batch, int batches, long samples) {}

  /** After an epoch's training and evaluation, with its report. */
  default void epochDone(EpochReport report) {}
}

package org.fwdlearn.data;

/** A training set and a test set of the same feature count and classes. */
public record DatasetSplit(Dataset train, Dataset test) {
  public DatasetSplit {
    if (train.features() != test.features() || train.numClasses() != test.numClasses()) {
      throw new IllegalArgumentException(
          "train " + train.name() + " (" + train.features() + " features, " + train.numClasses()
              + " classes) and test " + test.name() + " (" + test.features() + ", " + test.numClasses()
              + ") do not match");
    }
  }
}

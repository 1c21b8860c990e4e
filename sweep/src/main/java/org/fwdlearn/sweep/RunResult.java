package org.fwdlearn.sweep;

import java.io.Serializable;

/**
 * The result of a finished run.
 *
 * @param testAccuracy the test accuracy after the last epoch, in [0, 1]
 * @param bestTestAccuracy the highest test accuracy of any epoch
 * @param bestEpoch the 1-based epoch of the highest test accuracy
 * @param epochs the epochs trained
 * @param trainSeconds the training time summed over the epochs (over every session of a resumed run)
 */
public record RunResult(double testAccuracy, double bestTestAccuracy, int bestEpoch, int epochs, double trainSeconds)
    implements Serializable {}

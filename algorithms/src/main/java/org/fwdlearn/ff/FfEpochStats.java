package org.fwdlearn.ff;

/**
 * Forward-Forward figures of one (0-based) epoch, averaged over its batches; per-layer arrays have one entry
 * per layer (index l - 1), NaN for layers not trained in the epoch (layer-after-layer schedule).
 *
 * @param firstTrained the first layer trained in the epoch
 * @param lastTrained the last layer trained in the epoch
 * @param loss each layer's mean logistic loss
 * @param separation the fraction of positive and negative rows each layer classified right (g > theta iff positive)
 * @param positiveGoodness mean goodness of positive data
 * @param negativeGoodness mean goodness of negative data
 * @param peerLoss mean peer-normalisation loss (NaN when off)
 * @param readoutTrainLoss the linear read-out's cross-entropy on the training batches (NaN without one)
 * @param readoutTrainAccuracy the linear read-out's accuracy on the training batches (NaN without one)
 * @param testAccuracyGoodness test accuracy predicting by summed goodness (NaN if not evaluated this epoch)
 * @param testAccuracyReadout test accuracy of the linear read-out (NaN if not evaluated or none)
 * @param seconds the epoch's wall time
 */
public record FfEpochStats(
    int epoch,
    int firstTrained,
    int lastTrained,
    double[] loss,
    double[] separation,
    double[] positiveGoodness,
    double[] negativeGoodness,
    double[] peerLoss,
    double readoutTrainLoss,
    double readoutTrainAccuracy,
    double testAccuracyGoodness,
    double testAccuracyReadout,
    double seconds) {}

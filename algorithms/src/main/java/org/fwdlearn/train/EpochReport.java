package org.fwdlearn.train;

/**
 * What the trainer reports at the end of an epoch (0-based {@code epoch}). Accuracies are fractions in [0, 1];
 * losses are mean cross-entropies of the logits. Angles are in degrees, NaN where the rule has no F.
 *
 * @param layerAnglesDeg angle between vec(W_l^T) and vec(B_l), index l-1 for layer l: every layer when F is a
 *     product of B_l (PEPITA family, AFA with F init normal or mirroring), layers 2..L for FA (index 0 NaN),
 *     else empty
 * @param weightNorms Frobenius norm of each W_l
 * @param fStd standard deviation of F's entries (NaN if the rule has no F)
 * @param fMean mean of F's entries (NaN if the rule has no F)
 * @param seconds wall time of the epoch's training and evaluation
 */
public record EpochReport(
    int epoch,
    double trainLoss,
    double trainAccuracy,
    double testLoss,
    double testAccuracy,
    double lr,
    double fAngleDeg,
    double[] layerAnglesDeg,
    double[] weightNorms,
    double fStd,
    double fMean,
    double seconds) {}

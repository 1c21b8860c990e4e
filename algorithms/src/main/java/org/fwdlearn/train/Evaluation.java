package org.fwdlearn.train;

/**
 * The result of evaluating a network on a dataset without dropout.
 *
 * @param accuracy fraction of examples whose first maximal logit is the label, in [0, 1]
 * @param loss mean cross-entropy of the logits
 * @param confusion {@code confusion[true][predicted]} counts, C x C
 * @param count number of examples evaluated
 */
public record Evaluation(double accuracy, double loss, int[][] confusion, int count) {}

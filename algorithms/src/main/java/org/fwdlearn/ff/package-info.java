/**
 * Forward-Forward (Hinton 2022, arXiv 2212.13345; ALGORITHMS.md section 7): a network of ReLU layers with
 * length-normalised inputs ({@link org.fwdlearn.ff.FfNetwork}, {@link org.fwdlearn.ff.FfPass}), trained layer
 * by layer on positive and negative label-embedded data ({@link org.fwdlearn.ff.LabelEmbedding}) by each
 * layer's own analytic logistic-loss gradient on its goodness ({@link org.fwdlearn.ff.Goodness}, {@link
 * org.fwdlearn.ff.ForwardForward}), predicting by goodness over every label or with a linear read-out of a
 * neutral pass ({@link org.fwdlearn.ff.LinearReadout}); {@link org.fwdlearn.ff.FfTrainer} runs a whole
 * training from a {@link org.fwdlearn.train.TrainConfig} (rule {@code ff}).
 *
 * <p>Nothing crosses layers, so there is no backward pass: every matrix product is an {@link
 * org.fwdlearn.core.Ops} call on buffers allocated when the rule is built.
 */
package org.fwdlearn.ff;

/**
 * Optimisers that turn a learning rule's gradient-like G_l into weight changes ({@link
 * org.fwdlearn.optim.Optimizer}, {@link org.fwdlearn.optim.Sgd}), and learning-rate schedules ({@link
 * org.fwdlearn.optim.LearningRateSchedule}, {@link org.fwdlearn.optim.StepDecay}). ALGORITHMS.md section
 * 3.4.
 */
package org.fwdlearn.optim;

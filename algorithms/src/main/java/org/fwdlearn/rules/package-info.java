/**
 * Learning rules (ALGORITHMS.md sections 2-6): one {@link org.fwdlearn.rules.LearningRule} interface and
 * one class per rule, each stating its update equations and citing its paper — {@link
 * org.fwdlearn.rules.Backpropagation}, {@link org.fwdlearn.rules.FeedbackAlignment}, {@link
 * org.fwdlearn.rules.DirectFeedbackAlignment}, {@link org.fwdlearn.rules.DirectRandomTargetProjection},
 * {@link org.fwdlearn.rules.Pepita}, {@link org.fwdlearn.rules.PepitaTimeLocal}, {@link
 * org.fwdlearn.rules.PepitaHebbian}, {@link org.fwdlearn.rules.AdaptiveFeedbackAlignment} — and the feedback
 * matrices with their weight mirroring ({@link org.fwdlearn.rules.FeedbackMatrix}, {@link
 * org.fwdlearn.rules.PepitaMirror}, {@link org.fwdlearn.rules.FeedbackAlignmentMirror}).
 *
 * <p>Every rule computes, per batch of n rows, a gradient-like G_l of the shape of W_l, already divided by
 * n, which an {@link org.fwdlearn.optim.Optimizer} subtracts. All hot loops are {@link org.fwdlearn.core.Ops}
 * calls on buffers allocated when the rule is built.
 */
package org.fwdlearn.rules;

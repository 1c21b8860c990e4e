/**
 * Why PEPITA works, in the teacher-student setting: online simulations of a two-layer student learning from a
 * two-layer teacher with BP, FA, adaptive feedback alignment (AFA) and PEPITA ({@link
 * org.fwdlearn.analysis.OnlineSimulation}), and the ordinary differential equations of their order parameters for
 * erf units ({@link org.fwdlearn.analysis.OrderParameterOde}, closed-form averages in {@link
 * org.fwdlearn.analysis.ErfIntegrals}), integrated by an adaptive Runge-Kutta pair ({@link
 * org.fwdlearn.analysis.DormandPrince}) from each simulation's measured initial order parameters ({@link
 * org.fwdlearn.analysis.Trajectory}). The derivation is in {@code docs/theory.md}; the spec is section 6 of
 * ALGORITHMS.md. No plotting here: the {@code fwdlearn analyze teacher-student} command draws the figures.
 */
package org.fwdlearn.analysis;

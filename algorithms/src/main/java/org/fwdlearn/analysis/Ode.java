package org.fwdlearn.analysis;

/** An autonomous or time-dependent system {@code dy/dt = f(t, y)} for {@link DormandPrince}. */
public interface Ode {
  /** The length of the state vector. */
  int dimension();

  /**
   * Evaluates {@code f(t, y)}.
   *
   * @param t the time
   * @param y the state. Not modified.
   * @param dydt receives {@code f(t, y)}. Modified.
   */
  void derivative(double t, double[] y, double[] dydt);
}

package org.fwdlearn.analysis;

import java.util.Locale;

/**
 * The learning rules of the teacher-student analysis, for a student {@code y^ = sum_k v_k g(lambda_k)},
 * {@code lambda_k = w_k . x / sqrt N}, error {@code e = y^ - y}, one fresh sample per step. Each rule moves the
 * first layer by {@code w_k -= (eta / sqrt N) c_k g'(lambda_k) e x} with its own feedback {@code c_k}, and the
 * second layer by the delta rule {@code v_k -= (eta_v / N) g(lambda_k) e}.
 */
public enum Rule {
  /** Backpropagation (Saad and Solla 1995): {@code c_k = v_k}. */
  BP,
  /** Feedback alignment (Lillicrap et al. 2016; Refinetti et al. 2021): {@code c_k = b_k}, fixed random. */
  FA,
  /**
   * Adaptive feedback alignment (spec section 6): {@code c_k = S_k = w_k . F / sqrt N}, the projection of the
   * first layer on the fixed vector F, which changes as {@code w_k} learns.
   */
  AFA,
  /**
   * PEPITA (Dellaferrera and Kreiman 2022; REF "modulated" mode, spec section 3.1): a clean pass, a modulated pass
   * on {@code x - F e}, {@code w_k -= (eta_w / sqrt N) (g(lambda_k) - g(lambda~_k)) (x - F e)} and
   * {@code v_k -= (eta_v / N) g(lambda~_k) e}. To first order in F it is AFA with {@code eta = eta_w |F|}.
   */
  PEPITA;

  /** The lower-case name used on the command line and in files. */
  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Parses {@code bp}, {@code fa}, {@code afa} or {@code pepita} (any case). */
  public static Rule parse(String s) {
    for (Rule r : values()) {
      if (r.name().equalsIgnoreCase(s.trim())) {
        return r;
      }
    }
    throw new IllegalArgumentException("unknown rule '" + s + "': expected bp, fa, afa or pepita");
  }

  /** Whether the order-parameter ODEs of {@link OrderParameterOde} describe this rule (PEPITA only to first order). */
  public boolean hasOde() {
    return this != PEPITA;
  }
}

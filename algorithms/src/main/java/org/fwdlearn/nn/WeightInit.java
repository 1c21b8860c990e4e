package org.fwdlearn.nn;

import java.util.Locale;
import org.fwdlearn.core.Init;
import org.fwdlearn.core.Matrix;
import org.fwdlearn.core.Rng;

/** Initialisation of a forward weight matrix W_l (d_l x d_{l-1}, fan-in d_{l-1}); ALGORITHMS.md section 1. */
public enum WeightInit {
  /** He-uniform: {@code U(-sqrt(6/d_{l-1}), +sqrt(6/d_{l-1}))}. */
  HE_UNIFORM,
  /** He-normal: {@code N(0, 2/d_{l-1})}. */
  HE_NORMAL;

  /** Fills w (rows x fanIn) in row-major order from rng. Modified: w. */
  public Matrix fill(Matrix w, Rng rng) {
    return switch (this) {
      case HE_UNIFORM -> Init.heUniform(w, w.cols(), rng);
      case HE_NORMAL -> Init.heNormal(w, w.cols(), rng);
    };
  }

  /** Parses {@code he_uniform} or {@code he_normal} (any case). */
  public static WeightInit parse(String name) {
    return switch (name.toLowerCase(Locale.ROOT)) {
      case "he_uniform" -> HE_UNIFORM;
      case "he_normal" -> HE_NORMAL;
      default -> throw new IllegalArgumentException("init: '" + name + "' is not one of he_uniform, he_normal");
    };
  }
}

package org.fwdlearn.core.kernel;

import jdk.incubator.vector.VectorSpecies;

/** Builds the Vector API kernel set; loaded by name from {@link Kernels}. */
public final class VectorKernels {
  private VectorKernels() {}

  /** The Vector API kernels at {@code bits} (0 = preferred width). */
  public static Kernels create(int bits) {
    VectorSpecies<Float> species = VectorConstants.species(bits);
    return new Kernels("vector", species.vectorBitSize(), new VectorGemm(species), new VectorElementwise(species));
  }
}

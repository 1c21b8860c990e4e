package org.fwdlearn.core.kernel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/** The float species of the Vector API kernels, held apart from the provider (as Lucene's PanamaVectorConstants). */
final class VectorConstants {
  private VectorConstants() {}

  /** The species for a requested width in bits (0 = the CPU's preferred). */
  static VectorSpecies<Float> species(int bits) {
    if (bits == 0) {
      return FloatVector.SPECIES_PREFERRED;
    }
    if (bits != 128 && bits != 256 && bits != 512) {
      throw new IllegalArgumentException("-Dfwdlearn.vectorBits=" + bits + " is not one of: 128, 256, 512");
    }
    return VectorSpecies.of(float.class, VectorShape.forBitSize(bits));
  }
}

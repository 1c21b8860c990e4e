package org.fwdlearn.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import org.fwdlearn.core.Ops;
import org.fwdlearn.core.kernel.Kernels;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The kernel path chosen at start-up is the one the surefire execution asked for: {@code vector} in the
 * default run, {@code scalar} in the run with {@code -Dfwdlearn.kernels=scalar} (see this module's pom).
 */
@Tag("kernel-path")
class KernelPathTest {
  @Test
  void activePathIsTheExpectedOne() {
    String expected = System.getProperty("fwdlearn.expectedKernels");
    assertNotNull(expected, "surefire must set -Dfwdlearn.expectedKernels (see src-test/pom.xml)");
    Kernels k = Kernels.get();
    assertEquals(expected, k.path(), "active kernels " + k);
    assertSame(k, Ops.kernels());
    if (expected.equals("scalar")) {
      assertEquals(0, k.vectorBits());
    } else {
      Integer bits = Integer.getInteger("fwdlearn.vectorBits");
      assertEquals(bits == null ? Kernels.vector(0).vectorBits() : bits, k.vectorBits());
    }
  }
}

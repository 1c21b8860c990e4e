package org.fwdlearn.core.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Field;
import org.junit.jupiter.api.Test;

/**
 * The provider's explicit choices. Which path {@link Kernels#get()} takes at start-up is asserted in the
 * {@code src-test} module, whose two surefire runs force each path.
 */
class KernelsTest {
  @Test
  void vectorKernelsHaveTheRequestedWidth() {
    for (int bits : new int[] {128, 256, 512}) {
      Kernels k = Kernels.vector(bits);
      assertEquals("vector", k.path());
      assertEquals(bits, k.vectorBits());
      assertEquals("vector (" + bits + "-bit)", k.toString());
      assertTrue(k.elementwise() instanceof VectorElementwise, k.elementwise().getClass().getName());
    }
  }

  /**
   * The Vector API compiles to SIMD only with a constant species, so each width runs its own hidden copy of
   * the template with that species in a static final field; a wrong copy would still compute right results,
   * only at another width, which the properties cannot see.
   */
  @Test
  void eachWidthRunsAHiddenTemplateWithItsOwnLaneCount() throws ReflectiveOperationException {
    Field kernel = VectorElementwise.class.getDeclaredField("k");
    kernel.setAccessible(true);
    for (int bits : new int[] {128, 256, 512}) {
      Object template = kernel.get(Kernels.vector(bits).elementwise());
      Class<?> c = template.getClass();
      assertTrue(c.isHidden(), c.getName());
      Field lanes = c.getDeclaredField("L");
      lanes.setAccessible(true);
      assertEquals(bits / Float.SIZE, lanes.getInt(null), c.getName());
    }
  }

  @Test
  void preferredWidthIsOneOfTheSupported() {
    int bits = Kernels.vector(0).vectorBits();
    assertTrue(bits == 128 || bits == 256 || bits == 512, "preferred width " + bits);
  }

  @Test
  void unsupportedWidthIsRejectedByName() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Kernels.vector(384));
    assertTrue(e.getMessage().contains("384") && e.getMessage().contains("128, 256, 512"), e.getMessage());
  }

  @Test
  void scalarKernelsAreTheReference() {
    Kernels s = Kernels.scalar();
    assertEquals("scalar", s.path());
    assertEquals(0, s.vectorBits());
    assertEquals("scalar", s.toString());
    assertTrue(s.elementwise() instanceof ScalarElementwise);
    assertSame(s, Kernels.scalar());
  }
}

package org.fwdlearn.core.kernel;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.Locale;
import java.util.logging.Logger;

/**
 * The kernel implementations in use, chosen once at start-up (the model is Lucene's
 * {@code VectorizationProvider}).
 *
 * <ul>
 *   <li>{@code -Dfwdlearn.kernels=vector|scalar|auto} (default auto) forces a path. {@code auto} takes the
 *       Vector API implementation when the {@code jdk.incubator.vector} module is present, else the scalar
 *       reference with one log line naming the flag that enables SIMD. Forcing {@code vector} without the
 *       module fails loudly.
 *   <li>{@code -Dfwdlearn.vectorBits=128|256|512} forces the vector width (default: the CPU's preferred).
 * </ul>
 *
 * <p>Only the {@code Vector*} classes of this package import {@code jdk.incubator.vector}; they are loaded
 * by name, so this class runs on a JVM without the module.
 */
public final class Kernels {
  private static final Logger LOG = Logger.getLogger(Kernels.class.getName());
  public static final String ENABLE_HINT = "--add-modules jdk.incubator.vector";

  private final String path;
  private final int vectorBits;
  private final GemmKernel gemm;
  private final ElementwiseKernel elementwise;

  public Kernels(String path, int vectorBits, GemmKernel gemm, ElementwiseKernel elementwise) {
    this.path = path;
    this.vectorBits = vectorBits;
    this.gemm = gemm;
    this.elementwise = elementwise;
  }

  /** The scalar reference kernels. */
  public static Kernels scalar() {
    return Holder.SCALAR;
  }

  /** The kernels chosen at start-up. */
  public static Kernels get() {
    return Holder.ACTIVE;
  }

  /** True if the {@code jdk.incubator.vector} module is in the boot layer. */
  public static boolean vectorModulePresent() {
    return ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();
  }

  /**
   * The Vector API kernels at the given width (0 = preferred), whatever the start-up choice.
   *
   * @throws IllegalStateException if the incubator module is absent
   */
  public static Kernels vector(int bits) {
    if (!vectorModulePresent()) {
      throw new IllegalStateException(
          "the Vector API kernels need the jdk.incubator.vector module: run java with " + ENABLE_HINT);
    }
    try {
      Class<?> c = Class.forName(Kernels.class.getPackageName() + ".VectorKernels");
      return (Kernels)
          MethodHandles.publicLookup()
              .findStatic(c, "create", MethodType.methodType(Kernels.class, int.class))
              .invoke(bits);
    } catch (RuntimeException | Error e) {
      throw e;
    } catch (Throwable e) {
      throw new IllegalStateException("cannot load the Vector API kernels", e);
    }
  }

  private static final class Holder {
    static final Kernels SCALAR = new Kernels("scalar", 0, new ScalarGemm(), new ScalarElementwise());
    static final Kernels ACTIVE = choose();

    private static Kernels choose() {
      String mode = System.getProperty("fwdlearn.kernels", "auto").trim().toLowerCase(Locale.ROOT);
      int bits = Integer.getInteger("fwdlearn.vectorBits", 0);
      switch (mode) {
        case "scalar":
          return SCALAR;
        case "vector":
          return vector(bits);
        case "auto":
          if (vectorModulePresent()) {
            return vector(bits);
          }
          LOG.info("fwdlearn: Vector API unavailable, using scalar kernels; run java with " + ENABLE_HINT + " to enable SIMD");
          return SCALAR;
        default:
          throw new IllegalArgumentException(
              "-Dfwdlearn.kernels=" + mode + " is not one of: auto, vector, scalar");
      }
    }
  }

  /** {@code "vector"} or {@code "scalar"}. */
  public String path() {
    return path;
  }

  /** Vector width in bits, or 0 for the scalar path. */
  public int vectorBits() {
    return vectorBits;
  }

  public GemmKernel gemm() {
    return gemm;
  }

  public ElementwiseKernel elementwise() {
    return elementwise;
  }

  @Override
  public String toString() {
    return path.equals("scalar") ? "scalar" : path + " (" + vectorBits + "-bit)";
  }
}

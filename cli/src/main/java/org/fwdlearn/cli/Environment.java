package org.fwdlearn.cli;

import java.util.LinkedHashMap;
import java.util.Map;
import org.fwdlearn.core.kernel.Kernels;

/** What a run was made with: the fwdlearn version, the JDK, the kernel path and the vector width. */
public final class Environment {
  private Environment() {}

  /** The fwdlearn version of this build (the library's, {@link org.fwdlearn.io.Models#version()}). */
  public static String version() {
    return org.fwdlearn.io.Models.version();
  }

  /** The JDK as {@code 25.0.1 (Eclipse Adoptium OpenJDK 64-Bit Server VM)}. */
  public static String jdk() {
    return System.getProperty("java.version") + " (" + System.getProperty("java.vendor") + " "
        + System.getProperty("java.vm.name") + ")";
  }

  /** The environment block of config.json. */
  public static Map<String, Object> describe(int threads) {
    Kernels k = Kernels.get();
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("fwdlearn_version", version());
    m.put("jdk", jdk());
    m.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version") + " " + System.getProperty("os.arch"));
    m.put("kernel_path", k.path());
    m.put("vector_bits", k.vectorBits());
    m.put("vector_module_present", Kernels.vectorModulePresent());
    m.put("processors", Runtime.getRuntime().availableProcessors());
    m.put("threads", threads);
    return m;
  }
}

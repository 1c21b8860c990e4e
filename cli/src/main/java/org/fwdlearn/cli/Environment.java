package org.fwdlearn.cli;

import java.util.LinkedHashMap;
import java.util.Map;
import org.fwdlearn.core.kernel.Kernels;

/**
 * What a run was made with: the fwdlearn version, the source commit (when the {@code fwdlearn} launcher ran it from
 * a git checkout: system property {@code fwdlearn.commit}, with {@code -dirty} when tracked files were modified),
 * the JDK, the CPU, the kernel path and the vector width.
 */
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

  /** The CPU's model name from /proc/cpuinfo (Linux), else the architecture. */
  public static String cpuModel() {
    try (var lines = java.nio.file.Files.lines(java.nio.file.Path.of("/proc/cpuinfo"))) {
      return lines.filter(l -> l.startsWith("model name")).findFirst()
          .map(l -> l.substring(l.indexOf(':') + 1).trim()).orElse(System.getProperty("os.arch"));
    } catch (java.io.IOException | RuntimeException e) {
      return System.getProperty("os.arch");
    }
  }

  /** The environment block of config.json. */
  public static Map<String, Object> describe(int threads) {
    Kernels k = Kernels.get();
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("fwdlearn_version", version());
    String commit = System.getProperty("fwdlearn.commit", "");
    m.put("source_commit", commit.isBlank() ? null : commit);
    m.put("jdk", jdk());
    m.put("cpu", cpuModel());
    m.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version") + " " + System.getProperty("os.arch"));
    m.put("kernel_path", k.path());
    m.put("vector_bits", k.vectorBits());
    m.put("vector_module_present", Kernels.vectorModulePresent());
    m.put("processors", Runtime.getRuntime().availableProcessors());
    m.put("threads", threads);
    return m;
  }
}

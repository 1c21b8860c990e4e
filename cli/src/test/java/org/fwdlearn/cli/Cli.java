package org.fwdlearn.cli;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs the fwdlearn command in this JVM (or in a child JVM) and captures its output. */
final class Cli {
  private Cli() {}

  /** Exit code and output of one run. */
  record Result(int code, String out, String err) {
    String all() {
      return out + err;
    }
  }

  static Result run(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code;
    try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
        PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
      code = Main.run(args, o, e);
    }
    return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  /**
   * Runs the command in a child JVM (same classpath, the Vector API module) in {@code cwd}, with extra system
   * properties such as {@code -Dfwdlearn.test.haltAfterEpoch=1}.
   */
  static Result runChild(Path cwd, List<String> jvmProps, String... args) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("--add-modules=jdk.incubator.vector");
    cmd.addAll(jvmProps);
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(Main.class.getName());
    cmd.addAll(List.of(args));
    Path outFile = Files.createTempFile("fwdlearn-child-", ".out");
    Path errFile = Files.createTempFile("fwdlearn-child-", ".err");
    try {
      ProcessBuilder pb = new ProcessBuilder(cmd).directory(cwd.toFile())
          .redirectOutput(outFile.toFile()).redirectError(errFile.toFile());
      pb.environment().remove("CI");
      Process p = pb.start();
      if (!p.waitFor(5, TimeUnit.MINUTES)) {
        p.destroyForcibly();
        throw new AssertionError("child fwdlearn did not finish in 5 minutes: " + cmd);
      }
      return new Result(p.exitValue(), Files.readString(outFile), Files.readString(errFile));
    } finally {
      Files.deleteIfExists(outFile);
      Files.deleteIfExists(errFile);
    }
  }
}

package org.fwdlearn.tests;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Only classes named {@code Vector*} may use {@code jdk.incubator.vector}: everything else must load and run
 * on a JVM without the incubator module (the provider then takes the scalar path). Scans the main sources of
 * every module of the repository.
 */
class IncubatorImportGuardTest {
  /** An import of the package or a class in it, or a fully qualified use of one of its types. */
  static final Pattern USE =
      Pattern.compile("(?m)^\\s*import\\s+(static\\s+)?jdk\\.incubator\\.vector\\b|jdk\\.incubator\\.vector\\.[A-Z]");

  /** The directory holding the aggregator pom (the one that lists {@code <modules>}), from the working dir up. */
  static Path repositoryRoot() throws IOException {
    for (Path p = Path.of(System.getProperty("user.dir")).toAbsolutePath(); p != null; p = p.getParent()) {
      Path pom = p.resolve("pom.xml");
      if (Files.isRegularFile(pom) && Files.readString(pom).contains("<modules>")) {
        return p;
      }
    }
    throw new IllegalStateException("no pom.xml with <modules> above " + System.getProperty("user.dir"));
  }

  static List<Path> mainSources(Path root) throws IOException {
    List<Path> files = new ArrayList<>();
    try (Stream<Path> modules = Files.list(root)) {
      for (Path module : modules.filter(Files::isDirectory).toList()) {
        Path src = module.resolve("src/main/java");
        if (Files.isDirectory(src)) {
          try (Stream<Path> walk = Files.walk(src)) {
            walk.filter(f -> f.toString().endsWith(".java")).forEach(files::add);
          }
        }
      }
    }
    return files;
  }

  static String read(Path f) {
    try {
      return Files.readString(f);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Test
  void onlyVectorClassesUseTheIncubatorModule() throws IOException {
    Path root = repositoryRoot();
    List<Path> sources = mainSources(root);
    List<String> offenders = new ArrayList<>();
    int vectorUsers = 0;
    for (Path f : sources) {
      boolean uses = USE.matcher(read(f)).find();
      if (f.getFileName().toString().startsWith("Vector")) {
        vectorUsers += uses ? 1 : 0;
      } else if (uses) {
        offenders.add(root.relativize(f).toString());
      }
    }
    // Guards against a vacuous pass (wrong root, moved sources): the Vector API kernels must be among the files.
    assertTrue(vectorUsers >= 2, "found only " + vectorUsers + " Vector* files using the module among " + sources.size());
    if (!offenders.isEmpty()) {
      fail("only Vector* classes may use jdk.incubator.vector, but these do: " + offenders);
    }
  }

  @Test
  void patternSeesImportsAndQualifiedUsesButNotTheModuleName() {
    assertTrue(USE.matcher("package a;\nimport jdk.incubator.vector.FloatVector;\n").find());
    assertTrue(USE.matcher("import static jdk.incubator.vector.VectorOperators.ADD;").find());
    assertTrue(USE.matcher("  var v = jdk.incubator.vector.FloatVector.zero(s);").find());
    assertTrue(!USE.matcher("ModuleLayer.boot().findModule(\"jdk.incubator.vector\")").find());
  }
}

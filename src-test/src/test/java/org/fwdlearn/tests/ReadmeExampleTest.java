package org.fwdlearn.tests;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.fwdlearn.core.Matrix;
import org.fwdlearn.core.Rng;
import org.fwdlearn.data.Dataset;
import org.fwdlearn.data.DatasetSplit;
import org.fwdlearn.data.Datasets;
import org.fwdlearn.io.Models;
import org.fwdlearn.nn.Network;
import org.fwdlearn.train.TrainConfig;
import org.fwdlearn.train.Trainer;
import org.fwdlearn.train.TrainingListener;
import org.junit.jupiter.api.Test;

/**
 * The README's "Use it as a library" example, run as a user would embed the library, on four generated
 * clusters instead of MNIST (no download). {@link #theReadmeShowsThisExample} keeps the two from drifting: the
 * README's java block must equal the region between the markers below, line for line, except the one line that
 * loads the data, and its imports must be this file's.
 */
class ReadmeExampleTest {
  private static final String BEGIN = "// README example: begin";
  private static final String END = "// README example: end";
  private static final String DATA_LINE = "DatasetSplit split = ";
  private static final int CLASSES = 4;

  /**
   * Four classes in 16 "pixels" in [0, 1]: class c lights pixels 4c..4c+3 at 0.9 over a background of 0.1,
   * plus N(0, 0.1^2) noise on every pixel. The nearest centre is the class of all but a vanishing fraction of
   * the points (the centres are 0.8 * sqrt(8) = 2.3 apart, 11 noise standard deviations).
   */
  static DatasetSplit fourClusters() {
    Rng rng = new Rng(2024);
    return new DatasetSplit(draw("clusters-train", 640, rng), draw("clusters-test", 200, rng));
  }

  private static Dataset draw(String name, int n, Rng rng) {
    int d = 16;
    Matrix x = new Matrix(n, d);
    int[] y = new int[n];
    for (int i = 0; i < n; i++) {
      y[i] = rng.nextInt(CLASSES);
      for (int j = 0; j < d; j++) {
        float centre = j / 4 == y[i] ? 0.9f : 0.1f;
        x.set(i, j, centre + 0.1f * (float) rng.nextGaussian());
      }
    }
    return new Dataset(name, x, y, CLASSES, new int[] {1, 4, 4});
  }

  @Test
  void theExampleTrainsPredictsSavesAndLoads() throws Exception {
    // README example: begin
    DatasetSplit split = fourClusters();
    TrainConfig config = new TrainConfig();                     // PEPITA, one hidden layer of 1024, the paper's protocol
    config.epochs = 5;                                          // instead of 100
    Path dir = Files.createTempDirectory("fwdlearn-model");
    int[] predicted = new int[split.test().size()];
    try (Trainer trainer = new Trainer(config, split)) {
      trainer.run(TrainingListener.onEpoch(r -> System.out.printf("epoch %d: test accuracy %.4f%n", r.epoch() + 1, r.testAccuracy())));
      trainer.network().predict(split.test().x(), predicted);  // the class of every test example
      Models.save(dir, trainer);                                // model.safetensors and model.json
    }
    Network loaded = Models.load(dir);                          // predicts exactly as the trained network
    // README example: end
    try {
      int[] labels = split.test().labels();
      int correct = 0;
      for (int i = 0; i < labels.length; i++) {
        correct += predicted[i] == labels[i] ? 1 : 0;
      }
      double accuracy = (double) correct / labels.length;
      // Chance is 1/4; the clusters are separable, so a network that learnt anything gets nearly all right.
      assertTrue(accuracy >= 0.9, "test accuracy " + accuracy + " after 5 epochs on four separable clusters");
      int[] again = new int[labels.length];
      loaded.predict(split.test().x(), again);
      assertArrayEquals(predicted, again, "the loaded network predicts differently");
      assertTrue(Models.exists(dir));
    } finally {
      try (Stream<Path> files = Files.walk(dir)) {
        for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
          Files.delete(p);
        }
      }
    }
  }

  @Test
  void theReadmeShowsThisExample() throws IOException {
    Path root = projectRoot();
    String readme = Files.readString(root.resolve("README.md"));
    int section = readme.indexOf("## Use it as a library");
    assertTrue(section >= 0, "README.md has no '## Use it as a library' section");
    Matcher block = Pattern.compile("```java\n(.*?)```", Pattern.DOTALL).matcher(readme);
    assertTrue(block.find(section), "no ```java block in the README's library section");
    List<String> readmeLines = new ArrayList<>();
    List<String> imports = new ArrayList<>();
    for (String line : block.group(1).split("\n")) {
      if (line.startsWith("import ")) {
        imports.add(line);
      } else if (!line.isBlank()) {
        readmeLines.add(line);
      }
    }
    String source = Files.readString(root.resolve("src-test/src/test/java/org/fwdlearn/tests/ReadmeExampleTest.java"));
    List<String> sourceLines = List.of(source.split("\n"));
    for (String imp : imports) {
      assertTrue(sourceLines.contains(imp), "the README imports what this test does not: " + imp);
    }
    int begin = sourceLines.indexOf("    " + BEGIN);
    int end = sourceLines.indexOf("    " + END);
    assertTrue(begin >= 0 && end > begin, "markers not found");
    List<String> example = dedent(sourceLines.subList(begin + 1, end));
    List<String> shown = dedent(readmeLines);
    assertEquals(example.size(), shown.size(), "README example:\n" + String.join("\n", shown) + "\ntest:\n" + String.join("\n", example));
    int dataLines = 0;
    for (int i = 0; i < shown.size(); i++) {
      if (shown.get(i).startsWith(DATA_LINE)) {
        assertTrue(example.get(i).startsWith(DATA_LINE), "line " + (i + 1) + ": " + example.get(i));
        // The README loads a dataset the library knows.
        Matcher load = Pattern.compile("Datasets\\.load\\(\"([^\"]+)\"").matcher(shown.get(i));
        assertTrue(load.find(), shown.get(i));
        assertTrue(Datasets.names().contains(load.group(1)), load.group(1) + " is not one of " + Datasets.names());
        dataLines++;
      } else {
        assertEquals(shown.get(i), example.get(i), "line " + (i + 1) + " of the README example differs from the test");
      }
    }
    assertEquals(1, dataLines, "the README example should load its data in exactly one line");
  }

  /** Removes the common leading indentation and trailing blanks. */
  private static List<String> dedent(List<String> lines) {
    int indent = Integer.MAX_VALUE;
    for (String l : lines) {
      if (!l.isBlank()) {
        indent = Math.min(indent, l.length() - l.stripLeading().length());
      }
    }
    List<String> r = new ArrayList<>();
    for (String l : lines) {
      if (!l.isBlank()) {
        r.add(l.substring(indent).stripTrailing());
      }
    }
    assertFalse(r.isEmpty(), "empty example");
    return r;
  }

  /** The checkout's root: the first directory upwards from the working directory holding README.md and src-test. */
  private static Path projectRoot() {
    for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
      if (Files.isRegularFile(p.resolve("README.md")) && Files.isDirectory(p.resolve("src-test"))) {
        return p;
      }
    }
    return fail("no README.md found above " + Path.of("").toAbsolutePath());
  }
}

package org.fwdlearn.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.lifecycle.AfterTry;
import net.jqwik.api.lifecycle.BeforeTry;

/** Truncated or corrupted CIFAR files give a consistent dataset or a {@link DatasetFormatException}. */
class CifarReaderProperties {
  private Path dir;

  @BeforeTry
  void makeDir() throws IOException {
    dir = Files.createTempDirectory("cifar-props");
  }

  @AfterTry
  void removeDir() throws IOException {
    try (var s = Files.walk(dir)) {
      for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }

  @Property(tries = 200)
  void truncationOrACorruptByteGivesADatasetOrTheException(
      @ForAll @IntRange(min = 1, max = 4) int n, @ForAll boolean cifar100, @ForAll boolean truncate,
      @ForAll @IntRange(min = 0, max = 10_000) int permille, @ForAll byte value, @ForAll long seed) {
    int lb = cifar100 ? 2 : 1;
    byte[][] labels = new byte[n][lb];
    byte[] raw = Fixtures.randomLabels(seed, n * lb, cifar100 ? 20 : 10);
    for (int i = 0; i < n; i++) {
      System.arraycopy(raw, i * lb, labels[i], 0, lb);
    }
    byte[] file = Fixtures.cifar(labels, Fixtures.randomBytes(seed + 1, n * CifarReader.IMAGE_BYTES));
    int pos = (int) ((long) file.length * permille / 10_000);
    boolean unchanged;
    if (truncate) {
      unchanged = pos == file.length;
      file = Arrays.copyOf(file, pos);
    } else {
      pos = Math.min(pos, file.length - 1);
      // bias the corruption toward label bytes, where it matters most
      if (permille % 2 == 0) {
        pos = pos / (lb + CifarReader.IMAGE_BYTES) * (lb + CifarReader.IMAGE_BYTES);
      }
      unchanged = file[pos] == value;
      file[pos] = value;
    }
    Path f = Fixtures.write(dir.resolve("data.bin"), file);
    Dataset d;
    try {
      d = cifar100 ? CifarReader.readCifar100("p", f, true, null) : CifarReader.readCifar10("p", List.of(f), null);
    } catch (DatasetFormatException e) {
      assertTrue(!unchanged, "an unchanged file must load: " + e.getMessage());
      assertTrue(e.getMessage().startsWith(f + ": at byte " + e.offset()), e.getMessage());
      return;
    }
    assertEquals(file.length / (lb + CifarReader.IMAGE_BYTES), d.size());
    for (int y : d.labels()) {
      assertTrue(y >= 0 && y < d.numClasses(), "label " + y);
    }
    for (float v : d.x().toArray()) {
      assertTrue(v >= 0f && v <= 1f, "pixel " + v);
    }
  }
}

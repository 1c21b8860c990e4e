package org.fwdlearn.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.lifecycle.AfterTry;
import net.jqwik.api.lifecycle.BeforeTry;

/**
 * Whatever is done to a valid pair of IDX files (truncation at any point, any header byte changed, any byte of
 * a gzip stream changed), reading gives either a consistent dataset or a {@link DatasetFormatException}:
 * never another exception, never a partially loaded dataset.
 */
class IdxReaderProperties {
  private Path dir;

  @BeforeTry
  void makeDir() throws IOException {
    dir = Files.createTempDirectory("idx-props");
  }

  @AfterTry
  void removeDir() throws IOException {
    try (var s = Files.walk(dir)) {
      for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }

  @Property(tries = 300)
  void truncationGivesADatasetOrTheException(
      @ForAll @IntRange(min = 0, max = 12) int n, @ForAll @IntRange(min = 1, max = 6) int rows,
      @ForAll @IntRange(min = 1, max = 6) int cols, @ForAll boolean gz, @ForAll boolean cutImages,
      @ForAll @IntRange(min = 0, max = 10_000) int cutPermille, @ForAll long seed) {
    byte[][] files = files(n, rows, cols, seed, gz);
    int which = cutImages ? 0 : 1;
    int length = files[which].length;
    int cut = (int) ((long) length * cutPermille / 10_000);
    files[which] = Arrays.copyOf(files[which], cut);
    checkOutcome(files, cut == length);
  }

  @Property(tries = 300)
  void corruptedHeaderByteGivesADatasetOrTheException(
      @ForAll @IntRange(min = 0, max = 12) int n, @ForAll @IntRange(min = 1, max = 6) int rows,
      @ForAll @IntRange(min = 1, max = 6) int cols, @ForAll boolean inImages,
      @ForAll @IntRange(min = 0, max = 15) int position, @ForAll byte value, @ForAll long seed) {
    byte[][] files = files(n, rows, cols, seed, false);
    int which = inImages ? 0 : 1;
    int headerLength = inImages ? 16 : 8;
    int pos = position % headerLength;
    boolean unchanged = files[which][pos] == value;
    files[which][pos] = value;
    checkOutcome(files, unchanged);
  }

  @Property(tries = 300)
  void corruptedGzipByteGivesADatasetOrTheException(
      @ForAll @IntRange(min = 0, max = 12) int n, @ForAll @IntRange(min = 1, max = 6) int rows,
      @ForAll @IntRange(min = 1, max = 6) int cols, @ForAll boolean inImages,
      @ForAll @IntRange(min = 0, max = 10_000) int positionPermille, @ForAll byte value, @ForAll long seed) {
    byte[][] files = files(n, rows, cols, seed, true);
    int which = inImages ? 0 : 1;
    int pos = (int) ((long) (files[which].length - 1) * positionPermille / 10_000);
    boolean unchanged = files[which][pos] == value;
    files[which][pos] = value;
    checkOutcome(files, unchanged);
  }

  @Property(tries = 500)
  void arbitraryHeaderDimensionsGiveADatasetOrTheException(
      @ForAll("dims") int n, @ForAll("dims") int rows, @ForAll("dims") int cols, @ForAll boolean gz,
      @ForAll @IntRange(min = 0, max = 64) int dataBytes, @ForAll long seed) {
    // a lying header: any dimensions (zero, negative, huge); when the claimed data is small, exactly that much
    // data follows, so only the dimensions themselves can make the file invalid
    long claimed = n < 0 || rows < 0 || cols < 0 ? -1 : (long) n * rows * cols;
    int bytes = claimed >= 0 && claimed <= 64 ? (int) claimed : dataBytes;
    java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(16 + bytes).putInt(0x0803).putInt(n).putInt(rows)
        .putInt(cols).put(Fixtures.randomBytes(seed, bytes));
    byte[] x = gz ? Fixtures.gzip(b.array()) : b.array();
    byte[] y = Fixtures.idx(new int[] {Math.max(0, n)}, new byte[Math.max(0, Math.min(n, 64))]);
    checkOutcome(new byte[][] {x, y}, false);
  }

  @Provide
  Arbitrary<Integer> dims() {
    return Arbitraries.oneOf(Arbitraries.integers().between(0, 4), Arbitraries.integers().between(46341,
        Integer.MAX_VALUE), Arbitraries.integers());
  }

  /** Images and labels files of a valid set: {images, labels}. */
  private static byte[][] files(int n, int rows, int cols, long seed, boolean gz) {
    byte[] x = Fixtures.idx(new int[] {n, rows, cols}, Fixtures.randomBytes(seed, n * rows * cols));
    byte[] y = Fixtures.idx(new int[] {n}, Fixtures.randomLabels(seed + 1, n, 10));
    return gz ? new byte[][] {Fixtures.gzip(x), Fixtures.gzip(y)} : new byte[][] {x, y};
  }

  private void checkOutcome(byte[][] files, boolean mustSucceed) {
    Path x = Fixtures.write(dir.resolve("x"), files[0]);
    Path y = Fixtures.write(dir.resolve("y"), files[1]);
    Dataset d;
    try {
      d = IdxReader.readDataset("p", x, y, 10, null);
    } catch (DatasetFormatException e) {
      assertTrue(!mustSucceed, "unchanged files must load: " + e.getMessage());
      assertTrue(e.getMessage().startsWith(e.file() + ": at byte " + e.offset()), e.getMessage());
      assertTrue(e.offset() >= 0, e.getMessage());
      return;
    }
    // a valid dataset: consistent shape, labels in range, pixels in [0, 1]
    assertEquals(d.size(), d.labels().length);
    assertEquals(d.features(), d.shape()[1] * d.shape()[2]);
    for (int label : d.labels()) {
      assertTrue(label >= 0 && label < 10, "label " + label);
    }
    for (float v : d.x().toArray()) {
      assertTrue(v >= 0f && v <= 1f, "pixel " + v);
    }
  }
}
